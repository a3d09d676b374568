// Role hints: the part each entity plays in its own network, read off the
// goods and money flows inside that network.
//
// Within a network: a warehouse that supplies members (ships to them or
// holds their stock) is a distributor when goods reach it from anywhere
// (its factory may lie outside the network) and a source when nothing
// reaches it; a seller that a member source or distributor ships to or
// stocks is a storefront; a storefront's payout account
// (risk/payout_accounts.hpp) is a storefront too; an account paid by two
// or more of the storefront side is a collector. Everything else is legit.
// A hint, not a verdict: it only says where the entity sits in the flows,
// for the supply flow the targets model (targets/supply_flow.hpp).
#pragma once

#include <span>
#include <vector>

#include "sourcetrace/community/partition.hpp"
#include "sourcetrace/graph/market_graph.hpp"
#include "sourcetrace/risk/payout_accounts.hpp"
#include "sourcetrace/risk/role.hpp"

namespace sourcetrace::risk {

// One hint per entity. REQUIRES: partition covers graph's entities;
// payout_of = payout_owners on this partition or a coarser one. A plain
// graph (no marketplace layers) gives legit everywhere.
std::vector<Role> role_hints(const graph::MarketGraph& graph, const community::Partition& partition,
                             std::span<const graph::VertexId> payout_of);

}  // namespace sourcetrace::risk
