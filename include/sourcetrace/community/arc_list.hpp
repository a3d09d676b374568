// The next level's graph on levels moved in rounds (round_moving.hpp):
// each connected component of a community becomes a coarse vertex, and its
// arcs, in coarse ids with fixed-point weights, are sorted by (from, to)
// and summed. One node and the MPI ranks aggregate with these, so that the
// rows, and the float weights stored from the exact sums, are the same
// however the vertices were split among ranks.
#pragma once

#include <span>
#include <vector>

#include "sourcetrace/community/round_moving.hpp"
#include "sourcetrace/graph/csr.hpp"

namespace sourcetrace::community {

// The connected components of each community (`community` over the
// vertices a Csr's targets reach) among vertices 0..owned-1, arcs to the
// others ignored: each vertex's root, the smallest vertex of its component.
// One node passes every vertex; a rank passes its own, then joins the
// components across ranks.
std::vector<graph::VertexId> community_components(const graph::Csr& csr, std::span<const graph::VertexId> community,
                                                  graph::VertexId owned);

struct WeightedArc {
  graph::VertexId from, to;
  Fixed weight;
};

// The arcs of the Csr's rows in coarse ids: (coarse_of[u], coarse_of[v],
// to_fixed(w)) for every arc u→v (coarse_of covers every id the targets
// reach, ghosts included on a rank).
std::vector<WeightedArc> coarse_arcs(const graph::Csr& csr, std::span<const graph::VertexId> coarse_of);

// Sorts arcs by (from, to), both below n, and sums duplicates into one.
// An LSD radix sort on the packed pair, 16 bits a pass: these are the
// largest sorts of a level, where std::sort showed in profiles.
void sort_and_sum(std::vector<WeightedArc>& arcs, graph::VertexId n);

// The rows of vertices first..first+count-1 from arcs sorted and summed by
// sort_and_sum (all of them from those rows): targets as the arcs name
// them, each weight the float of its exact sum.
graph::Csr rows_from_arcs(const std::vector<WeightedArc>& arcs, graph::VertexId first, graph::VertexId count);

}  // namespace sourcetrace::community
