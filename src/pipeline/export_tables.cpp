// Export: the stage files of a run → networks.csv, members.csv, targets.csv, changes.csv.
#include "sourcetrace/pipeline/export_tables.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <unordered_set>

#include "sourcetrace/community/community_file.hpp"
#include "sourcetrace/risk/lineage_file.hpp"
#include "sourcetrace/risk/network_brands.hpp"
#include "sourcetrace/risk/network_id.hpp"
#include "sourcetrace/risk/network_tally.hpp"
#include "sourcetrace/risk/risk_file.hpp"
#include "sourcetrace/store/graph_file.hpp"
#include "sourcetrace/tables/csv_writer.hpp"
#include "sourcetrace/tables/fields.hpp"
#include "sourcetrace/targets/target_file.hpp"
#include "sourcetrace/targets/target_scope.hpp"

namespace sourcetrace::pipeline {

namespace fs = std::filesystem;


Result<ExportCounts> export_tables(const RunFolder& run, const ExportRequest& request) {
  auto scored = risk::read_scored_market(run.graph(), run.risk(), store::LayerRead::kNone);
  if (!scored.is_ok()) return scored.status();
  auto detected = community::read_communities_file(run.communities());
  if (!detected.is_ok()) return detected.status();
  auto tracked = risk::read_lineage_file(run.lineage());
  if (!tracked.is_ok()) return tracked.status();
  auto ranked = targets::read_targets_file(run.targets());
  if (!ranked.is_ok()) return ranked.status();

  const graph::MarketGraph& g = scored.value().graph;
  const risk::RiskRecord& r = scored.value().risk;
  const targets::TargetRecord& t = ranked.value();
  const risk::LineageRecord& lineage = tracked.value();
  const std::size_t num_networks = r.networks.size();
  const std::string dir = run.dir.string();
  if (r.network.size() != g.num_entities() || r.roles.size() != g.num_entities() ||
      std::any_of(r.network.begin(), r.network.end(), [&](std::uint32_t c) { return c >= num_networks; }) ||
      r.communities_digest != community::membership_digest(detected.value().hierarchy.back().partition)) {
    return Status::corrupt(dir + ": graph.h5, communities.h5 and risk.h5 are not from the same run");
  }
  if (lineage.networks.size() != num_networks) return Status::corrupt(dir + ": lineage.h5 and risk.h5 are not from the same run");
  for (std::size_t i = 0; i < t.ranked.size(); ++i) {
    if (t.community[i] >= num_networks || t.ranked[i].target.vertex >= g.num_entities()) {
      return Status::corrupt(dir + "/targets.h5: a target outside the run's graph");
    }
  }

  // Per network: its id, counts and brands, as the service shows them.
  std::vector<risk::NetworkId> ids(num_networks);
  for (std::size_t c = 0; c < num_networks; ++c) ids[c] = lineage.networks[c].id;
  auto named = risk::network_brands(g.evidence, g.brands, r.network, num_networks, r.as_of);
  if (!named.is_ok()) return Status::corrupt(dir + "/graph.h5: " + named.status().message());
  const std::vector<risk::NetworkTally> tally = risk::tally_networks(g.entities.tags, r.network, g.evidence, r.as_of,
                                                                     num_networks);

  // What the export may show: every network, or those naming the brand;
  // of those, the suspects at or above min_risk, most suspect first, ties by id.
  const std::vector<std::string> brand_scope{request.brand};
  const std::vector<bool> visible = request.brand.empty()
                                        ? std::vector<bool>(num_networks, true)
                                        : risk::networks_naming(named.value(), g.brands, brand_scope);
  std::vector<double> risks(num_networks);
  for (std::size_t c = 0; c < num_networks; ++c) risks[c] = r.networks[c].risk;
  std::vector<std::uint32_t> listed;
  std::vector<bool> is_listed(num_networks, false);
  for (std::uint32_t c : risk::networks_by_risk(risks, ids)) {
    if (visible[c] && r.networks[c].risk >= request.min_risk) {
      listed.push_back(c);
      is_listed[c] = true;
    }
  }

  // Ids the viewer may name: everyone all of them; a brand those of the
  // networks it sees tonight.
  std::unordered_set<risk::NetworkId> visible_ids;
  for (std::size_t c = 0; c < num_networks; ++c) {
    if (visible[c]) visible_ids.insert(ids[c]);
  }
  auto shown = [&](risk::NetworkId id) { return request.brand.empty() || visible_ids.contains(id); };

  std::error_code ec;
  fs::create_directories(request.out, ec);
  if (ec) return Status::cannot_create(request.out + ": " + ec.message());
  const fs::path out(request.out);
  auto networks = tables::CsvWriter::create(
      (out / "networks.csv").string(),
      {"network", "risk", "members", "sellers", "warehouses", "accounts", "evidence", "brands", "reason",
       "first_seen", "lineage"});
  if (!networks.is_ok()) return networks.status();
  auto members = tables::CsvWriter::create((out / "members.csv").string(),
                                           {"network", "kind", "id", "role_hint", "risk"});
  if (!members.is_ok()) return members.status();
  auto target_rows = tables::CsvWriter::create((out / "targets.csv").string(),
                                               {"rank", "network", "kind", "id", "impact", "reason"});
  if (!target_rows.is_ok()) return target_rows.status();

  ExportCounts counts;
  std::vector<std::vector<graph::VertexId>> member_lists(num_networks);
  for (graph::VertexId v = 0; v < g.num_entities(); ++v) member_lists[r.network[v]].push_back(v);
  for (std::uint32_t c : listed) {
    const risk::NetworkTally& s = tally[c];
    std::string brands;
    for (std::uint32_t b : named.value().of(c)) {
      brands += (brands.empty() ? "" : ";") + std::string(graph::dictionary_entry(g.brands, b));
    }
    const std::string id = risk::network_id_text(ids[c]);
    networks.value().field(id).field(fmt::format("{:.4f}", r.networks[c].risk)).field(std::uint64_t{s.members});
    networks.value().field(std::uint64_t{s.sellers}).field(std::uint64_t{s.warehouses}).field(std::uint64_t{s.accounts});
    networks.value().field(std::uint64_t{s.evidence}).field(brands).field(r.networks[c].reason);
    networks.value().field(tables::format_date(lineage.networks[c].first_seen));
    networks.value().field(risk::lineage_text(lineage.networks[c].lineage, shown));
    ST_RETURN_IF_ERROR(networks.value().end_row());
    ++counts.networks;
    for (graph::VertexId v : member_lists[c]) {
      members.value().field(id).field(entity_kind_name(g.kind(v))).field(g.key(v));
      members.value().field(risk::role_name(r.roles[v])).field(fmt::format("{:.4f}", r.member_risk[v]));
      ST_RETURN_IF_ERROR(members.value().end_row());
      ++counts.members;
    }
  }
  // targets.csv: the global list as the export's viewer ranks it: everyone
  // by the global ranks, a brand 1..k over its own networks' targets; rows
  // of the listed networks only.
  const std::vector<std::uint32_t> in_scope = targets::targets_in_scope(t.community, visible);
  for (std::size_t k = 0; k < in_scope.size(); ++k) {
    const std::uint32_t i = in_scope[k];
    const std::uint32_t c = t.community[i];
    if (!is_listed[c]) continue;
    const graph::VertexId v = t.ranked[i].target.vertex;
    const std::uint64_t rank = request.brand.empty() ? std::uint64_t{t.ranked[i].rank} : k + 1;
    target_rows.value().field(rank).field(risk::network_id_text(ids[c]));
    target_rows.value().field(entity_kind_name(g.kind(v))).field(g.key(v));
    target_rows.value().field(fmt::format("{:.4f}", t.ranked[i].target.impact)).field(t.ranked[i].target.reason);
    ST_RETURN_IF_ERROR(target_rows.value().end_row());
    ++counts.targets;
  }
  // changes.csv: every row for everyone; a brand the rows of the
  // networks it sees tonight, their partners cut to those it sees.
  auto change_rows = tables::CsvWriter::create(
      (out / "changes.csv").string(), {"network", "change", "others", "members_before", "members_after", "risk_before",
                                       "risk_after", "new_evidence"});
  if (!change_rows.is_ok()) return change_rows.status();
  for (const risk::ChangeRow& row : lineage.changes) {
    if (!shown(row.id)) continue;
    std::string others;
    for (risk::NetworkId other : row.others) {
      if (shown(other)) others += (others.empty() ? "" : ";") + risk::network_id_text(other);
    }
    change_rows.value().field(risk::network_id_text(row.id)).field(risk::network_change_name(row.change)).field(others);
    change_rows.value().field(std::uint64_t{row.members_before}).field(std::uint64_t{row.members_after});
    change_rows.value().field(fmt::format("{:.4f}", row.risk_before)).field(fmt::format("{:.4f}", row.risk_after));
    change_rows.value().field(std::uint64_t{row.new_evidence});
    ST_RETURN_IF_ERROR(change_rows.value().end_row());
    ++counts.changes;
  }
  // alerts.csv: ranked as lineage.h5 ranks them; a brand's 1..k over the
  // networks it sees.
  auto alert_rows = tables::CsvWriter::create((out / "alerts.csv").string(),
                                              {"rank", "alert", "network", "kind", "id", "risk", "reason"});
  if (!alert_rows.is_ok()) return alert_rows.status();
  for (const risk::Alert& a : lineage.alerts) {
    if (!shown(a.network)) continue;
    if (a.entity != risk::Alert::kNoEntity && a.entity >= g.num_entities()) {
      return Status::corrupt(dir + "/lineage.h5: an alert on an entity outside the run's graph");
    }
    const bool on_entity = a.entity != risk::Alert::kNoEntity;
    alert_rows.value().field(counts.alerts + 1).field(risk::alert_kind_name(a.kind)).field(risk::network_id_text(a.network));
    alert_rows.value().field(on_entity ? entity_kind_name(g.kind(a.entity)) : std::string_view());
    alert_rows.value().field(on_entity ? g.key(a.entity) : std::string_view());
    alert_rows.value().field(fmt::format("{:.4f}", a.risk)).field(a.reason);
    ST_RETURN_IF_ERROR(alert_rows.value().end_row());
    ++counts.alerts;
  }
  ST_RETURN_IF_ERROR(networks.value().publish());
  ST_RETURN_IF_ERROR(members.value().publish());
  ST_RETURN_IF_ERROR(target_rows.value().publish());
  ST_RETURN_IF_ERROR(change_rows.value().publish());
  ST_RETURN_IF_ERROR(alert_rows.value().publish());
  return counts;
}

}  // namespace sourcetrace::pipeline
