// RunSnapshot's queries: check the parameters, ask Visibility, slice.
#include "sourcetrace/service/run_snapshot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <cmath>
#include <optional>
#include <unordered_map>

#include "sourcetrace/risk/network_id.hpp"
#include "sourcetrace/service/path_search.hpp"
#include "sourcetrace/service/supply_trace.hpp"
#include "sourcetrace/targets/target_scope.hpp"
#include "sourcetrace/tables/contract.hpp"
#include "sourcetrace/tables/fields.hpp"

namespace sourcetrace::service {

namespace {

[[noreturn]] void bad_request(std::string message, std::string parameter, std::int64_t limit) {
  api::BadRequest e;
  e.message = std::move(message);
  e.parameter = std::move(parameter);
  e.limit = limit;
  throw e;
}

// Hidden and absent are answered alike: the message names only what was asked.
[[noreturn]] void not_found(std::string message) {
  api::NotFound e;
  e.message = std::move(message);
  throw e;
}

// `offset` at least 0 (its limit is that bound); `limit` within [0, max_page].
void check_page(int offset, int limit, const Limits& limits, const char* offset_name, const char* limit_name) {
  if (offset < 0) bad_request(fmt::format("{} must not be negative (got {})", offset_name, offset), offset_name, 0);
  if (limit < 0 || limit > limits.max_page) {
    bad_request(fmt::format("{} must be between 0 and {} (got {})", limit_name, limits.max_page, limit), limit_name,
                limits.max_page);
  }
}

}  // namespace

// A lookup by id costs the same whether the network is there or not; the
// caller then asks Visibility, so a hidden network is refused exactly like
// an absent one.
std::optional<std::uint32_t> RunSnapshot::find_network(const std::string& id) const {
  const std::optional<risk::NetworkId> wanted = risk::parse_network_id(id);
  if (!wanted) return std::nullopt;
  return find_network(*wanted);
}

std::optional<std::uint32_t> RunSnapshot::find_network(risk::NetworkId id) const {
  const auto it = std::lower_bound(by_id_.begin(), by_id_.end(), id,
                                   [&](std::uint32_t c, risk::NetworkId w) { return networks_[c].id < w; });
  if (it == by_id_.end() || networks_[*it].id != id) return std::nullopt;
  return *it;
}

Visibility RunSnapshot::visibility(const Scope& scope) const {
  if (scope.everything) return Visibility(network_of_);
  std::vector<bool> seen(networks_.size(), false);
  for (const std::string& brand : scope.brands) {
    const std::uint32_t b = brands_.find(0, brand);
    if (b == graph::KeyIndex::kAbsent || b == 0) continue;
    for (std::uint32_t i = brand_network_offsets_[b]; i < brand_network_offsets_[b + 1]; ++i) {
      seen[brand_networks_[i]] = true;
    }
  }
  return Visibility(network_of_, std::move(seen));
}

graph::VertexId RunSnapshot::find_entity(const Visibility& visible, const api::EntityRef& ref) const {
  const std::optional<EntityKind> kind = parse_entity_kind(ref.kind);
  if (!kind) {
    bad_request(fmt::format("entity kind must be seller, warehouse, account or brand (got \"{}\")", ref.kind),
                "kind", 0);
  }
  const std::uint32_t v = lookup_.find(static_cast<std::uint8_t>(*kind), ref.id);
  if (v == graph::KeyIndex::kAbsent || !visible.entity(v)) not_found(fmt::format("no entity {}:{}", ref.kind, ref.id));
  return v;
}

api::EntityRef RunSnapshot::entity_ref(graph::VertexId v) const {
  api::EntityRef ref;
  ref.kind = entity_kind_name(static_cast<EntityKind>(keys_.tags[v]));
  ref.id.assign(keys_.bytes.data() + keys_.offsets[v], keys_.offsets[v + 1] - keys_.offsets[v]);
  return ref;
}

api::NetworkSummary RunSnapshot::summary(const Visibility& visible, std::uint32_t c) const {
  const NetworkInfo& n = networks_[c];
  api::NetworkSummary s;
  s.network = risk::network_id_text(n.id);
  s.risk = n.risk;
  s.members = static_cast<std::int32_t>(n.members);
  s.sellers = static_cast<std::int32_t>(n.sellers);
  s.warehouses = static_cast<std::int32_t>(n.warehouses);
  s.accounts = static_cast<std::int32_t>(n.accounts);
  s.evidence = static_cast<std::int32_t>(n.evidence);
  for (std::uint32_t i = network_brand_offsets_[c]; i < network_brand_offsets_[c + 1]; ++i) {
    s.brands.emplace_back(brands_.key(network_brands_[i]));
  }
  s.reason.assign(reason_bytes_, reason_offsets_[c], reason_offsets_[c + 1] - reason_offsets_[c]);
  s.first_seen = tables::format_date(first_seen_[c]);
  s.lineage = lineage_text(visible, c);
  return s;
}

bool RunSnapshot::id_visible(const Visibility& visible, risk::NetworkId id) const {
  const std::optional<std::uint32_t> c = find_network(id);
  return c && visible.network(*c);
}

// As networks.csv writes it (risk::lineage_text), naming only ids the scope sees.
std::string RunSnapshot::lineage_text(const Visibility& visible, std::uint32_t c) const {
  return risk::lineage_text(
      std::span<const risk::LineageEntry>(lineage_).subspan(lineage_offsets_[c], lineage_offsets_[c + 1] - lineage_offsets_[c]),
      [&](risk::NetworkId id) { return visible.everything() || id_visible(visible, id); });
}

api::NetworkChange RunSnapshot::change_at(const Visibility& visible, std::size_t index) const {
  const risk::ChangeRow& row = changes_[index];
  api::NetworkChange c;
  c.network = risk::network_id_text(row.id);
  c.change = risk::network_change_name(row.change);
  for (risk::NetworkId other : row.others) {
    if (visible.everything() || id_visible(visible, other)) c.others.push_back(risk::network_id_text(other));
  }
  c.members_before = static_cast<std::int32_t>(row.members_before);
  c.members_after = static_cast<std::int32_t>(row.members_after);
  c.risk_before = row.risk_before;
  c.risk_after = row.risk_after;
  c.new_evidence = static_cast<std::int32_t>(row.new_evidence);
  return c;
}

api::Target RunSnapshot::target_at(std::size_t index, std::int64_t rank) const {
  const TargetRow& row = targets_[index];
  api::Target t;
  t.rank = static_cast<std::int32_t>(rank);
  t.network = risk::network_id_text(networks_[target_network_[index]].id);
  t.entity = entity_ref(row.entity);
  t.role_hint = risk::role_name(row.role);
  t.impact = row.impact;
  t.marginal = row.marginal;
  t.reason.assign(target_reason_bytes_, target_reason_offsets_[index],
                  target_reason_offsets_[index + 1] - target_reason_offsets_[index]);
  return t;
}

std::vector<api::EvidenceCount> RunSnapshot::evidence_counts(const std::vector<EvidenceGroup>& groups,
                                                             std::uint32_t owner) const {
  const auto first = std::lower_bound(groups.begin(), groups.end(), owner,
                                      [](const EvidenceGroup& g, std::uint32_t o) { return g.owner < o; });
  std::vector<api::EvidenceCount> counts;
  for (auto it = first; it != groups.end() && it->owner == owner; ++it) {
    api::EvidenceCount e;
    e.signal = tables::kSignalNames[it->signal];
    e.brand = brands_.key(it->brand);
    e.rows = static_cast<std::int32_t>(it->rows);
    counts.push_back(std::move(e));
  }
  return counts;
}

api::NetworkPage RunSnapshot::list_networks(const Scope& scope, const api::NetworkFilter& filter, int offset,
                                            int limit, const Limits& limits) const {
  check_page(offset, limit, limits, "offset", "limit");
  if (filter.min_members < 0) bad_request("filter.min_members must not be negative", "filter.min_members", 0);
  if (filter.max_members < 0) bad_request("filter.max_members must not be negative", "filter.max_members", 0);
  if (std::isnan(filter.min_risk)) bad_request("filter.min_risk must be a number", "filter.min_risk", 0);
  const Visibility visible = visibility(scope);
  // Candidates in risk order: every network, or those naming the brand asked for.
  const std::uint32_t* first = by_risk_.data();
  const std::uint32_t* last = first + by_risk_.size();
  if (!filter.brand.empty()) {
    const std::uint32_t b = brands_.find(0, filter.brand);
    if (b == graph::KeyIndex::kAbsent || b == 0) {
      first = last;
    } else {
      first = brand_networks_.data() + brand_network_offsets_[b];
      last = brand_networks_.data() + brand_network_offsets_[b + 1];
    }
  }
  api::NetworkPage page;
  page.offset = offset;
  page.total = 0;
  if (visible.everything() && filter.min_members == 0 && filter.max_members == 0) {
    // The common call: the candidates at or above min_risk are a prefix, the page a slice of it.
    const std::uint32_t* cut = std::partition_point(
        first, last, [&](std::uint32_t c) { return networks_[c].risk >= filter.min_risk; });
    page.total = cut - first;
    for (const std::uint32_t* it = first + std::min<std::ptrdiff_t>(offset, cut - first);
         it != cut && page.networks.size() < static_cast<std::size_t>(limit); ++it) {
      page.networks.push_back(summary(visible, *it));
    }
    return page;
  }
  for (const std::uint32_t* it = first; it != last; ++it) {
    const NetworkInfo& n = networks_[*it];
    if (n.risk < filter.min_risk) break;  // the rest are lower still
    if (!visible.network(*it) || n.members < static_cast<std::uint32_t>(filter.min_members)) continue;
    if (filter.max_members > 0 && n.members > static_cast<std::uint32_t>(filter.max_members)) continue;
    if (page.total >= offset && page.networks.size() < static_cast<std::size_t>(limit)) {
      page.networks.push_back(summary(visible, *it));
    }
    ++page.total;
  }
  return page;
}

api::NetworkDetail RunSnapshot::network(const Scope& scope, const std::string& id, const Limits&) const {
  const Visibility visible = visibility(scope);
  const std::optional<std::uint32_t> c = find_network(id);
  if (!c || !visible.network(*c)) not_found(fmt::format("no network {}", id));
  api::NetworkDetail d;
  d.summary = summary(visible, *c);
  d.members.reserve(member_offsets_[*c + 1] - member_offsets_[*c]);
  for (std::uint32_t i = member_offsets_[*c]; i < member_offsets_[*c + 1]; ++i) {
    const graph::VertexId v = members_[i];
    api::Member m;
    m.entity = entity_ref(v);
    m.role_hint = risk::role_name(role_[v]);
    m.risk = member_risk_[v];
    d.members.push_back(std::move(m));
  }
  d.evidence = evidence_counts(network_evidence_, *c);
  for (const auto& [index, rank] : ranked_targets(visible, *c)) d.targets.push_back(target_at(index, rank));
  for (std::size_t i = 0; i < changes_.size(); ++i) {
    if (changes_[i].id == networks_[*c].id) d.changes.push_back(change_at(visible, i));
  }
  const std::size_t layers = adjacency_.num_layers();
  for (std::size_t l = 0; l < layers; ++l) {
    api::LayerCount count;
    count.layer = adjacency_.layer_name(static_cast<std::uint8_t>(l));
    count.edges = static_cast<std::int64_t>(layer_edges_[*c * layers + l]);
    d.layers.push_back(std::move(count));
  }
  return d;
}

std::vector<std::pair<std::uint32_t, std::int64_t>> RunSnapshot::ranked_targets(const Visibility& visible,
                                                                                std::uint32_t c) const {
  std::vector<std::uint32_t> in_scope;
  if (!visible.everything()) in_scope = targets::targets_in_scope(target_network_, visible.networks());
  std::vector<std::pair<std::uint32_t, std::int64_t>> ranked;
  for (std::uint32_t i = network_target_offsets_[c]; i < network_target_offsets_[c + 1]; ++i) {
    const std::uint32_t index = network_targets_[i];
    const std::int64_t rank = visible.everything()
                                  ? targets_[index].rank
                                  : std::lower_bound(in_scope.begin(), in_scope.end(), index) - in_scope.begin() + 1;
    ranked.emplace_back(index, rank);
  }
  return ranked;
}

api::NetworkGraph RunSnapshot::network_graph(const Scope& scope, const std::string& id, int max_nodes,
                                             const Limits& limits) const {
  if (max_nodes < 0 || max_nodes > limits.max_graph_nodes) {
    bad_request(fmt::format("max_nodes must be between 0 and {} (got {})", limits.max_graph_nodes, max_nodes),
                "max_nodes", limits.max_graph_nodes);
  }
  if (max_nodes == 0) max_nodes = limits.max_graph_nodes;
  const Visibility visible = visibility(scope);
  const std::optional<std::uint32_t> c = find_network(id);
  if (!c || !visible.network(*c)) not_found(fmt::format("no network {}", id));
  api::NetworkGraph g;
  g.summary = summary(visible, *c);

  // The nodes: its targets by rank, then the rest of its members in vertex
  // order — or, past max_nodes, the targets' neighbours inside it.
  std::unordered_map<graph::VertexId, std::int32_t> node_of;
  std::vector<graph::VertexId> nodes;
  auto add_node = [&](graph::VertexId v) {
    if (nodes.size() < static_cast<std::size_t>(max_nodes) && node_of.emplace(v, static_cast<std::int32_t>(nodes.size())).second) {
      nodes.push_back(v);
    }
  };
  const auto ranked = ranked_targets(visible, *c);
  std::unordered_map<graph::VertexId, std::pair<std::uint32_t, std::int64_t>> target_of;
  for (const auto& [index, rank] : ranked) {
    target_of.emplace(targets_[index].entity, std::pair(index, rank));
    add_node(targets_[index].entity);
  }
  const std::uint32_t members = member_offsets_[*c + 1] - member_offsets_[*c];
  g.partial = members > static_cast<std::uint32_t>(max_nodes);
  if (!g.partial) {
    for (std::uint32_t i = member_offsets_[*c]; i < member_offsets_[*c + 1]; ++i) add_node(members_[i]);
  } else {
    for (const auto& [index, rank] : ranked) {
      const graph::VertexId t = targets_[index].entity;
      for (std::uint64_t arc = adjacency_.begin(t); arc < adjacency_.end(t); ++arc) {
        if (network_of_[adjacency_.target(arc)] == *c) add_node(adjacency_.target(arc));
      }
    }
  }
  for (const graph::VertexId v : nodes) {
    api::GraphNode node;
    node.entity = entity_ref(v);
    node.role_hint = risk::role_name(role_[v]);
    node.risk = member_risk_[v];
    for (const api::EvidenceCount& e : evidence_counts(entity_evidence_, v)) node.evidence += e.rows;
    if (auto t = target_of.find(v); t != target_of.end()) {
      node.target_rank = static_cast<std::int32_t>(t->second.second);
      node.target_reason = target_at(t->second.first, t->second.second).reason;
    }
    g.nodes.push_back(std::move(node));
  }
  // The edges: undirected layers once per pair (from the lower id), directed
  // layers once per direction that carries flow (from its tail's row).
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const graph::VertexId u = nodes[i];
    for (std::uint64_t arc = adjacency_.begin(u); arc < adjacency_.end(u); ++arc) {
      const auto head = node_of.find(adjacency_.target(arc));
      if (head == node_of.end()) continue;
      const std::uint8_t layer = adjacency_.layer(arc);
      api::GraphEdge e;
      e.tail = static_cast<std::int32_t>(i);
      e.head = head->second;
      e.layer = adjacency_.layer_name(layer);
      e.directed = adjacency_.directed(layer);
      if (e.directed) {
        if (adjacency_.flow(arc) <= 0) continue;
        e.weight = adjacency_.flow(arc);
      } else {
        if (adjacency_.target(arc) <= u) continue;
        e.weight = adjacency_.weight(arc);
      }
      g.edges.push_back(std::move(e));
    }
  }
  // The timeline: the newest max_page rows, oldest first.
  const std::uint32_t end = timeline_offsets_[*c + 1];
  g.timeline_total = end - timeline_offsets_[*c];
  const std::uint32_t begin = std::max<std::int64_t>(timeline_offsets_[*c], std::int64_t{end} - limits.max_page);
  for (std::uint32_t i = begin; i < end; ++i) {
    const TimelineRow& r = timeline_[i];
    api::EvidenceEvent e;
    e.entity = entity_ref(r.entity);
    e.signal = tables::kSignalNames[r.signal];
    e.brand = std::string(brands_.key(r.brand));
    e.reported_on = tables::format_date(r.day);
    g.timeline.push_back(std::move(e));
  }
  return g;
}

api::Trace RunSnapshot::trace(const Scope& scope, const api::EntityRef& ref, int max_hops, const Limits& limits) const {
  if (max_hops < 0 || max_hops > limits.max_hops) {
    bad_request(fmt::format("max_hops must be between 0 and {} (got {})", limits.max_hops, max_hops), "max_hops",
                limits.max_hops);
  }
  const Visibility visible = visibility(scope);
  const graph::VertexId v = find_entity(visible, ref);
  api::Trace t;
  t.start = entity_ref(v);
  t.network = risk::network_id_text(networks_[network_of_[v]].id);
  t.max_hops = max_hops;
  t.max_fanout = trace_max_fanout_;
  auto walk = [&](std::string_view layer_name, bool upstream, std::vector<api::TraceStep>& out) {
    const std::optional<std::uint8_t> layer = adjacency_.find_layer(layer_name);
    if (!layer || !adjacency_.directed(*layer)) return;  // a plain graph has no flows
    SupplyTraceOptions o{*layer, upstream, max_hops, trace_max_fanout_, limits.max_visited, limits.deadline};
    const SupplyTrace found = trace_supply(adjacency_, visible, v, o);
    t.visited += found.visited;
    for (const SupplyStep& s : found.steps) {
      api::TraceStep step;
      step.entity = entity_ref(s.entity);
      step.via = entity_ref(s.via);
      step.hops = s.hops;
      step.layer = std::string(layer_name);
      step.weight = s.weight;
      step.share = s.share;
      step.role_hint = risk::role_name(role_[s.entity]);
      step.network = risk::network_id_text(networks_[network_of_[s.entity]].id);
      step.hub = s.hub;
      out.push_back(std::move(step));
    }
  };
  walk("shipment", true, t.upstream);
  walk("shipment", false, t.downstream);
  walk("payment", false, t.money);
  return t;
}

api::EntityDetail RunSnapshot::entity(const Scope& scope, const api::EntityRef& ref, int offset, int limit,
                                      const Limits& limits) const {
  check_page(offset, limit, limits, "neighbours_offset", "neighbours_limit");
  const Visibility visible = visibility(scope);
  const graph::VertexId v = find_entity(visible, ref);
  api::EntityDetail d;
  d.entity = entity_ref(v);
  d.network = risk::network_id_text(networks_[network_of_[v]].id);
  d.risk = member_risk_[v];
  d.role_hint = risk::role_name(role_[v]);
  d.evidence = evidence_counts(entity_evidence_, v);
  d.neighbours_offset = offset;
  d.neighbours_total = 0;
  auto add = [&](std::uint64_t arc) {
    api::Neighbour n;
    n.entity = entity_ref(adjacency_.target(arc));
    n.layer = adjacency_.layer_name(adjacency_.layer(arc));
    n.weight = adjacency_.weight(arc);
    d.neighbours.push_back(std::move(n));
  };
  const std::uint64_t begin = adjacency_.begin(v), end = adjacency_.end(v);
  if (visible.everything()) {  // the page is a slice of the row
    d.neighbours_total = static_cast<std::int64_t>(end - begin);
    for (std::uint64_t arc = begin + static_cast<std::uint64_t>(offset);
         arc < end && d.neighbours.size() < static_cast<std::size_t>(limit); ++arc) {
      add(arc);
    }
    return d;
  }
  for (std::uint64_t arc = begin; arc < end; ++arc) {
    if (!visible.entity(adjacency_.target(arc))) continue;
    if (d.neighbours_total >= offset && d.neighbours.size() < static_cast<std::size_t>(limit)) add(arc);
    ++d.neighbours_total;
  }
  return d;
}

api::PathResult RunSnapshot::paths(const Scope& scope, const api::EntityRef& a, const api::EntityRef& b,
                                   int max_hops, int max_paths, const Limits& limits) const {
  if (max_hops < 0 || max_hops > limits.max_hops) {
    bad_request(fmt::format("max_hops must be between 0 and {} (got {})", limits.max_hops, max_hops), "max_hops",
                limits.max_hops);
  }
  if (max_paths < 0 || max_paths > limits.max_paths) {
    bad_request(fmt::format("max_paths must be between 0 and {} (got {})", limits.max_paths, max_paths),
                "max_paths", limits.max_paths);
  }
  const Visibility visible = visibility(scope);
  const graph::VertexId source = find_entity(visible, a);
  const graph::VertexId destination = find_entity(visible, b);
  const PathSearchResult found =
      shortest_paths(adjacency_, visible, source, destination, {max_hops, max_paths, limits.max_visited, limits.deadline});
  api::PathResult result;
  result.hops = found.hops;
  result.visited = found.visited;
  for (const std::vector<graph::VertexId>& vertices : found.paths) {
    api::Path path;
    for (std::size_t i = 0; i + 1 < vertices.size(); ++i) {
      // The first layer (seller, warehouse, payment, shipment) that links them.
      const std::uint64_t arc = *adjacency_.first_link(vertices[i], vertices[i + 1]);
      api::PathStep step;
      step.tail = entity_ref(vertices[i]);
      step.head = entity_ref(vertices[i + 1]);
      step.layer = adjacency_.layer_name(adjacency_.layer(arc));
      step.weight = adjacency_.weight(arc);
      path.steps.push_back(std::move(step));
    }
    result.paths.push_back(std::move(path));
  }
  return result;
}

std::vector<std::string> RunSnapshot::verdict_members(const std::string& id) const {
  const std::optional<std::uint32_t> c = find_network(id);
  if (!c) not_found(fmt::format("no network {}", id));
  std::vector<std::string> labelled;
  for (std::uint32_t i = member_offsets_[*c]; i < member_offsets_[*c + 1]; ++i) {
    const graph::VertexId v = members_[i];
    if (role_[v] == risk::Role::kLegit) continue;
    const api::EntityRef ref = entity_ref(v);
    labelled.push_back(ref.kind + ":" + ref.id);
  }
  return labelled;
}

api::RunInfo RunSnapshot::run_info(const Scope& scope) const {
  const Visibility visible = visibility(scope);
  if (visible.everything()) return info_;
  // Totals over what the scope sees: a brand cannot count what it may not.
  api::RunInfo info = info_;
  info.networks = info.entities = 0;
  for (std::uint32_t c = 0; c < num_networks(); ++c) {
    if (!visible.network(c)) continue;
    ++info.networks;
    info.entities += networks_[c].members;
  }
  return info;
}

api::TargetPage RunSnapshot::targets(const Scope& scope, int offset, int limit, const Limits& limits) const {
  check_page(offset, limit, limits, "offset", "limit");
  const Visibility visible = visibility(scope);
  api::TargetPage page;
  page.offset = offset;
  if (visible.everything()) {
    page.total = static_cast<std::int64_t>(targets_.size());
    for (std::size_t i = static_cast<std::size_t>(offset);
         i < targets_.size() && page.targets.size() < static_cast<std::size_t>(limit); ++i) {
      page.targets.push_back(target_at(i, targets_[i].rank));
    }
    return page;
  }
  // Ranks 1..k over the visible targets, in the global order.
  const std::vector<std::uint32_t> in_scope = targets::targets_in_scope(target_network_, visible.networks());
  page.total = static_cast<std::int64_t>(in_scope.size());
  for (std::size_t i = static_cast<std::size_t>(offset);
       i < in_scope.size() && page.targets.size() < static_cast<std::size_t>(limit); ++i) {
    page.targets.push_back(target_at(in_scope[i], static_cast<std::int64_t>(i) + 1));
  }
  return page;
}

api::Target RunSnapshot::target(const Scope& scope, int rank) const {
  const Visibility visible = visibility(scope);
  if (visible.everything()) {
    const auto it = std::lower_bound(targets_.begin(), targets_.end(), rank,
                                     [](const TargetRow& t, int r) { return static_cast<std::int64_t>(t.rank) < r; });
    if (rank < 1 || it == targets_.end() || static_cast<int>(it->rank) != rank) {
      not_found(fmt::format("no target of rank {}", rank));
    }
    return target_at(static_cast<std::size_t>(it - targets_.begin()), rank);
  }
  // The rank-th visible target; a rank beyond them is as absent as one
  // beyond the whole list.
  const std::vector<std::uint32_t> in_scope = targets::targets_in_scope(target_network_, visible.networks());
  if (rank < 1 || static_cast<std::size_t>(rank) > in_scope.size()) not_found(fmt::format("no target of rank {}", rank));
  return target_at(in_scope[static_cast<std::size_t>(rank) - 1], rank);
}

std::size_t RunSnapshot::bytes() const {
  auto size = [](const auto& v) { return v.capacity() * sizeof(v[0]); };
  return size(keys_.tags) + size(keys_.offsets) + keys_.bytes.capacity() + lookup_.bytes() + size(network_of_) +
         size(role_) + size(member_risk_) + adjacency_.bytes() + size(entity_evidence_) + size(networks_) +
         size(reason_offsets_) + reason_bytes_.capacity() + size(network_brand_offsets_) + size(network_brands_) +
         size(member_offsets_) + size(members_) + size(network_target_offsets_) + size(network_targets_) +
         size(layer_edges_) + size(network_evidence_) + size(by_id_) + size(by_risk_) + size(brand_network_offsets_) +
         size(brand_networks_) + size(targets_) + size(target_network_) + size(target_reason_offsets_) + target_reason_bytes_.capacity() +
         size(first_seen_) + size(lineage_offsets_) + size(lineage_) + size(changes_) + size(alerts_) +
         size(alert_network_) + size(timeline_offsets_) + size(timeline_);
}

api::ChangePage RunSnapshot::changes(const Scope& scope, int offset, int limit, const Limits& limits) const {
  check_page(offset, limit, limits, "offset", "limit");
  const Visibility visible = visibility(scope);
  api::ChangePage page;
  page.offset = offset;
  page.total = 0;
  page.previous_run = previous_run_.empty() ? "" : std::filesystem::path(previous_run_).filename().string();
  for (std::size_t i = 0; i < changes_.size(); ++i) {
    if (!visible.everything() && !id_visible(visible, changes_[i].id)) continue;
    if (page.total >= offset && page.changes.size() < static_cast<std::size_t>(limit)) {
      page.changes.push_back(change_at(visible, i));
    }
    ++page.total;
  }
  return page;
}

api::AlertPage RunSnapshot::alerts(const Scope& scope, int offset, int limit, const Limits& limits) const {
  check_page(offset, limit, limits, "offset", "limit");
  const Visibility visible = visibility(scope);
  api::AlertPage page;
  page.offset = offset;
  page.total = 0;
  for (std::size_t i = 0; i < alerts_.size(); ++i) {
    if (!visible.network(alert_network_[i])) continue;
    if (page.total >= offset && page.alerts.size() < static_cast<std::size_t>(limit)) {
      const risk::Alert& a = alerts_[i];
      api::Alert out;
      out.rank = static_cast<std::int32_t>(page.total + 1);
      out.alert = risk::alert_kind_name(a.kind);
      out.network = risk::network_id_text(a.network);
      if (a.entity != risk::Alert::kNoEntity) out.entity = entity_ref(a.entity);
      out.risk = a.risk;
      out.reason = a.reason;
      page.alerts.push_back(std::move(out));
    }
    ++page.total;
  }
  return page;
}

}  // namespace sourcetrace::service
