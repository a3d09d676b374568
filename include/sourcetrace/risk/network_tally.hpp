// Network tally: what networks.csv counts of each network — its members by
// kind and its evidence rows dated on or before the risk stage's as-of
// date (a report dated after the run counts nothing yet, as in the score).
//
// `sourcetrace export` and the query service both show these counts; one
// function computes them, so the file a brand receives and the service it
// queries never disagree.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sourcetrace/graph/market_graph.hpp"
#include "sourcetrace/tables/contract.hpp"

namespace sourcetrace::risk {

struct NetworkTally {
  std::uint32_t members = 0, sellers = 0, warehouses = 0, accounts = 0, evidence = 0;
};

// Per network of `network_of` (each entity's network, below
// `num_networks`); `kinds` is each entity's EntityKind tag (graph.h5's
// entity tags). REQUIRES: every evidence row names an entity of the graph.
std::vector<NetworkTally> tally_networks(std::span<const std::uint8_t> kinds, std::span<const std::uint32_t> network_of,
                                         const graph::EvidenceTable& evidence, tables::Day as_of,
                                         std::size_t num_networks);

}  // namespace sourcetrace::risk
