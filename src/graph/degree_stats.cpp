// DegreeStats: one pass over the offsets plus a selection for the quantiles.
#include "sourcetrace/graph/degree_stats.hpp"

#include <algorithm>
#include <vector>

namespace sourcetrace::graph {

DegreeStats degree_stats(const Csr& csr) {
  DegreeStats s;
  s.vertices = csr.num_vertices();
  std::vector<EdgeIndex> degrees;
  degrees.reserve(s.vertices);
  for (VertexId v = 0; v < s.vertices; ++v) {
    if (csr.degree(v) > 0) degrees.push_back(csr.degree(v));
  }
  for (float w : csr.weights) s.total_weight += w;
  s.with_edges = static_cast<VertexId>(degrees.size());
  if (degrees.empty()) return s;
  auto quantile = [&](double q) {
    auto k = static_cast<std::size_t>(q * static_cast<double>(degrees.size() - 1));
    std::nth_element(degrees.begin(), degrees.begin() + static_cast<std::ptrdiff_t>(k), degrees.end());
    return degrees[k];
  };
  s.min = *std::min_element(degrees.begin(), degrees.end());
  s.max = *std::max_element(degrees.begin(), degrees.end());
  s.mean = static_cast<double>(csr.num_arcs()) / static_cast<double>(degrees.size());
  s.median = quantile(0.5);
  s.p99 = quantile(0.99);
  return s;
}

}  // namespace sourcetrace::graph
