// verify_partition: the serial, obviously-right check of a detection result.
//
// Written apart from the algorithm (GAP's verifier idea) and used as the
// oracle of every test: every vertex is assigned to a community in range,
// every community is non-empty and connected in the graph, and modularity
// recomputed from scratch here (edge by edge, its own loop) matches the
// reported value.
#pragma once

#include <string>

#include "sourcetrace/community/partition.hpp"
#include "sourcetrace/graph/csr.hpp"

namespace sourcetrace::community {

// Returns an empty string when every property holds, else the first failure.
std::string verify_partition(const graph::Csr& graph, const Partition& partition,
                             double reported_modularity, double resolution = 1.0);

}  // namespace sourcetrace::community
