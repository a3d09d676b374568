// `sourcetrace export`: a run folder's results as the contract's output
// tables (docs/tables.md): networks.csv, members.csv and targets.csv, each
// written atomically. A run folder holds graph.h5, communities.h5
// (detect), risk.h5 (score) and targets.h5 (targets). With --brand, the
// files show what that brand's token sees in the query service: its
// networks, under the same opaque ids (risk/network_id.hpp), and its
// targets ranked 1..k (targets/target_scope.hpp).
#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <numeric>

#include "commands.hpp"
#include "job_file.hpp"
#include "sourcetrace/cli/exit_code.hpp"
#include "sourcetrace/cli/progress.hpp"
#include "sourcetrace/community/community_file.hpp"
#include "sourcetrace/risk/network_brands.hpp"
#include "sourcetrace/risk/network_id.hpp"
#include "sourcetrace/risk/risk_file.hpp"
#include "sourcetrace/store/graph_file.hpp"
#include "sourcetrace/tables/csv_writer.hpp"
#include "sourcetrace/targets/target_file.hpp"
#include "sourcetrace/targets/target_scope.hpp"

namespace sourcetrace::cli {

namespace {

namespace fs = std::filesystem;

struct ExportOptions {
  std::string run, out, job, brand;
};

int run_export(const ExportOptions& o) {
  auto job = load_job(o.job);
  if (!job.is_ok()) return report_failure(job.status());
  ProgressReporter progress("export");
  const fs::path run(o.run);
  auto graph = store::read_graph_file((run / "graph.h5").string());
  if (!graph.is_ok()) return report_failure(graph.status());
  auto detected = community::read_communities_file((run / "communities.h5").string());
  if (!detected.is_ok()) return report_failure(detected.status());
  auto scored = risk::read_risk_file((run / "risk.h5").string());
  if (!scored.is_ok()) return report_failure(scored.status());
  auto ranked = targets::read_targets_file((run / "targets.h5").string());
  if (!ranked.is_ok()) return report_failure(ranked.status());

  const graph::MarketGraph& g = graph.value();
  const risk::RiskRecord& r = scored.value();
  const std::size_t num_networks = r.networks.size();
  if (r.network.size() != g.num_entities() || r.roles.size() != g.num_entities() ||
      std::any_of(r.network.begin(), r.network.end(), [&](std::uint32_t c) { return c >= num_networks; }) ||
      r.communities_digest != community::membership_digest(detected.value().hierarchy.back().partition)) {
    return report_failure(Status::corrupt(o.run + ": graph.h5, communities.h5 and risk.h5 are not from the same run"));
  }

  // Per network: its id, members by kind, evidence rows, brands named.
  const std::vector<risk::NetworkId> ids = risk::network_ids(g.entities, r.network, num_networks);
  auto named = risk::network_brands(g.evidence, g.brands, r.network, num_networks, r.as_of);
  if (!named.is_ok()) return report_failure(Status::corrupt(o.run + "/graph.h5: " + named.status().message()));
  struct Summary {
    std::uint32_t members = 0, sellers = 0, warehouses = 0, accounts = 0, evidence = 0;
  };
  std::vector<Summary> summary(num_networks);
  for (graph::VertexId v = 0; v < g.num_entities(); ++v) {
    Summary& s = summary[r.network[v]];
    ++s.members;
    s.sellers += g.kind(v) == EntityKind::kSeller;
    s.warehouses += g.kind(v) == EntityKind::kWarehouse;
    s.accounts += g.kind(v) == EntityKind::kAccount;
  }
  for (std::size_t i = 0; i < g.evidence.size(); ++i) {
    if (g.evidence.day[i] <= r.as_of) ++summary[r.network[g.evidence.entity[i]]].evidence;
  }

  // What the export may show: every network, or those naming the brand
  // (as the service shows a brand's token); of those, the suspects at or
  // above min_risk, most suspect first, ties by id.
  const std::vector<std::string> brand_scope{o.brand};
  const std::vector<bool> visible = o.brand.empty() ? std::vector<bool>(num_networks, true)
                                                    : risk::networks_naming(named.value(), g.brands, brand_scope);
  std::vector<double> risks(num_networks);
  for (std::size_t c = 0; c < num_networks; ++c) risks[c] = r.networks[c].risk;
  std::vector<std::uint32_t> listed;
  for (std::uint32_t c : risk::networks_by_risk(risks, ids)) {
    if (visible[c] && r.networks[c].risk >= job.value().min_risk) listed.push_back(c);
  }

  std::error_code ec;
  fs::create_directories(o.out, ec);
  if (ec) return report_failure(Status::cannot_create(o.out + ": " + ec.message()));
  auto networks = tables::CsvWriter::create(
      (fs::path(o.out) / "networks.csv").string(),
      {"network", "risk", "members", "sellers", "warehouses", "accounts", "evidence", "brands", "reason"});
  if (!networks.is_ok()) return report_failure(networks.status());
  auto members = tables::CsvWriter::create((fs::path(o.out) / "members.csv").string(),
                                           {"network", "kind", "id", "role_hint", "risk"});
  if (!members.is_ok()) return report_failure(members.status());

  std::vector<std::vector<graph::VertexId>> member_lists(num_networks);
  for (graph::VertexId v = 0; v < g.num_entities(); ++v) member_lists[r.network[v]].push_back(v);
  std::uint64_t member_rows = 0;
  for (community::CommunityId c : listed) {
    const Summary& s = summary[c];
    std::string brands;
    for (std::uint32_t b : named.value().of(c)) {
      brands += (brands.empty() ? "" : ";") + std::string(graph::dictionary_entry(g.brands, b));
    }
    const std::string risk_text = fmt::format("{:.4f}", r.networks[c].risk);
    networks.value().field(risk::network_id_text(ids[c])).field(risk_text).field(std::uint64_t{s.members});
    networks.value().field(std::uint64_t{s.sellers}).field(std::uint64_t{s.warehouses}).field(std::uint64_t{s.accounts});
    networks.value().field(std::uint64_t{s.evidence}).field(brands).field(r.networks[c].reason);
    if (Status st = networks.value().end_row(); !st.is_ok()) return report_failure(st);
    for (graph::VertexId v : member_lists[c]) {
      members.value().field(risk::network_id_text(ids[c])).field(entity_kind_name(g.kind(v))).field(g.key(v));
      members.value().field(risk::role_name(r.roles[v])).field(fmt::format("{:.4f}", r.member_risk[v]));
      if (Status st = members.value().end_row(); !st.is_ok()) return report_failure(st);
      ++member_rows;
    }
  }
  // targets.csv: the global list as the export's viewer ranks it
  // (targets/target_scope.hpp): everyone by the global ranks, a brand 1..k
  // over its own networks' targets; rows of the listed networks only.
  auto target_rows = tables::CsvWriter::create((fs::path(o.out) / "targets.csv").string(),
                                               {"rank", "network", "kind", "id", "impact", "reason"});
  if (!target_rows.is_ok()) return report_failure(target_rows.status());
  const targets::TargetRecord& t = ranked.value();
  for (std::size_t i = 0; i < t.ranked.size(); ++i) {
    if (t.community[i] >= num_networks || t.ranked[i].target.vertex >= g.num_entities()) {
      return report_failure(Status::corrupt(o.run + "/targets.h5: a target outside the run's graph"));
    }
  }
  std::vector<bool> is_listed(num_networks, false);
  for (std::uint32_t c : listed) is_listed[c] = true;
  const std::vector<std::uint32_t> in_scope = targets::targets_in_scope(t.community, visible);
  std::uint64_t target_count = 0;
  for (std::size_t k = 0; k < in_scope.size(); ++k) {
    const std::uint32_t i = in_scope[k];
    const std::uint32_t c = t.community[i];
    const graph::VertexId v = t.ranked[i].target.vertex;
    if (!is_listed[c]) continue;
    const std::uint64_t rank = o.brand.empty() ? std::uint64_t{t.ranked[i].rank} : k + 1;
    target_rows.value().field(rank).field(risk::network_id_text(ids[c]));
    target_rows.value().field(entity_kind_name(g.kind(v))).field(g.key(v));
    target_rows.value().field(fmt::format("{:.4f}", t.ranked[i].target.impact)).field(t.ranked[i].target.reason);
    if (Status st = target_rows.value().end_row(); !st.is_ok()) return report_failure(st);
    ++target_count;
  }
  if (Status st = networks.value().publish(); !st.is_ok()) return report_failure(st);
  if (Status st = members.value().publish(); !st.is_ok()) return report_failure(st);
  if (Status st = target_rows.value().publish(); !st.is_ok()) return report_failure(st);
  progress.finish(fmt::format("export: {} networks at or above risk {:.2f}{}, {} members, {} targets -> {}",
                              listed.size(), job.value().min_risk,
                              o.brand.empty() ? "" : " naming brand " + o.brand, member_rows, target_count,
                              o.out));
  return kExitOk;
}

}  // namespace

void add_export_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ExportOptions>();
  CLI::App* cmd = app.add_subcommand("export", "Write a run folder's results as networks.csv, members.csv and targets.csv");
  cmd->add_option("RUN", o->run, "Run folder with graph.h5, communities.h5, risk.h5 and targets.h5")->required();
  cmd->add_option("--out", o->out, "Folder for the CSV files")->required();
  cmd->add_option("--job", o->job, "Job file (its [export] min_risk)");
  cmd->add_option("--brand", o->brand, "Only the networks whose evidence names this brand");
  cmd->callback([o, &exit_code] { exit_code = run_export(*o); });
}

}  // namespace sourcetrace::cli
