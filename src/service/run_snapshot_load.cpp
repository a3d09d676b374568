// RunSnapshot::load: read a complete run folder once and precompute, in
// the order that frees each stage's arrays as soon as they are folded in.
#include <fmt/format.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <tuple>
#include <unordered_map>

#include "sourcetrace/pipeline/run_folder.hpp"
#include "sourcetrace/risk/lineage_file.hpp"
#include "sourcetrace/risk/network_brands.hpp"
#include "sourcetrace/risk/network_id.hpp"
#include "sourcetrace/risk/network_tally.hpp"
#include "sourcetrace/risk/risk_file.hpp"
#include "sourcetrace/service/run_snapshot.hpp"
#include "sourcetrace/store/graph_file.hpp"
#include "sourcetrace/store/run_file.hpp"
#include "sourcetrace/store/run_manifest.hpp"
#include "sourcetrace/tables/contract.hpp"
#include "sourcetrace/targets/target_file.hpp"

namespace sourcetrace::service {

namespace fs = std::filesystem;

namespace {

// Offsets of a CSR from its per-row counts.
std::vector<std::uint32_t> offsets_from_counts(const std::vector<std::uint32_t>& counts) {
  std::vector<std::uint32_t> offsets(counts.size() + 1, 0);
  std::partial_sum(counts.begin(), counts.end(), offsets.begin() + 1);
  return offsets;
}

}  // namespace

class RunSnapshot::Loader {
 public:
  static Result<std::shared_ptr<const RunSnapshot>> load(const std::string& run_dir);

 private:
  Loader(RunSnapshot& s, const std::string& run_dir) : s_(s), dir_(run_dir), run_{dir_} {}
  Status read_run_info();
  Status take_risk_and_graph();
  Status take_lineage(risk::LineageRecord tracked, const std::vector<risk::NetworkId>& ids, graph::VertexId entities);
  void count_members(const graph::EvidenceTable& evidence, tables::Day as_of);
  Status count_evidence(const graph::EvidenceTable& evidence, tables::Day as_of);
  void take_timeline(std::vector<TimelineRow> rows);
  Status count_layer_edges();
  void index_brands();
  Status take_targets(targets::TargetRecord record);

  RunSnapshot& s_;
  fs::path dir_;
  pipeline::RunFolder run_;  // its files
};

Result<std::shared_ptr<const RunSnapshot>> RunSnapshot::load(const std::string& run_dir) {
  return Loader::load(run_dir);
}

Result<std::shared_ptr<const RunSnapshot>> RunSnapshot::Loader::load(const std::string& run_dir) {
  // A snapshot let go (a publish swapped it out and its last call ended)
  // hands its pages back as well, so that a server publishing every night
  // does not keep the old runs' memory in glibc's heap.
  std::shared_ptr<RunSnapshot> snapshot(new RunSnapshot(), [](RunSnapshot* gone) {
    delete gone;
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
  });
  Loader loader(*snapshot, run_dir);
  ST_RETURN_IF_ERROR(loader.read_run_info());
  auto ranked = targets::read_targets_file(loader.run_.targets());
  if (!ranked.is_ok()) return ranked.status();
  ST_RETURN_IF_ERROR(loader.take_risk_and_graph());
  ST_RETURN_IF_ERROR(loader.take_targets(std::move(ranked).value()));
#if defined(__GLIBC__)
  // Once a large array is freed, glibc raises its mmap threshold, so the
  // stage files' later arrays came from the heap and stay there when
  // freed: hand the pages back, or a served 200k-seller run keeps twice
  // what it holds.
  malloc_trim(0);
#endif
  return std::shared_ptr<const RunSnapshot>(std::move(snapshot));
}

Status RunSnapshot::Loader::read_run_info() {
  // Only a finished run: `run` writes the manifest last (store/run_manifest.hpp).
  auto manifest = store::read_run_manifest(dir_.string());
  if (!manifest.is_ok()) {
    if (manifest.status().code() == Status::Code::kNotFound) return manifest.status();
    return Status::not_found(dir_.string() + ": not a complete run: " + manifest.status().message());
  }
  // Every file read here as the run wrote it, checked before HDF5 opens
  // any (docs/integrity.md): a changed or damaged file is refused by name.
  // (The stage readers check again: 35 ms on a 1M-seller run.)
  ST_RETURN_IF_ERROR(store::verify_run_files(dir_.string(), {"summary.json", "targets.h5", "lineage.h5", "risk.h5", "graph.h5"}));
  api::RunInfo& info = s_.info_;
  const fs::path normal = dir_.lexically_normal();
  info.run = (normal.has_filename() ? normal.filename() : normal.parent_path().filename()).string();
  info.created = manifest.value().created;
  info.engine = manifest.value().engine;
  info.engine_build = manifest.value().engine_build;
  info.published = store::utc_now();
  const fs::path summary_path = run_.summary();
  std::ifstream in(summary_path, std::ios::binary);
  if (!in) return Status::missing_input(summary_path.string() + ": cannot open");
  try {
    const nlohmann::json summary = nlohmann::json::parse(in);
    info.dataset_digest = summary.at("inputs").at("dataset_digest").get<std::string>();
    info.parameters_json = summary.at("parameters").dump();
    // Runs from before [trace] keep the default.
    const nlohmann::json& parameters = summary.at("parameters");
    if (parameters.contains("trace") && parameters["trace"].contains("max_fanout")) {
      s_.trace_max_fanout_ = parameters["trace"]["max_fanout"].get<int>();
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::corrupt(summary_path.string() + ": not a run summary: " + e.what());
  }
  return Status::ok();
}

// First-seen dates, lineages, changes and alerts, each alert with its network.
Status RunSnapshot::Loader::take_lineage(risk::LineageRecord tracked, const std::vector<risk::NetworkId>& ids,
                                         graph::VertexId entities) {
  std::unordered_map<risk::NetworkId, std::uint32_t> network_of_id;
  for (std::uint32_t c = 0; c < ids.size(); ++c) network_of_id[ids[c]] = c;
  for (const risk::NetworkHistory& h : tracked.networks) {
    s_.first_seen_.push_back(h.first_seen);
    s_.lineage_.insert(s_.lineage_.end(), h.lineage.begin(), h.lineage.end());
    s_.lineage_offsets_.push_back(static_cast<std::uint32_t>(s_.lineage_.size()));
  }
  for (const risk::Alert& a : tracked.alerts) {
    const auto it = network_of_id.find(a.network);
    if (it == network_of_id.end() || (a.entity != risk::Alert::kNoEntity && a.entity >= entities)) {
      return Status::corrupt(dir_.string() + "/lineage.h5: an alert outside the run's networks or graph");
    }
    s_.alert_network_.push_back(it->second);
  }
  s_.changes_ = std::move(tracked.changes);
  s_.alerts_ = std::move(tracked.alerts);
  s_.previous_run_ = std::move(tracked.previous_run);
  return Status::ok();
}

Status RunSnapshot::Loader::take_risk_and_graph() {
  // The graph's evidence with the feedback score took, as export counts it.
  auto scored = risk::read_scored_market(run_.graph(), run_.risk());
  if (!scored.is_ok()) return scored.status();
  risk::RiskRecord r = std::move(scored.value().risk);
  r.scores = {};
  r.suspicion = {};
  graph::MarketGraph g = std::move(scored.value().graph);
  const graph::VertexId n = g.num_entities();
  const std::size_t num_networks = r.networks.size();
  if (r.network.size() != n || r.roles.size() != n || r.member_risk.size() != n ||
      std::any_of(r.network.begin(), r.network.end(), [&](std::uint32_t c) { return c >= num_networks; })) {
    return Status::corrupt(dir_.string() + ": graph.h5 and risk.h5 are not from the same run");
  }
  s_.network_of_ = std::move(r.network);
  s_.role_ = std::move(r.roles);
  s_.member_risk_ = std::move(r.member_risk);
  s_.info_.entities = n;
  s_.info_.networks = static_cast<std::int64_t>(num_networks);
  s_.networks_.resize(num_networks);
  for (std::size_t c = 0; c < num_networks; ++c) {
    s_.networks_[c].risk = r.networks[c].risk;
    s_.reason_bytes_ += r.networks[c].reason;
    s_.reason_offsets_.push_back(s_.reason_bytes_.size());
  }
  r.networks = {};

  // The run's ids (lineage.h5, risk/network_lineage.hpp), the same ones export and eval show.
  auto tracked = risk::read_lineage_file(run_.lineage());
  if (!tracked.is_ok()) return tracked.status();
  if (tracked.value().networks.size() != num_networks) {
    return Status::corrupt(dir_.string() + ": lineage.h5 and risk.h5 are not from the same run");
  }
  std::vector<risk::NetworkId> ids(num_networks);
  for (std::size_t c = 0; c < num_networks; ++c) ids[c] = s_.networks_[c].id = tracked.value().networks[c].id;
  ST_RETURN_IF_ERROR(take_lineage(std::move(tracked).value(), ids, n));
  s_.by_id_.resize(num_networks);
  std::iota(s_.by_id_.begin(), s_.by_id_.end(), 0u);
  std::sort(s_.by_id_.begin(), s_.by_id_.end(), [&](std::uint32_t a, std::uint32_t b) { return ids[a] < ids[b]; });

  auto named = risk::network_brands(g.evidence, g.brands, s_.network_of_, num_networks, r.as_of);
  if (!named.is_ok()) return Status::corrupt(dir_.string() + "/graph.h5: " + named.status().message());
  s_.network_brand_offsets_ = std::move(named.value().offsets);
  s_.network_brands_ = std::move(named.value().brands);
  s_.keys_ = std::move(g.entities);
  s_.brands_ = graph::KeyIndex::from(std::move(g.brands));
  index_brands();
  // count_evidence checks the rows first: the tally trusts them.
  ST_RETURN_IF_ERROR(count_evidence(g.evidence, r.as_of));
  count_members(g.evidence, r.as_of);
  g.evidence = {};
  // Layers in the contract's order (seller, warehouse, payment, shipment),
  // the order neighbours are listed in and paths name their links by.
  std::stable_sort(g.layers.begin(), g.layers.end(),
                   [](const graph::Layer& a, const graph::Layer& b) { return a.id < b.id; });
  s_.adjacency_ = LayeredAdjacency::merge(std::move(g.layers), n);
  g = {};
  ST_RETURN_IF_ERROR(count_layer_edges());
  s_.lookup_ = EntityLookup(s_.keys_);

  // Networks by risk (ties by id, as networks.csv), and per brand.
  std::vector<double> risks(num_networks);
  for (std::size_t c = 0; c < num_networks; ++c) risks[c] = s_.networks_[c].risk;
  s_.by_risk_ = risk::networks_by_risk(risks, ids);
  std::vector<std::uint32_t> per_brand(s_.brands_.size(), 0);
  for (std::uint32_t brand : s_.network_brands_) ++per_brand[brand];
  s_.brand_network_offsets_ = offsets_from_counts(per_brand);
  s_.brand_networks_.resize(s_.network_brands_.size());
  std::vector<std::uint32_t> cursor(s_.brand_network_offsets_.begin(), s_.brand_network_offsets_.end() - 1);
  for (std::uint32_t c : s_.by_risk_) {
    for (std::uint32_t i = s_.network_brand_offsets_[c]; i < s_.network_brand_offsets_[c + 1]; ++i) {
      s_.brand_networks_[cursor[s_.network_brands_[i]]++] = c;
    }
  }
  return Status::ok();
}

// Each brand's place in name order: lists name brands alphabetically, as
// networks.csv does.
void RunSnapshot::Loader::index_brands() {
  const std::uint32_t count = s_.brands_.size();
  std::vector<std::uint32_t> by_name(count);
  std::iota(by_name.begin(), by_name.end(), 0u);
  std::sort(by_name.begin(), by_name.end(),
            [&](std::uint32_t a, std::uint32_t b) { return s_.brands_.key(a) < s_.brands_.key(b); });
  s_.brand_order_.assign(count, 0);
  for (std::uint32_t i = 0; i < count; ++i) s_.brand_order_[by_name[i]] = i;
}

// What networks.csv counts (risk/network_tally.hpp), and each network's
// members in vertex order.
void RunSnapshot::Loader::count_members(const graph::EvidenceTable& evidence, tables::Day as_of) {
  const auto n = static_cast<std::uint32_t>(s_.network_of_.size());
  const std::vector<risk::NetworkTally> tally =
      risk::tally_networks(s_.keys_.tags, s_.network_of_, evidence, as_of, s_.networks_.size());
  std::vector<std::uint32_t> counts(s_.networks_.size(), 0);
  for (std::size_t c = 0; c < tally.size(); ++c) {
    NetworkInfo& info = s_.networks_[c];
    info.members = tally[c].members;
    info.sellers = tally[c].sellers;
    info.warehouses = tally[c].warehouses;
    info.accounts = tally[c].accounts;
    info.evidence = tally[c].evidence;
    counts[c] = tally[c].members;
  }
  s_.member_offsets_ = offsets_from_counts(counts);
  s_.members_.resize(n);
  std::vector<std::uint32_t> cursor(s_.member_offsets_.begin(), s_.member_offsets_.end() - 1);
  for (std::uint32_t v = 0; v < n; ++v) s_.members_[cursor[s_.network_of_[v]]++] = v;
}

// Evidence as of the run date, as the risk stage and networks.csv count it:
// per entity and per network by (signal, brand), and the network's rows.
Status RunSnapshot::Loader::count_evidence(const graph::EvidenceTable& evidence, tables::Day as_of) {
  std::vector<EvidenceGroup> rows;
  std::vector<TimelineRow> timeline;
  for (std::size_t i = 0; i < evidence.size(); ++i) {
    if (evidence.entity[i] >= s_.network_of_.size() || evidence.brand[i] >= s_.brands_.size() ||
        evidence.signal[i] >= tables::kSignalNames.size()) {
      return Status::corrupt(dir_.string() + "/graph.h5: an evidence row outside the graph or its dictionaries");
    }
    if (evidence.day[i] > as_of) continue;
    rows.push_back({evidence.entity[i], evidence.brand[i], 1, evidence.signal[i]});
    timeline.push_back({evidence.entity[i], evidence.brand[i], evidence.day[i], evidence.signal[i]});
  }
  take_timeline(std::move(timeline));
  const std::vector<std::uint32_t>& order = s_.brand_order_;
  auto key = [&](const EvidenceGroup& e) { return std::tuple(e.owner, e.signal, order[e.brand]); };
  auto group = [&](std::vector<EvidenceGroup>& list) {
    std::sort(list.begin(), list.end(), [&](const auto& a, const auto& b) { return key(a) < key(b); });
    std::vector<EvidenceGroup> merged;
    for (const EvidenceGroup& e : list) {
      if (!merged.empty() && key(merged.back()) == key(e)) {
        merged.back().rows += e.rows;
      } else {
        merged.push_back(e);
      }
    }
    return merged;
  };
  s_.entity_evidence_ = group(rows);
  rows = s_.entity_evidence_;
  for (EvidenceGroup& e : rows) e.owner = s_.network_of_[e.owner];
  s_.network_evidence_ = group(rows);
  return Status::ok();
}

// Each network's rows by (day, entity, signal, brand name): its timeline.
void RunSnapshot::Loader::take_timeline(std::vector<TimelineRow> rows) {
  const std::vector<std::uint32_t>& order = s_.brand_order_;
  auto key = [&](const TimelineRow& r) { return std::tuple(s_.network_of_[r.entity], r.day, r.entity, r.signal, order[r.brand]); };
  std::sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) { return key(a) < key(b); });
  std::vector<std::uint32_t> counts(s_.networks_.size(), 0);
  for (const TimelineRow& r : rows) ++counts[s_.network_of_[r.entity]];
  s_.timeline_offsets_ = offsets_from_counts(counts);
  s_.timeline_ = std::move(rows);
}

// Per network and layer, the edges with both ends inside (each counted
// once, from its lower end).
Status RunSnapshot::Loader::count_layer_edges() {
  const LayeredAdjacency& a = s_.adjacency_;
  const std::size_t layers = a.num_layers();
  s_.layer_edges_.assign(s_.networks_.size() * layers, 0);
  for (graph::VertexId v = 0; v < a.num_vertices(); ++v) {
    const std::uint32_t c = s_.network_of_[v];
    for (std::uint64_t arc = a.begin(v); arc < a.end(v); ++arc) {
      const graph::VertexId w = a.target(arc);
      if (w >= a.num_vertices()) return Status::corrupt(dir_.string() + "/graph.h5: an edge to a vertex outside the graph");
      if (w > v && s_.network_of_[w] == c) ++s_.layer_edges_[c * layers + a.layer(arc)];
    }
  }
  return Status::ok();
}

Status RunSnapshot::Loader::take_targets(targets::TargetRecord record) {
  const std::size_t count = record.ranked.size();
  if (record.community.size() != count) return Status::corrupt(dir_.string() + "/targets.h5: arrays of unequal length");
  std::vector<std::uint32_t> per_network(s_.networks_.size(), 0);
  for (std::size_t i = 0; i < count; ++i) {
    const targets::RankedTarget& t = record.ranked[i];
    if (record.community[i] >= s_.networks_.size() || t.target.vertex >= s_.network_of_.size() ||
        (i > 0 && t.rank <= record.ranked[i - 1].rank)) {
      return Status::corrupt(dir_.string() + "/targets.h5: a target outside the run's graph, or out of rank order");
    }
    s_.targets_.push_back({t.rank, t.target.vertex, t.target.role, t.target.impact, t.target.marginal});
    s_.target_network_.push_back(record.community[i]);
    s_.target_reason_bytes_ += t.target.reason;
    s_.target_reason_offsets_.push_back(s_.target_reason_bytes_.size());
    ++per_network[record.community[i]];
  }
  s_.network_target_offsets_ = offsets_from_counts(per_network);
  s_.network_targets_.resize(count);
  std::vector<std::uint32_t> cursor(s_.network_target_offsets_.begin(), s_.network_target_offsets_.end() - 1);
  for (std::size_t i = 0; i < count; ++i) s_.network_targets_[cursor[s_.target_network_[i]]++] = static_cast<std::uint32_t>(i);
  return Status::ok();
}

}  // namespace sourcetrace::service
