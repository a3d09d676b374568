// Role hints from the member-to-member shipment and payment flows.
#include "sourcetrace/risk/role_hints.hpp"

namespace sourcetrace::risk {

using graph::VertexId;

namespace {

// Per entity, what flows it has with members of its own community.
struct MemberFlows {
  double ships_to_warehouses = 0, ships_to_sellers = 0, receives_from_warehouses = 0;
};

}  // namespace

std::vector<Role> role_hints(const graph::MarketGraph& g, const community::Partition& p) {
  const VertexId n = g.num_entities();
  std::vector<MemberFlows> flows(n);
  const auto& c = p.membership;

  if (const graph::Layer* shipments = g.layer("shipment"); shipments && shipments->directed) {
    const graph::Csr& f = shipments->flow.csr;
    for (VertexId u = 0; u < n; ++u) {
      for (std::size_t k = 0; k < f.degree(u); ++k) {
        const VertexId v = f.neighbours(u)[k];
        const double units = f.neighbour_weights(u)[k];
        if (c[u] != c[v] || g.kind(u) != EntityKind::kWarehouse) continue;
        if (g.kind(v) == EntityKind::kWarehouse) {
          flows[u].ships_to_warehouses += units;
          flows[v].receives_from_warehouses += units;
        } else if (g.kind(v) == EntityKind::kSeller) {
          flows[u].ships_to_sellers += units;
        }
      }
    }
  }
  // Warehouses first: the sellers' and accounts' hints depend on them.
  std::vector<Role> roles(n, Role::kLegit);
  for (VertexId v = 0; v < n; ++v) {
    const MemberFlows& f = flows[v];
    if (g.kind(v) != EntityKind::kWarehouse) continue;
    if (f.ships_to_warehouses > 0 && f.receives_from_warehouses == 0) {
      roles[v] = Role::kSource;
    } else if (f.ships_to_sellers > 0 && f.receives_from_warehouses > 0) {
      // Fed from inside the network: a warehouse stocked only by outside
      // suppliers is a legitimate business's, even inside a ring's community.
      roles[v] = Role::kDistributor;
    }
  }
  // A seller is a storefront when the network's own chain supplies it.
  if (const graph::Layer* shipments = g.layer("shipment"); shipments && shipments->directed) {
    const graph::Csr& f = shipments->flow.csr;
    for (VertexId u = 0; u < n; ++u) {
      if (roles[u] != Role::kSource && roles[u] != Role::kDistributor) continue;
      for (VertexId v : f.neighbours(u)) {
        if (c[u] == c[v] && g.kind(v) == EntityKind::kSeller) roles[v] = Role::kStorefront;
      }
    }
  }
  // Money: an account paid by exactly one member, a storefront seller, is
  // that storefront's payout account; an account paid by two or more of the
  // storefront side (storefronts and their payout accounts) is a collector.
  // Accounts paid only by legit members stay legit: every independent
  // seller has a payout account too.
  if (const graph::Layer* payments = g.layer("payment"); payments && payments->directed) {
    const graph::Csr& f = payments->flow.csr;
    std::vector<std::uint32_t> member_payers(n, 0), storefront_payers(n, 0);
    for (VertexId u = 0; u < n; ++u) {
      for (VertexId v : f.neighbours(u)) {
        if (c[u] == c[v] && g.kind(v) == EntityKind::kAccount) ++member_payers[v];
      }
    }
    for (VertexId u = 0; u < n; ++u) {
      if (roles[u] != Role::kStorefront) continue;
      for (VertexId v : f.neighbours(u)) {
        if (c[u] == c[v] && g.kind(v) == EntityKind::kAccount && member_payers[v] == 1) roles[v] = Role::kStorefront;
      }
    }
    for (VertexId u = 0; u < n; ++u) {
      if (roles[u] != Role::kStorefront) continue;
      for (VertexId v : f.neighbours(u)) {
        if (c[u] == c[v] && g.kind(v) == EntityKind::kAccount && roles[v] != Role::kStorefront) ++storefront_payers[v];
      }
    }
    for (VertexId v = 0; v < n; ++v) {
      if (storefront_payers[v] >= 2) roles[v] = Role::kCollector;
    }
  }
  return roles;
}

}  // namespace sourcetrace::risk
