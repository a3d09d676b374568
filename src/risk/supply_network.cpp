// Supply networks: union the hinted members along their main supply and
// money links, community by community.
#include "sourcetrace/risk/supply_network.hpp"

#include <algorithm>
#include <numeric>

namespace sourcetrace::risk {

using graph::VertexId;

Status validate(const SupplyNetworkOptions& o) {
  if (!(o.join_share > 0 && o.join_share <= 1)) return Status::invalid_argument("join_share must be in (0, 1]");
  return Status::ok();
}

namespace {

class DisjointSets {
 public:
  explicit DisjointSets(VertexId n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), VertexId{0}); }
  VertexId find(VertexId v) {
    while (parent_[v] != v) v = parent_[v] = parent_[parent_[v]];
    return v;
  }
  void unite(VertexId a, VertexId b) {
    a = find(a);
    b = find(b);
    if (a != b) parent_[std::max(a, b)] = std::min(a, b);
  }

 private:
  std::vector<VertexId> parent_;
};

// One inflow: `to` receives `amount` from `from`.
struct Inflow {
  VertexId to, from;
  double amount;
};

// For each receiver: joins every sender providing at least `share` of its
// inflow, and always the largest. `from` may already be a set's root.
void join_main_suppliers(std::vector<Inflow> inflows, double share, DisjointSets& sets) {
  std::sort(inflows.begin(), inflows.end(), [](const Inflow& a, const Inflow& b) {
    return a.to != b.to ? a.to < b.to : a.from < b.from;
  });
  for (std::size_t begin = 0; begin < inflows.size();) {
    std::size_t end = begin;
    double total = 0;
    // Merge repeated senders first (several arcs can end in one set).
    std::vector<Inflow> senders;
    for (; end < inflows.size() && inflows[end].to == inflows[begin].to; ++end) {
      total += inflows[end].amount;
      if (!senders.empty() && senders.back().from == inflows[end].from) {
        senders.back().amount += inflows[end].amount;
      } else {
        senders.push_back(inflows[end]);
      }
    }
    const auto largest = std::max_element(senders.begin(), senders.end(),
                                          [](const Inflow& a, const Inflow& b) { return a.amount < b.amount; });
    for (const Inflow& s : senders) {
      if (&s == &*largest || s.amount >= share * total) sets.unite(s.to, s.from);
    }
    begin = end;
  }
}

}  // namespace

community::Partition supply_networks(const graph::MarketGraph& g, const community::Partition& p,
                                     const std::vector<Role>& roles, const SupplyNetworkOptions& o) {
  const VertexId n = g.num_entities();
  const auto& c = p.membership;
  DisjointSets sets(n);
  auto is = [&](VertexId v, Role r) { return roles[v] == r; };

  if (const graph::Layer* shipments = g.layer("shipment"); shipments && shipments->directed) {
    const graph::Csr& f = shipments->flow.csr;
    std::vector<Inflow> to_distributors, to_storefronts;
    for (VertexId u = 0; u < n; ++u) {
      if (!is(u, Role::kSource) && !is(u, Role::kDistributor)) continue;
      for (std::size_t k = 0; k < f.degree(u); ++k) {
        const VertexId v = f.neighbours(u)[k];
        if (c[u] != c[v]) continue;
        const double units = f.neighbour_weights(u)[k];
        if (is(u, Role::kSource) && is(v, Role::kDistributor)) to_distributors.push_back({v, u, units});
        if (is(v, Role::kStorefront) && g.kind(v) == EntityKind::kSeller) to_storefronts.push_back({v, u, units});
      }
    }
    join_main_suppliers(std::move(to_distributors), o.join_share, sets);
    join_main_suppliers(std::move(to_storefronts), o.join_share, sets);
  }

  if (const graph::Layer* payments = g.layer("payment"); payments && payments->directed) {
    const graph::Csr& f = payments->flow.csr;
    // Payout accounts join their storefront (role_hints gives the role only
    // to an account with exactly one member payer, that storefront).
    for (VertexId u = 0; u < n; ++u) {
      if (!is(u, Role::kStorefront) || g.kind(u) != EntityKind::kSeller) continue;
      for (VertexId v : f.neighbours(u)) {
        if (c[u] == c[v] && is(v, Role::kStorefront) && g.kind(v) == EntityKind::kAccount) sets.unite(u, v);
      }
    }
    // Collectors join the lines whose storefront side pays them most.
    std::vector<Inflow> to_collectors;
    for (VertexId u = 0; u < n; ++u) {
      if (!is(u, Role::kStorefront)) continue;
      for (std::size_t k = 0; k < f.degree(u); ++k) {
        const VertexId v = f.neighbours(u)[k];
        if (c[u] == c[v] && is(v, Role::kCollector)) to_collectors.push_back({v, sets.find(u), f.neighbour_weights(u)[k]});
      }
    }
    join_main_suppliers(std::move(to_collectors), o.join_share, sets);
  }

  // Hinted members are labelled by their line, the others by their
  // community's rest (labels above n, so the two never meet).
  std::vector<std::uint32_t> labels(n);
  for (VertexId v = 0; v < n; ++v) {
    labels[v] = roles[v] == Role::kLegit ? n + c[v] : sets.find(v);
  }
  return community::canonical_partition(labels);
}

}  // namespace sourcetrace::risk
