// Payout accounts: the account a seller is paid into, which goes wherever
// the seller goes.
//
// Every seller, honest or not, has one: the marketplace pays the seller's
// takings into it, and from there the money moves on (to a ring's
// collector, or nowhere). So an account that takes nearly all its money
// from one seller is part of that seller, not a tie of its own: a network
// cut (network_cut.hpp) moves it with its seller, and a network's money
// structure (network_risk.hpp) follows the seller's money through it.
#pragma once

#include <limits>
#include <vector>

#include "sourcetrace/community/partition.hpp"
#include "sourcetrace/graph/market_graph.hpp"

namespace sourcetrace::risk {

inline constexpr graph::VertexId kNoSeller = std::numeric_limits<graph::VertexId>::max();

// Per entity: for an account that takes at least `share` of its money from
// one seller of its own group of `partition`, that seller; kNoSeller for
// every other entity. Ties between payers go to the lower vertex.
std::vector<graph::VertexId> payout_owners(const graph::MarketGraph& graph, const community::Partition& partition,
                                           double share);

}  // namespace sourcetrace::risk
