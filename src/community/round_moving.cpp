// Fixed-point strengths for levels moved in rounds.
#include "sourcetrace/community/round_moving.hpp"

namespace sourcetrace::community {

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

}  // namespace sourcetrace::community
