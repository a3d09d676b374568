// Supply networks: the counterfeit-shaped supply lines inside communities.
//
// Community detection finds dense groups; a group holds a ring and also the
// bystanders that share its links, its small warehouses and its hubs — and
// at marketplace scale, modularity's resolution limit merges several rings
// and their neighbourhood into one community. What enforcement acts on is a
// supply line: goods from sources through distributors to storefronts, money
// from the storefronts to collectors. So each community is split into the
// supply lines its role hints (risk/role_hints.hpp) trace, and the rest:
//
// - a distributor joins the sources that feed it;
// - a storefront joins the distributors (or sources) that supply it;
// - a payout account joins its storefront;
// - a collector joins the lines whose storefronts pay it;
// - every member with no role (legit hint) stays in the community's rest.
//
// An entity joins a line only when that line provides a significant share of
// its inflow (`join_share`; always at least its largest supplier): a ring
// storefront that also gets a few parcels from a 3PL hub stays with its ring,
// and a collector that takes small payments from another ring's storefronts
// (a shared mule) does not fuse the two rings.
//
// The result is a partition of all entities (lines and rests are both
// "networks"), canonical, finer than or equal to the communities.
#pragma once

#include <vector>

#include "sourcetrace/community/partition.hpp"
#include "sourcetrace/graph/market_graph.hpp"
#include "sourcetrace/risk/role.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::risk {

struct SupplyNetworkOptions {
  // An entity joins every supplier (or payer) line providing at least this
  // share of its inflow from the community's chain.
  double join_share = 1.0 / 3.0;
};

Status validate(const SupplyNetworkOptions& options);

// REQUIRES: roles == role_hints(graph, communities).
community::Partition supply_networks(const graph::MarketGraph& graph, const community::Partition& communities,
                                     const std::vector<Role>& roles, const SupplyNetworkOptions& options);

}  // namespace sourcetrace::risk
