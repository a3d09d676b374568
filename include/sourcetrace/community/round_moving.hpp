// Local moving in hash rounds: the schedule one node and MPI ranks share,
// so that a large graph gets the same partition on any number of ranks.
//
// Leiden's local moving (leiden.hpp) applies moves one after another in a
// seeded order; the partition depends on that whole sequence, which ranks
// cannot replay without waiting on each other at every vertex. On a market,
// where thousands of legitimate sellers sit between equally good
// communities, another sequence gives a different partition (NMI ~0.65
// between two seeds), so ranks that each keep their own order cannot agree
// with one node either. Levels moved in rounds can:
//   - each pass splits the vertices into `rounds` classes by a hash of
//     (seed, level, pass, global vertex id), drawn anew every pass so that
//     two neighbours that keep swapping communities are soon apart;
//   - in a round, every active vertex of the class decides against the state
//     at the round's start, then all moves apply at once (the ranks
//     synchronise here);
//   - weights and community totals are summed as fixed-point integers, so no
//     sum depends on its order, and ties break by a hash of the community.
// What a vertex decides then depends on the graph, the options and the seed
// only — not on threads, ranks, or which rank holds which vertex.
// community/round_leiden.hpp runs it on one node, dist/distributed_leiden.hpp
// on ranks; both use the pieces below, so they agree bit for bit.
#pragma once

#include <cstdint>
#include <vector>

#include "sourcetrace/community/splitmix64.hpp"
#include "sourcetrace/graph/csr.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::community {

// A weight in units of 2^-20 (~9.5e-7): hub-damped weights (~0.01) keep
// 4-5 significant digits, weights under ~4.8e-7 count as 0 (both sides
// round alike, so they still agree), and 63 bits leave room for 8.8e12 of
// total weight.
using Fixed = std::int64_t;
constexpr int kFixedBits = 20;
// Scaling by a power of two is exact; weights are never negative, so
// adding a half and truncating rounds to nearest (no libm call: this runs
// for every arc of every round).
constexpr double kFixedOne = static_cast<double>(std::int64_t{1} << kFixedBits);
inline Fixed to_fixed(double w) { return static_cast<Fixed>(w * kFixedOne + 0.5); }
inline double from_fixed(Fixed f) { return static_cast<double>(f) * (1.0 / kFixedOne); }
// The most arc weight, all arcs together, that Fixed sums exactly (63 bits,
// 20 of them after the point, and room to spare); a larger graph is
// refused rather than summed wrongly (round_weight_check).
constexpr double kMaxRoundWeight = 4.0e12;
// Σ to_fixed(w) over a Csr's arcs, exactly, held at just past the limit
// (any arc above kMaxRoundWeight puts it there), so that one node and the
// ranks' summed shares compare the same value with it.
// Sums of squared totals need 128 bits (a GCC and Clang extension).
__extension__ typedef unsigned __int128 FixedSquares;
inline FixedSquares square(Fixed t) { return static_cast<FixedSquares>(t) * static_cast<FixedSquares>(t); }

// The round (0 .. rounds-1) in which `vertex` (a global id) moves during
// `pass` of `level`.
inline int move_round(std::uint64_t seed, int level, int pass, graph::VertexId vertex, int rounds) {
  const std::uint64_t salt =
      splitmix64(seed * 0x9E3779B97F4A7C15ULL + (static_cast<std::uint64_t>(level) << 32) + static_cast<std::uint64_t>(pass));
  return static_cast<int>(splitmix64(salt ^ vertex) % static_cast<std::uint64_t>(rounds));
}

struct RoundMove {
  graph::VertexId community;
  double gain;  // over staying; > 0 means move
};

// The best community for a vertex of strength k (all in Fixed) in
// community `current`: `weights.for_each(f)` calls f(community, weight to
// it) for every neighbouring community (the vertex's own self-loop left
// out), `total_of(c)` gives c's total strength, `total` is the graph's.
// Gain of joining c: w_c − γ·k·tot_c/M (the vertex itself left out of its
// current community's total).
template <typename NeighbourCommunities, typename TotalOf>
RoundMove best_round_move(const NeighbourCommunities& weights, graph::VertexId current, Fixed k, Fixed total,
                          double resolution, std::uint64_t seed, TotalOf&& total_of) {
  const double scale = resolution * from_fixed(k) / from_fixed(total);
  Fixed to_current = 0;
  weights.for_each([&](graph::VertexId c, Fixed w) {
    if (c == current) to_current = w;
  });
  const double stay = from_fixed(to_current) - scale * from_fixed(total_of(current) - k);
  graph::VertexId best = current;
  double best_gain = stay;
  weights.for_each([&](graph::VertexId c, Fixed w) {
    if (c == current) return;
    const double gain = from_fixed(w) - scale * from_fixed(total_of(c));
    if (gain > best_gain ||
        (gain == best_gain && best != current && splitmix64(seed ^ c) < splitmix64(seed ^ best))) {
      best = c;
      best_gain = gain;
    }
  });
  return {best, best_gain - stay};
}

// Modularity from exact sums: `internal` = weight of arcs inside
// communities, `squares` = Σ over communities of total², `total` = Σ
// strengths (all in Fixed; squares in Fixed²).
inline double round_modularity(Fixed internal, FixedSquares squares, Fixed total, double resolution) {
  if (total <= 0) return 0;
  const double m = static_cast<double>(total);
  return static_cast<double>(internal) / m - resolution * (static_cast<double>(squares) / (m * m));
}

}  // namespace sourcetrace::community

namespace sourcetrace::community {

// One pass's rounds: vertices first..first+n-1 (global ids) grouped by the
// round they move in, by id within a round; round r is
// vertices[begin[r] .. begin[r+1]).
struct RoundSchedule {
  std::vector<graph::VertexId> vertices;  // local ids 0..n-1
  std::vector<std::size_t> begin;
  void plan(graph::VertexId n, graph::VertexId first, std::uint64_t seed, int level, int pass, int rounds);
};

FixedSquares fixed_weight_total(const graph::Csr& csr);
// A fixed_weight_total (one node's, or summed over ranks) as a weight: the
// same double wherever it was summed.
inline double total_weight_of(FixedSquares total) { return static_cast<double>(total) * (1.0 / kFixedOne); }
// ok, or why a graph whose arcs' fixed_weight_total is `total` (summed
// over ranks; n vertices) cannot move in rounds.
Status round_weight_check(FixedSquares total, graph::VertexId n);

// Each vertex's strength in Fixed: Σ to_fixed(w) over its row (self-loop
// included), summed arc by arc so that it is exact.
std::vector<Fixed> fixed_strengths(const graph::Csr& csr);

}  // namespace sourcetrace::community
