// Fixed-point strengths for levels moved in rounds.
#include "sourcetrace/community/round_moving.hpp"

#include <fmt/core.h>

namespace sourcetrace::community {

namespace {
const FixedSquares kLimit = static_cast<FixedSquares>(to_fixed(kMaxRoundWeight));
}  // namespace

FixedSquares fixed_weight_total(const graph::Csr& csr) {
  FixedSquares total = 0;
  for (float w : csr.weights) {
    if (w > kMaxRoundWeight) return kLimit + 1;
    total += static_cast<FixedSquares>(to_fixed(w));
    if (total > kLimit) return kLimit + 1;
  }
  return total;
}

Status round_weight_check(FixedSquares total, graph::VertexId n) {
  if (total <= kLimit) return Status::ok();
  return Status::invalid_argument(fmt::format(
      "the graph's arc weights sum to more than the {:.3g} that levels in rounds add up exactly; scale the "
      "weights down, or set gather_below (--gather-below) to at least its {} vertices to run Leiden on one node",
      kMaxRoundWeight, n));
}

std::vector<Fixed> fixed_strengths(const graph::Csr& csr) {
  std::vector<Fixed> strength(csr.num_vertices());
#pragma omp parallel for schedule(static)
  for (std::int64_t v = 0; v < static_cast<std::int64_t>(strength.size()); ++v) {
    Fixed k = 0;
    for (float w : csr.neighbour_weights(static_cast<graph::VertexId>(v))) k += to_fixed(w);
    strength[static_cast<std::size_t>(v)] = k;
  }
  return strength;
}

void RoundSchedule::plan(graph::VertexId n, graph::VertexId first, std::uint64_t seed, int level, int pass,
                         int rounds) {
  std::vector<std::uint8_t> round_of(n);
#pragma omp parallel for schedule(static)
  for (std::int64_t u = 0; u < static_cast<std::int64_t>(n); ++u) {
    round_of[static_cast<std::size_t>(u)] = static_cast<std::uint8_t>(
        move_round(seed, level, pass, first + static_cast<graph::VertexId>(u), rounds));
  }
  begin.assign(static_cast<std::size_t>(rounds) + 1, 0);
  for (std::uint8_t r : round_of) ++begin[r + 1];
  for (int r = 0; r < rounds; ++r) begin[r + 1] += begin[r];
  vertices.resize(n);
  std::vector<std::size_t> at(begin.begin(), begin.end() - 1);
  for (graph::VertexId u = 0; u < n; ++u) vertices[at[round_of[u]]++] = u;
}

}  // namespace sourcetrace::community
