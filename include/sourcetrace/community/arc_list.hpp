// Arc lists of the next level's graph on levels moved in rounds
// (round_moving.hpp): arcs in coarse ids with fixed-point weights, sorted by
// (from, to) and summed. One node and the MPI ranks build their coarse rows
// with these, so that the rows, and the float weights stored from the exact
// sums, are the same however the arcs were split among ranks.
#pragma once

#include <vector>

#include "sourcetrace/community/round_moving.hpp"
#include "sourcetrace/graph/csr.hpp"

namespace sourcetrace::community {

struct WeightedArc {
  graph::VertexId from, to;
  Fixed weight;
};

// Sorts arcs by (from, to), both below n, and sums duplicates into one.
// An LSD radix sort on the packed pair, 16 bits a pass: these are the
// largest sorts of a level, where std::sort showed in profiles.
void sort_and_sum(std::vector<WeightedArc>& arcs, graph::VertexId n);

// The weight a Csr stores for an exact sum.
inline float stored_weight(Fixed sum) { return static_cast<float>(from_fixed(sum)); }

}  // namespace sourcetrace::community
