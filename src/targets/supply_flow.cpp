// SupplyFlow: builds one network's flow network (see the header for the
// model) and solves it with Boykov–Kolmogorov (Boykov & Kolmogorov 2004).
//
// Steps of build():
//   1. index the members; check ids and duplicates
//   2. goods arcs: shipment `flow` arcs between members, by role pair
//   3. supply arcs: S → each source, and → entry points (members that
//      hold goods no member sent them)
//   4. money arcs: payment `flow` arcs between members, rescaled to units,
//      storefront sellers first, then the payout accounts they pay (facts
//      only: what each account takes in, for ranking collectors)
//   5. sale arcs: storefronts → T
// Node arcs (member i's in → out) come first, so that arc i of solution()
// is member i's: through(i) and set_removed(i) touch only that arc.
//
// BK rather than push–relabel: capacities are doubles (rescaled money), and
// BK's augmenting paths end on an exactly saturated bottleneck arc, where
// push–relabel's excess bookkeeping would leave tiny residues at nodes. It
// is also fast on these small, shallow graphs (a few hundred members, a
// handful of layers from S to T), which are solved again for every
// candidate removal.
#include "sourcetrace/targets/supply_flow.hpp"

#include <algorithm>
#include <string>
#include <unordered_map>

// GCC 12 at -O2 reports a false -Wmaybe-uninitialized inside Boost's
// adjacency_list edge iterator (a boost::optional it never reads unset);
// the warning says nothing about our code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/boykov_kolmogorov_max_flow.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace sourcetrace::targets {

using graph::VertexId;
using risk::Role;

namespace {

using Traits = boost::adjacency_list_traits<boost::vecS, boost::vecS, boost::directedS>;
using ArcDescriptor = Traits::edge_descriptor;

struct ArcProperties {
  double capacity = 0;
  double residual = 0;
  ArcDescriptor reverse;
};

// vecS out-edge lists keep each edge's properties on the heap, so arc
// descriptors stay valid while more arcs are added.
using BoostGraph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS,
                                         boost::no_property, ArcProperties>;

// Goods move down the chain source → distributor → storefront; a
// distributor may pass goods to another, a source may sell straight to a
// storefront. Anything else (goods back to a source, a storefront
// re-shipping) is not this network's supply.
bool goods_pair(Role from, Role to) {
  if (from == Role::kSource) return to == Role::kDistributor || to == Role::kStorefront;
  if (from == Role::kDistributor) return to == Role::kDistributor || to == Role::kStorefront;
  return false;
}

// Units on the arc origin → v of a flow Csr, 0 when there is none (rows
// are sorted by target, so a binary search finds it).
double arc_weight(const graph::Csr& flow, VertexId origin, VertexId v) {
  auto row = flow.neighbours(origin);
  auto it = std::lower_bound(row.begin(), row.end(), v);
  if (it == row.end() || *it != v) return 0;
  return flow.neighbour_weights(origin)[static_cast<std::size_t>(it - row.begin())];
}

}  // namespace

struct SupplyFlow::Network {
  BoostGraph g;
  std::vector<ArcDescriptor> forward;  // parallel to solution_.arcs
};

SupplyFlow::SupplyFlow(const graph::MarketGraph& graph, std::vector<Member> members)
    : graph_(&graph), members_(std::move(members)) {}
SupplyFlow::~SupplyFlow() = default;
SupplyFlow::SupplyFlow(SupplyFlow&&) noexcept = default;
SupplyFlow& SupplyFlow::operator=(SupplyFlow&&) noexcept = default;

Status SupplyFlow::build() {
  const graph::MarketGraph& market = *graph_;
  const std::size_t m = members_.size();
  supply_capacity_ = 0;

  // 1. Members.
  std::unordered_map<VertexId, std::uint32_t> index;
  index.reserve(m);
  for (std::size_t i = 0; i < m; ++i) {
    const VertexId v = members_[i].vertex;
    if (v >= market.num_entities()) {
      return Status::invalid_input("network member " + std::to_string(v) + " is not an entity of the graph");
    }
    if (!index.emplace(v, static_cast<std::uint32_t>(i)).second) {
      return Status::invalid_input("entity " + std::to_string(v) + " is listed twice in one network");
    }
  }
  const graph::Layer* shipment = market.layer(graph::kLayerNames[static_cast<int>(graph::LayerId::kShipment)]);
  if (shipment == nullptr || !shipment->directed) {
    return Status::invalid_input("the graph has no directed shipment layer: no supply to trace");
  }
  const graph::Layer* payment = market.layer(graph::kLayerNames[static_cast<int>(graph::LayerId::kPayment)]);
  if (payment != nullptr && !payment->directed) payment = nullptr;
  auto member_of = [&](VertexId v) -> std::int64_t {
    auto it = index.find(v);
    return it == index.end() ? std::int64_t{-1} : std::int64_t{it->second};
  };
  auto role = [&](std::size_t i) { return members_[i].role; };
  facts_.assign(m, MemberFacts{});
  for (std::size_t i = 0; i < m; ++i) {
    facts_[i].payout_account =
        role(i) == Role::kStorefront && market.kind(members_[i].vertex) == EntityKind::kAccount;
  }
  auto storefront_seller = [&](std::size_t i) {
    return role(i) == Role::kStorefront && !facts_[i].payout_account;
  };

  struct Pending {
    std::uint32_t from, to;
    double capacity;
  };
  std::vector<Pending> goods, money;

  // 2. Goods arcs.
  const graph::Csr& ship = shipment->flow.csr;
  std::vector<std::uint8_t> fed(m, 0);  // receives goods from a member
  for (std::size_t i = 0; i < m; ++i) {
    const VertexId u = members_[i].vertex;
    if (u >= ship.num_vertices()) continue;
    auto row = ship.neighbours(u);
    auto units = ship.neighbour_weights(u);
    for (std::size_t k = 0; k < row.size(); ++k) {
      const std::int64_t j = member_of(row[k]);
      if (j < 0 || !goods_pair(role(i), role(static_cast<std::size_t>(j)))) continue;
      if (facts_[static_cast<std::size_t>(j)].payout_account) continue;  // goods go to sellers
      goods.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j), units[k]});
      fed[static_cast<std::size_t>(j)] = 1;
    }
  }
  for (const Pending& a : goods) {
    facts_[a.from].units_out += a.capacity;
    facts_[a.to].units_in += a.capacity;
    ++facts_[a.from].sends_to[static_cast<int>(role(a.to))];
    ++facts_[a.to].receives_from;
  }

  // 3. Supply arcs. A source sends what it shipped to members. A
  // distributor nobody in the network feeds acts as the network's source
  // (its factory was not found). A storefront seller nobody in the network
  // feeds sells what it received from outside (found through the
  // symmetric adjacency, then the outside origin's flow row).
  std::vector<double> supply(m, 0.0);
  for (std::size_t i = 0; i < m; ++i) {
    if (role(i) == Role::kSource || (role(i) == Role::kDistributor && !fed[i])) {
      supply[i] = facts_[i].units_out;
    } else if (storefront_seller(i) && !fed[i]) {
      const VertexId v = members_[i].vertex;
      const graph::Csr& near = shipment->adjacency.csr;
      if (v < near.num_vertices()) {
        for (VertexId origin : near.neighbours(v)) {
          if (member_of(origin) < 0 && origin < ship.num_vertices()) supply[i] += arc_weight(ship, origin, v);
        }
      }
      facts_[i].units_in += supply[i];
    }
    if (supply[i] > 0) facts_[i].entry = true;
    supply_capacity_ += supply[i];
  }

  // 4. Money arcs, rescaled to units (see the header).
  std::vector<std::uint8_t> to_collector(m, 0);  // money can reach a member collector
  std::vector<Pending> raw;
  if (payment != nullptr) {
    const graph::Csr& pay = payment->flow.csr;
    for (std::size_t i = 0; i < m; ++i) {
      if (role(i) != Role::kStorefront) continue;
      const VertexId u = members_[i].vertex;
      if (u >= pay.num_vertices()) continue;
      auto row = pay.neighbours(u);
      auto amount = pay.neighbour_weights(u);
      for (std::size_t k = 0; k < row.size(); ++k) {
        const std::int64_t j = member_of(row[k]);
        if (j < 0) continue;
        const auto jj = static_cast<std::size_t>(j);
        const bool keep = role(jj) == Role::kCollector ||
                          (storefront_seller(i) && facts_[jj].payout_account);
        if (keep) raw.push_back({static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(j), amount[k]});
      }
    }
    for (const Pending& a : raw) {
      if (facts_[a.from].payout_account && role(a.to) == Role::kCollector) to_collector[a.from] = 1;
    }
  }
  std::vector<double> money_out(m, 0.0), scaled_in(m, 0.0);
  auto leads_to_collector = [&](const Pending& a) {
    return role(a.to) == Role::kCollector || to_collector[a.to];
  };
  for (const Pending& a : raw) {
    if (leads_to_collector(a)) money_out[a.from] += a.capacity;
  }
  // Sellers before payout accounts: a payout account's scale depends on
  // what its sellers pass on.
  for (int pass = 0; pass < 2; ++pass) {
    for (const Pending& a : raw) {
      const bool seller_arc = !facts_[a.from].payout_account;
      if (seller_arc != (pass == 0) || !leads_to_collector(a) || money_out[a.from] <= 0) continue;
      const double in = seller_arc ? facts_[a.from].units_in : scaled_in[a.from];
      const double capacity = a.capacity * in / money_out[a.from];
      if (capacity <= 0) continue;
      money.push_back({a.from, a.to, capacity});
      scaled_in[a.to] += capacity;
      facts_[a.from].units_out += capacity;
      ++facts_[a.from].sends_to[static_cast<int>(role(a.to))];
      ++facts_[a.to].receives_from;
    }
  }
  for (std::size_t i = 0; i < m; ++i) {
    if (facts_[i].payout_account || role(i) == Role::kCollector) facts_[i].units_in = scaled_in[i];
  }

  // The Boost graph: node arcs first, then supply, goods, money, sales.
  unbounded_ = supply_capacity_ + 1;
  network_ = std::make_unique<Network>();
  BoostGraph& g = network_->g;
  const auto num_nodes = static_cast<std::uint32_t>(2 + 2 * m);
  for (std::uint32_t v = 0; v < num_nodes; ++v) boost::add_vertex(g);
  solution_ = FlowSolution{};
  solution_.num_nodes = num_nodes;
  solution_.source = kSource;
  solution_.sink = kSink;
  auto add_arc = [&](std::uint32_t tail, std::uint32_t head, double capacity) {
    const ArcDescriptor e = boost::add_edge(tail, head, g).first;
    const ArcDescriptor r = boost::add_edge(head, tail, g).first;
    g[e].capacity = capacity;
    g[r].capacity = 0;
    g[e].reverse = r;
    g[r].reverse = e;
    network_->forward.push_back(e);
    solution_.arcs.push_back({tail, head, capacity, 0});
  };
  removed_.assign(m, 0);
  for (std::size_t i = 0; i < m; ++i) add_arc(in_node(i), out_node(i), unbounded_);
  for (std::size_t i = 0; i < m; ++i) {
    if (supply[i] > 0) add_arc(kSource, in_node(i), supply[i]);
  }
  for (const Pending& a : goods) add_arc(out_node(a.from), in_node(a.to), a.capacity);

  // 5. Sales: goods that reach a storefront are sold. The money arcs stay
  // out of the max flow: taking a collector down stops the takings, not the
  // goods, so it must not count as cutting the supply (it would, if the
  // money chain were the only way to T). Collectors are ranked by the money
  // they take in after the goods are cut (elimination.hpp).
  for (std::size_t i = 0; i < m; ++i) {
    if (storefront_seller(i) && facts_[i].units_in > 0) add_arc(out_node(i), kSink, facts_[i].units_in);
  }
  return Status::ok();
}

void SupplyFlow::set_removed(std::size_t i, bool removed) {
  removed_[i] = removed ? 1 : 0;
  const double capacity = removed ? 0.0 : unbounded_;
  network_->g[network_->forward[i]].capacity = capacity;
  solution_.arcs[i].capacity = capacity;
}

double SupplyFlow::solve() {
  BoostGraph& g = network_->g;
  // The solver starts from residual = capacity on every arc, so one graph
  // serves every solve; only node arcs change between them.
  const double value = boost::boykov_kolmogorov_max_flow(
      g, boost::get(&ArcProperties::capacity, g), boost::get(&ArcProperties::residual, g),
      boost::get(&ArcProperties::reverse, g), boost::get(boost::vertex_index, g), kSource, kSink);
  for (std::size_t k = 0; k < solution_.arcs.size(); ++k) {
    const ArcProperties& a = g[network_->forward[k]];
    solution_.arcs[k].flow = a.capacity - a.residual;
  }
  solution_.value = value;
  return value;
}

double SupplyFlow::through(std::size_t i) const { return solution_.arcs[i].flow; }

}  // namespace sourcetrace::targets
