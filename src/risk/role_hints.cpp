// Role hints from the member-to-member goods and money flows.
#include "sourcetrace/risk/role_hints.hpp"

namespace sourcetrace::risk {

using graph::VertexId;

namespace {

const graph::Csr kNoArcs;

const graph::Csr& flow_of(const graph::MarketGraph& g, std::string_view name) {
  const graph::Layer* l = g.layer(name);
  return l != nullptr && l->directed ? l->flow.csr : kNoArcs;
}

std::span<const VertexId> row(const graph::Csr& c, VertexId v) {
  return v + 1 < c.offsets.size() ? c.neighbours(v) : std::span<const VertexId>();
}

}  // namespace

std::vector<Role> role_hints(const graph::MarketGraph& g, const community::Partition& p,
                             std::span<const VertexId> payout_of) {
  const VertexId n = g.num_entities();
  const auto& c = p.membership;
  const graph::Csr& ship = flow_of(g, "shipment");
  const graph::Csr& pay = flow_of(g, "payment");
  const graph::Layer* stock_layer = g.layer("warehouse");
  const graph::Csr& stock = stock_layer != nullptr ? stock_layer->adjacency.csr : kNoArcs;
  auto is = [&](VertexId v, EntityKind k) { return g.kind(v) == k; };

  // Warehouses first: the sellers' and accounts' hints depend on them.
  std::vector<char> fed_by_member(n, 0), fed_at_all(n, 0), supplies_members(n, 0);
  for (VertexId u = 0; u < n; ++u) {
    if (!is(u, EntityKind::kWarehouse)) continue;
    for (VertexId v : row(ship, u)) {
      if (is(v, EntityKind::kWarehouse)) {
        fed_at_all[v] = 1;
        if (c[u] == c[v]) fed_by_member[v] = 1;
      }
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
    roles[w] = fed_by_member[w] || fed_at_all[w] ? Role::kDistributor : Role::kSource;
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
