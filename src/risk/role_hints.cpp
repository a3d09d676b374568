// Role hints from the member-to-member goods and money flows.
#include "sourcetrace/risk/role_hints.hpp"

namespace sourcetrace::risk {

using graph::VertexId;

std::vector<Role> role_hints(const graph::MarketGraph& g, const community::Partition& p,
                             std::span<const VertexId> payout_of) {
  const VertexId n = g.num_entities();
  const auto& c = p.membership;
  const graph::Csr& ship = g.flow_csr("shipment");
  const graph::Csr& pay = g.flow_csr("payment");
  const graph::Csr& stock = g.adjacency_csr("warehouse");
  auto is = [&](VertexId v, EntityKind k) { return g.kind(v) == k; };
  auto row = [](const graph::Csr& arcs, VertexId v) { return graph::neighbours_or_none(arcs, v); };

  // Warehouses first: the sellers' and accounts' hints depend on them.
  std::vector<char> fed(n, 0), supplies_members(n, 0);
  for (VertexId u = 0; u < n; ++u) {
    if (!is(u, EntityKind::kWarehouse)) continue;
    for (VertexId v : row(ship, u)) {
      if (is(v, EntityKind::kWarehouse)) fed[v] = 1;
      if (c[u] == c[v]) supplies_members[u] = 1;
    }
    for (VertexId s : row(stock, u)) {
      if (c[u] == c[s]) supplies_members[u] = 1;
    }
  }
  std::vector<Role> roles(n, Role::kLegit);
  for (VertexId w = 0; w < n; ++w) {
    if (!is(w, EntityKind::kWarehouse) || !supplies_members[w]) continue;
    // Fed by nobody: where the goods come from. Fed from anywhere else: a
    // distributor (its factory may be outside the network).
    roles[w] = fed[w] ? Role::kDistributor : Role::kSource;
  }
  // A seller is a storefront when the network's chain ships to it or holds its stock.
  for (VertexId u = 0; u < n; ++u) {
    if (roles[u] != Role::kSource && roles[u] != Role::kDistributor) continue;
    for (const graph::Csr* goods : {&ship, &stock}) {
      for (VertexId v : row(*goods, u)) {
        if (c[u] == c[v] && is(v, EntityKind::kSeller)) roles[v] = Role::kStorefront;
      }
    }
  }
  // Money: a storefront's payout account is a storefront too; an account
  // that two or more of the storefront side pay is a collector.
  for (VertexId a = 0; a < n; ++a) {
    const VertexId s = payout_of[a];
    if (s != kNoSeller && c[s] == c[a] && roles[s] == Role::kStorefront) roles[a] = Role::kStorefront;
  }
  std::vector<std::uint32_t> storefront_payers(n, 0);
  for (VertexId u = 0; u < n; ++u) {
    if (roles[u] != Role::kStorefront) continue;
    for (VertexId v : row(pay, u)) {
      if (c[u] == c[v] && is(v, EntityKind::kAccount) && roles[v] != Role::kStorefront) ++storefront_payers[v];
    }
  }
  for (VertexId v = 0; v < n; ++v) {
    if (storefront_payers[v] >= 2) roles[v] = Role::kCollector;
  }
  return roles;
}

}  // namespace sourcetrace::risk
