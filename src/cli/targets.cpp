// `sourcetrace targets`: per suspected network, the greedy source-
// elimination ranking on its supply flow; merged into one global list.
#include <fmt/core.h>

#include <filesystem>

#include "commands.hpp"
#include "sourcetrace/pipeline/job.hpp"
#include "sourcetrace/cli/exit_code.hpp"
#include "sourcetrace/cli/progress.hpp"
#include "sourcetrace/community/community_file.hpp"
#include "sourcetrace/risk/risk_file.hpp"
#include "sourcetrace/store/graph_file.hpp"
#include "sourcetrace/store/run_file.hpp"
#include "sourcetrace/targets/target_file.hpp"

namespace sourcetrace::cli {

namespace {

struct TargetsOptions {
  std::string graph, communities, risk, out, job;
};

int run_targets(const TargetsOptions& o) {
  auto job = pipeline::load_job(o.job);
  if (!job.is_ok()) return report_failure(job.status());
  ProgressReporter progress("targets");
  auto graph = store::read_graph_file(o.graph);
  if (!graph.is_ok()) return report_failure(graph.status());
  auto detected = community::read_communities_file(o.communities);
  if (!detected.is_ok()) return report_failure(detected.status());
  auto scored = risk::read_risk_file(o.risk);
  if (!scored.is_ok()) return report_failure(scored.status());
  const risk::RiskRecord& r = scored.value();
  if (r.network.size() != graph.value().num_entities() ||
      r.communities_digest != community::membership_digest(detected.value().hierarchy.back().partition)) {
    return report_failure(Status::invalid_argument(o.communities + " and " + o.risk + " are not from the same run"));
  }

  // The suspected networks and their members (legit hints left out: they
  // carry no counterfeit flow by definition of the hint).
  std::vector<community::CommunityId> suspects;
  for (community::CommunityId c = 0; c < r.networks.size(); ++c) {
    if (r.networks[c].risk >= job.value().min_risk) suspects.push_back(c);
  }
  std::vector<std::vector<targets::Member>> members(r.networks.size());
  for (graph::VertexId v = 0; v < graph.value().num_entities(); ++v) {
    if (r.roles[v] != risk::Role::kLegit) members[r.network[v]].push_back({v, r.roles[v]});
  }

  std::vector<std::vector<targets::Target>> lists(suspects.size());
  std::vector<double> risks(suspects.size());
  for (std::size_t i = 0; i < suspects.size(); ++i) {
    progress.update(fmt::format("network {}/{}", i + 1, suspects.size()),
                    static_cast<double>(i) / static_cast<double>(suspects.size()));
    targets::EliminationRanking ranking(graph.value(), std::move(members[suspects[i]]), job.value().elimination);
    if (Status s = ranking.run(); !s.is_ok()) return report_failure(s);
    lists[i] = ranking.targets();
    risks[i] = r.networks[suspects[i]].risk;
  }
  auto merged = targets::merge_target_lists(lists, risks);
  if (!merged.is_ok()) return report_failure(merged.status());

  targets::TargetRecord record;
  record.ranked = std::move(merged).value();
  for (const targets::RankedTarget& t : record.ranked) record.community.push_back(suspects[t.network]);
  record.risk_digest = risk::risk_digest(r.networks);
  record.job_digest = job.value().stage_digest("targets");

  std::error_code ec;
  auto parent = std::filesystem::path(o.out).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  Status written = store::write_run_file(o.out, [&](store::H5File& f) { return targets::write_targets(f, record); });
  if (!written.is_ok()) return report_failure(written);
  progress.finish(fmt::format("targets: {} targets in {} suspected networks in {:.2f} s -> {}", record.ranked.size(),
                              suspects.size(), progress.seconds(), o.out));
  return kExitOk;
}

}  // namespace

void add_targets_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<TargetsOptions>();
  CLI::App* cmd = app.add_subcommand("targets", "Rank source-elimination targets in every suspected network");
  cmd->add_option("GRAPH", o->graph, "graph.h5 (from ingest)")->required();
  cmd->add_option("COMMUNITIES", o->communities, "The run file of `sourcetrace detect`")->required();
  cmd->add_option("RISK", o->risk, "The file of `sourcetrace score`")->required();
  cmd->add_option("--out", o->out, "The targets file to write (atomically)")->required();
  cmd->add_option("--job", o->job, "Job file (its [export] min_risk picks the networks)");
  cmd->callback([o, &exit_code] { exit_code = run_targets(*o); });
}

}  // namespace sourcetrace::cli
