// RunSnapshot: one published batch run in memory, and every query on it.
//
// The query service answers investigators from a finished run folder
// (docs/run-h5.md): the networks and their members, an entity and its
// neighbours, the shortest paths between two entities, the target list.
// load() reads the run once and precomputes what every answer needs, so a
// query is a lookup, a slice or a bounded search; nothing is mutable after
// load, so any number of threads query one snapshot without locks, and a
// newly published run is a new snapshot swapped in whole.
//
// Per entity the snapshot keeps flat arrays only (kind and key, network,
// role, member risk, its row of the merged adjacency, lookup slots of 4
// bytes), no strings or maps: the benchmark serves a 1M-seller run, and
// graph.h5's event counts and directed arcs, which no answer shows, are
// dropped. Per network it keeps what networks.csv shows (its opaque id,
// risk/network_id.hpp, and its counts as `sourcetrace export` counts them:
// evidence rows dated on or before the risk stage's as-of date, and the
// brands they name, risk/network_brands.hpp), its members in
// vertex order (as members.csv), its evidence by (signal, brand), its
// edges with both ends inside per layer, and its targets. Entities' own
// evidence counts use the same as-of date. Every network of risk.h5 is
// served, the rests of communities included; NetworkFilter::min_risk
// narrows a list to the job's suspects.
//
// Access: every query takes the caller's Scope. Whatever the scope may not
// see — a network, an entity, a neighbour, a path through it, a target —
// is answered exactly like something that does not exist: api::NotFound
// for a direct lookup, silently absent from lists and searches, whose
// totals count only what is visible; run_info's totals too, and target
// ranks are renumbered 1..k over the visible targets
// (targets/target_scope.hpp), so that nothing counts what the scope may
// not see. Network ids are opaque and the same for every scope, so they do
// not count either. A parameter outside Limits throws
// api::BadRequest naming the parameter and the limit; a search past the
// deadline throws api::ServerBusy. A negative offset is a BadRequest with
// limit 0 (the lower bound); an offset past the end gives an empty page.
//
// A run folder is taken as written by `sourcetrace run`: the manifest says
// it is complete, and the stage files are checked for matching sizes, not
// re-digested (`sourcetrace publish` verifies the digests before a run is
// served).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sourcetrace/graph/key_index.hpp"
#include "sourcetrace/risk/lineage_file.hpp"
#include "sourcetrace/risk/network_id.hpp"
#include "sourcetrace/risk/role.hpp"
#include "sourcetrace/service/api/investigator_types.h"
#include "sourcetrace/service/entity_lookup.hpp"
#include "sourcetrace/service/layered_adjacency.hpp"
#include "sourcetrace/service/visibility.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::service {

// What a caller may see: everything (investigators), or the networks whose
// evidence names one of `brands` (a brand's token).
struct Scope {
  bool everything = false;
  std::vector<std::string> brands;
};

// The server's bounds on one call.
struct Limits {
  int max_page = 1000;               // list, neighbour and target pages
  int max_hops = 6;                  // path length
  int max_paths = 16;                // paths returned
  std::int64_t max_visited = 200000; // entities one path search (or trace) may visit
  int max_graph_nodes = 2000;        // nodes of one network graph
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

class RunSnapshot {
 public:
  // Loads a complete run folder (its manifest.json must be there: a run
  // still going or killed is refused), checks that its stage files belong
  // together, and precomputes the answers' parts.
  static Result<std::shared_ptr<const RunSnapshot>> load(const std::string& run_dir);

  RunSnapshot(const RunSnapshot&) = delete;
  RunSnapshot& operator=(const RunSnapshot&) = delete;

  // The run, with its totals (networks, entities) over what the scope sees.
  api::RunInfo run_info(const Scope& scope) const;

  // Networks matching `filter` that the scope sees, most suspect first
  // (ties by network id); one page of at most `limit`.
  api::NetworkPage list_networks(const Scope& scope, const api::NetworkFilter& filter, int offset, int limit,
                                 const Limits& limits) const;
  // A network (its id, "N" and 16 hex digits) with its members, evidence, targets and edges per layer.
  api::NetworkDetail network(const Scope& scope, const std::string& id, const Limits& limits) const;
  // An entity, its evidence and one page of its visible neighbours (all
  // layers, by layer then neighbour id).
  api::EntityDetail entity(const Scope& scope, const api::EntityRef& ref, int offset, int limit,
                           const Limits& limits) const;
  // The shortest paths from `a` to `b` (path_search.hpp) through visible
  // entities; each step names the first layer linking its ends (seller,
  // warehouse, payment, shipment) and that layer's weight. `a` == `b` is
  // one path of no steps. A search that visits more than
  // limits.max_visited entities gives up: no paths, hops 0, and `visited`
  // above the limit says so.
  api::PathResult paths(const Scope& scope, const api::EntityRef& a, const api::EntityRef& b, int max_hops,
                        int max_paths, const Limits& limits) const;
  // A network as a graph (service/investigator.thrift NetworkGraph): all
  // its members when it has at most `max_nodes` (0: limits.max_graph_nodes),
  // else its targets and their neighbours inside it, up to `max_nodes`;
  // the edges between them, one per (pair, layer) and one per direction
  // that carries flow on directed layers; its evidence, oldest first.
  api::NetworkGraph network_graph(const Scope& scope, const std::string& id, int max_nodes,
                                  const Limits& limits) const;
  // From `ref`: goods upstream and downstream along shipments, money
  // onward along payments (supply_trace.hpp), through visible entities,
  // hubs past the run's [trace] max_fanout not expanded.
  api::Trace trace(const Scope& scope, const api::EntityRef& ref, int max_hops, const Limits& limits) const;
  // The global target list, restricted to visible networks and ranked 1..k
  // over them (a brand's ranks count only its own targets); one page.
  api::TargetPage targets(const Scope& scope, int offset, int limit, const Limits& limits) const;
  // The target of rank `rank` (1-based) as the scope ranks them.
  api::Target target(const Scope& scope, int rank) const;
  // What changed since the previous run (lineage.h5's rows, changes.csv's
  // order): for a brand, the rows of networks it sees tonight, with their
  // partners cut to those it sees; one page.
  api::ChangePage changes(const Scope& scope, int offset, int limit, const Limits& limits) const;
  // The night's alerts on networks the scope sees, ranked 1..k over them; one page.
  api::AlertPage alerts(const Scope& scope, int offset, int limit, const Limits& limits) const;

  // The members a verdict on network `id` labels, as "kind:id": those whose
  // role hint is not legit. NotFound when the run has no such network.
  std::vector<std::string> verdict_members(const std::string& id) const;

  // Sizes, for tests and the memory report.
  std::uint32_t num_entities() const { return static_cast<std::uint32_t>(network_of_.size()); }
  std::uint32_t num_networks() const { return static_cast<std::uint32_t>(networks_.size()); }
  std::size_t bytes() const;

 private:
  RunSnapshot() = default;
  class Loader;

  struct NetworkInfo {
    risk::NetworkId id = 0;
    double risk = 0;
    std::uint32_t members = 0, sellers = 0, warehouses = 0, accounts = 0, evidence = 0;
  };
  // Evidence rows grouped by (owner, signal, brand): owner is an entity or
  // a network; sorted by owner, signal, brand name.
  struct EvidenceGroup {
    std::uint32_t owner = 0, brand = 0, rows = 0;
    std::uint8_t signal = 0;
  };
  struct TimelineRow {
    std::uint32_t entity = 0, brand = 0;
    std::int32_t day = 0;
    std::uint8_t signal = 0;
  };
  struct TargetRow {
    std::uint32_t rank = 0;
    graph::VertexId entity = 0;
    risk::Role role = risk::Role::kLegit;
    double impact = 0, marginal = 0;
  };

  Visibility visibility(const Scope& scope) const;
  graph::VertexId find_entity(const Visibility& visible, const api::EntityRef& ref) const;
  api::EntityRef entity_ref(graph::VertexId v) const;
  api::NetworkSummary summary(const Visibility& visible, std::uint32_t c) const;
  std::optional<std::uint32_t> find_network(const std::string& id) const;
  std::optional<std::uint32_t> find_network(risk::NetworkId id) const;
  api::Target target_at(std::size_t index, std::int64_t rank) const;
  // Ids of tonight's networks the scope sees (an id of a network gone tonight: none).
  bool id_visible(const Visibility& visible, risk::NetworkId id) const;
  api::NetworkChange change_at(const Visibility& visible, std::size_t index) const;
  std::string lineage_text(const Visibility& visible, std::uint32_t c) const;
  // The network's targets as (index into targets_, rank as the scope ranks them).
  std::vector<std::pair<std::uint32_t, std::int64_t>> ranked_targets(const Visibility& visible,
                                                                     std::uint32_t c) const;
  std::vector<api::EvidenceCount> evidence_counts(const std::vector<EvidenceGroup>& groups,
                                                  std::uint32_t owner) const;

  api::RunInfo info_;
  // Entities, by graph.h5's vertex id.
  graph::KeyIndex::Blob keys_;  // kind tag and identifier
  EntityLookup lookup_;
  std::vector<std::uint32_t> network_of_;
  std::vector<risk::Role> role_;
  std::vector<double> member_risk_;
  LayeredAdjacency adjacency_;
  std::vector<EvidenceGroup> entity_evidence_;
  // The brand dictionary (entry 0 = none) and each brand's place by name.
  graph::KeyIndex brands_;
  std::vector<std::uint32_t> brand_order_;
  // Networks, by index; lists as offsets + values (CSR).
  std::vector<NetworkInfo> networks_;
  std::vector<std::uint64_t> reason_offsets_{0};
  std::string reason_bytes_;
  std::vector<std::uint32_t> network_brand_offsets_{0}, network_brands_;   // brand ids by name
  std::vector<std::uint32_t> member_offsets_{0}, members_;                 // vertex ids ascending
  std::vector<std::uint32_t> network_target_offsets_{0}, network_targets_;  // target rows by rank
  std::vector<std::uint64_t> layer_edges_;  // network × layer: edges with both ends inside
  std::vector<EvidenceGroup> network_evidence_;
  // Per network, its evidence rows as of the run (CSR), by day then entity:
  // the timeline.
  std::vector<std::uint32_t> timeline_offsets_{0};
  std::vector<TimelineRow> timeline_;
  int trace_max_fanout_ = 25;  // the run's [trace] max_fanout
  std::vector<std::uint32_t> by_id_;    // networks by id, for lookups
  std::vector<std::uint32_t> by_risk_;  // networks most suspect first, ties by id
  std::vector<std::uint32_t> brand_network_offsets_{0}, brand_networks_;  // per brand, by risk
  // Per network: first-seen date and lineage (CSR); the run's changes and
  // alerts (lineage.h5), each alert's network.
  std::vector<tables::Day> first_seen_;
  std::vector<std::uint32_t> lineage_offsets_{0};
  std::vector<risk::LineageEntry> lineage_;
  std::vector<risk::ChangeRow> changes_;
  std::vector<risk::Alert> alerts_;
  std::vector<std::uint32_t> alert_network_;
  std::string previous_run_;
  // The global target list, in rank order, and each target's network.
  std::vector<TargetRow> targets_;
  std::vector<std::uint32_t> target_network_;
  std::vector<std::uint64_t> target_reason_offsets_{0};
  std::string target_reason_bytes_;
};

}  // namespace sourcetrace::service
