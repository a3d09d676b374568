// Modularity: one pass over the arcs for in_c, one over vertices for tot_c.
#include "sourcetrace/community/modularity.hpp"

#include <vector>

namespace sourcetrace::community {

std::vector<ModularityTerms> modularity_terms(const graph::Csr& g, std::span<const CommunityId> membership) {
  const auto n = static_cast<std::int64_t>(g.num_vertices());
  std::vector<ModularityTerms> terms(static_cast<std::size_t>(n));
#pragma omp parallel for schedule(static)
  for (std::int64_t v = 0; v < n; ++v) {
    auto nb = g.neighbours(static_cast<graph::VertexId>(v));
    auto w = g.neighbour_weights(static_cast<graph::VertexId>(v));
    double k = 0, in = 0;
    for (std::size_t i = 0; i < nb.size(); ++i) {
      k += w[i];
      if (membership[nb[i]] == membership[v]) in += w[i];
    }
    terms[static_cast<std::size_t>(v)] = {k, in};
  }
  return terms;
}

double modularity_from_terms(std::span<const ModularityTerms> terms, std::span<const CommunityId> membership,
                             CommunityId num_communities, double resolution) {
  // The sums run in vertex order, so Q is the same for any thread count.
  double internal = 0, total = 0;
  std::vector<double> tot(num_communities, 0.0);
  for (std::size_t v = 0; v < terms.size(); ++v) {
    internal += terms[v].inside;
    total += terms[v].strength;
    tot[membership[v]] += terms[v].strength;
  }
  if (total <= 0) return 0.0;
  double expected = 0;
  for (double t : tot) expected += t * t;
  return internal / total - resolution * expected / (total * total);
}

double modularity(const graph::Csr& g, std::span<const CommunityId> membership, CommunityId num_communities,
                  double resolution) {
  return modularity_from_terms(modularity_terms(g, membership), membership, num_communities, resolution);
}

}  // namespace sourcetrace::community
