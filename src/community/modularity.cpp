// Modularity: one pass over the arcs for in_c, one over vertices for tot_c.
#include "sourcetrace/community/modularity.hpp"

#include <vector>

namespace sourcetrace::community {

double modularity(const graph::Csr& g, std::span<const CommunityId> membership,
                  CommunityId num_communities, double resolution) {
  const auto n = static_cast<std::int64_t>(g.num_vertices());
  std::vector<double> strength(static_cast<std::size_t>(n)), inside(static_cast<std::size_t>(n));
#pragma omp parallel for schedule(static)
  for (std::int64_t v = 0; v < n; ++v) {
    auto nb = g.neighbours(static_cast<graph::VertexId>(v));
    auto w = g.neighbour_weights(static_cast<graph::VertexId>(v));
    double k = 0, in = 0;
    for (std::size_t i = 0; i < nb.size(); ++i) {
      k += w[i];
      if (membership[nb[i]] == membership[v]) in += w[i];
    }
    strength[v] = k;
    inside[v] = in;
  }
  // The sums run in vertex order, so Q is the same for any thread count.
  double internal = 0, total = 0;
  std::vector<double> tot(num_communities, 0.0);
  for (std::int64_t v = 0; v < n; ++v) {
    internal += inside[v];
    total += strength[v];
    tot[membership[v]] += strength[v];
  }
  if (total <= 0) return 0.0;
  double expected = 0;
  for (double t : tot) expected += t * t;
  return internal / total - resolution * expected / (total * total);
}

}  // namespace sourcetrace::community
