// Supply trace: goods followed upstream and downstream from one entity, and
// money followed onward, each step with its share.
//
// A referral has to say where a storefront's goods came from (the
// distributor that shipped them, and the source that supplied it) and
// where the money went (the accounts that collected it). That is a walk
// along the directed layers — shipments origin → destination, payments
// payer → payee — not along any link: breadth first from the start, in one
// direction of one layer, each entity reached once (at its fewest hops,
// from the first entity that reached it, entities taken in id order so
// that the same question gets the same answer).
//
// Each step's share is of what its `via` entity moved that way and the
// caller may see: a storefront stocked 60 units by one distributor and 40
// by another gives shares 0.6 and 0.4; a hidden supplier is neither listed
// nor counted. An entity with more than `max_fanout` visible links that
// way is a hub (a marketplace fulfilment warehouse, a payment processor):
// it is listed but not expanded, so that one trace does not become the
// whole market.
//
// Bounded like the path search: `max_hops`, `max_visited` entities (then
// the walk stops where it is and says so) and a deadline (api::ServerBusy).
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "sourcetrace/service/layered_adjacency.hpp"
#include "sourcetrace/service/visibility.hpp"

namespace sourcetrace::service {

struct SupplyTraceOptions {
  std::uint8_t layer = 0;     // a directed layer of the adjacency
  bool upstream = false;      // against the flow (who sent to it) instead of along it
  int max_hops = 4;
  int max_fanout = 25;
  std::int64_t max_visited = 200000;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

struct SupplyStep {
  VertexId entity = 0, via = 0;
  int hops = 0;
  double weight = 0;  // what moved between via and entity, that way
  double share = 0;   // of via's visible total that way
  bool hub = false;   // more than max_fanout visible links that way: not expanded
};

struct SupplyTrace {
  std::vector<SupplyStep> steps;  // by hops, then via's order, then entity id
  std::int64_t visited = 0;
  bool gave_up = false;           // stopped at max_visited
};

// REQUIRES: start is visible; options.layer is a directed layer. Throws
// api::ServerBusy when the deadline passes.
SupplyTrace trace_supply(const LayeredAdjacency& graph, const Visibility& visible, VertexId start,
                         const SupplyTraceOptions& options);

}  // namespace sourcetrace::service
