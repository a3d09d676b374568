// The targets stage: each suspected network's elimination ranking, merged into one list.
#include "sourcetrace/pipeline/targets_stage.hpp"

#include <fmt/format.h>
#include <omp.h>

#include <filesystem>

#include "sourcetrace/community/community_file.hpp"
#include "sourcetrace/risk/risk_file.hpp"
#include "sourcetrace/store/graph_file.hpp"
#include "sourcetrace/store/run_file.hpp"
#include "sourcetrace/targets/target_file.hpp"

namespace sourcetrace::pipeline {

Result<TargetsReport> rank_targets(const TargetsRequest& request, const Job& job, const StageProgress& progress) {
  const double start = omp_get_wtime();
  progress("reading " + request.graph, 0.0);
  auto graph = store::read_graph_file(request.graph);
  if (!graph.is_ok()) return graph.status();
  auto detected = community::read_communities_file(request.communities);
  if (!detected.is_ok()) return detected.status();
  auto scored = risk::read_risk_file(request.risk);
  if (!scored.is_ok()) return scored.status();
  const risk::RiskRecord& r = scored.value();
  if (r.network.size() != graph.value().num_entities() ||
      r.communities_digest != community::membership_digest(detected.value().hierarchy.back().partition)) {
    return Status::invalid_argument(request.communities + " and " + request.risk + " are not from the same run");
  }

  // The suspected networks and their members (legit hints left out: they
  // carry no counterfeit flow by definition of the hint).
  std::vector<community::CommunityId> suspects;
  for (community::CommunityId c = 0; c < r.networks.size(); ++c) {
    if (r.networks[c].risk >= job.min_risk) suspects.push_back(c);
  }
  std::vector<std::vector<targets::Member>> members(r.networks.size());
  for (graph::VertexId v = 0; v < graph.value().num_entities(); ++v) {
    if (r.roles[v] != risk::Role::kLegit) members[r.network[v]].push_back({v, r.roles[v]});
  }

  std::vector<std::vector<targets::Target>> lists(suspects.size());
  std::vector<double> risks(suspects.size());
  for (std::size_t i = 0; i < suspects.size(); ++i) {
    progress(fmt::format("network {}/{}", i + 1, suspects.size()),
             static_cast<double>(i) / static_cast<double>(suspects.size()));
    targets::EliminationRanking ranking(graph.value(), std::move(members[suspects[i]]), job.elimination);
    ST_RETURN_IF_ERROR(ranking.run());
    lists[i] = ranking.targets();
    risks[i] = r.networks[suspects[i]].risk;
  }
  auto merged = targets::merge_target_lists(lists, risks);
  if (!merged.is_ok()) return merged.status();

  targets::TargetRecord record;
  record.ranked = std::move(merged).value();
  for (const targets::RankedTarget& t : record.ranked) record.community.push_back(suspects[t.network]);
  record.risk_digest = risk::risk_digest(r.networks);
  record.job_digest = job.stage_digest("targets");

  std::error_code ec;
  auto parent = std::filesystem::path(request.out).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  ST_RETURN_IF_ERROR(
      store::write_run_file(request.out, [&](store::H5File& f) { return targets::write_targets(f, record); }));
  return TargetsReport{fmt::format("targets: {} targets in {} suspected networks in {:.2f} s -> {}",
                                   record.ranked.size(), suspects.size(), omp_get_wtime() - start, request.out)};
}

std::optional<std::string> targets_staleness(const RunFolder& run, const Job& job) {
  if (!std::filesystem::exists(run.targets())) return "no targets.h5 yet";
  auto record = targets::read_targets_file(run.targets());
  if (!record.is_ok()) return "targets.h5 is unreadable";
  auto scored = risk::read_risk_file(run.risk());
  if (!scored.is_ok()) return "risk.h5 is unreadable";
  if (record.value().risk_digest != risk::risk_digest(scored.value().networks)) return "the risks changed";
  if (record.value().job_digest != job.stage_digest("targets")) {
    return "its parameters changed ([targets], [export] min_risk)";
  }
  return built_elsewhere(run.targets());
}

}  // namespace sourcetrace::pipeline
