// Role hints: the part each entity plays in its own community, read off the
// flows inside that community.
//
// Within a community: a warehouse that ships to other member warehouses and
// receives from none of them is a source (a factory); a warehouse fed by a
// member warehouse that ships to member sellers is a distributor; a seller
// that a member source or distributor ships to is a storefront; an account
// paid by exactly one member, a storefront, is that storefront's payout
// account (role storefront); an account paid by two or more of the
// storefront side (storefronts and their payout accounts) is a collector. Everything else is legit — including a legitimate shop and
// its outside-stocked warehouse that community detection put beside a ring. A hint, not a
// verdict: it only says where the entity sits in the goods and money flows.
#pragma once

#include <vector>

#include "sourcetrace/community/partition.hpp"
#include "sourcetrace/graph/market_graph.hpp"
#include "sourcetrace/risk/role.hpp"

namespace sourcetrace::risk {

// One hint per entity. REQUIRES: partition covers graph's entities; the
// graph has its `shipment` and `payment` layers (a plain graph gives legit).
std::vector<Role> role_hints(const graph::MarketGraph& graph, const community::Partition& partition);

}  // namespace sourcetrace::risk
