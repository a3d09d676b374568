// verify_partition: assignment, connectivity (union-find), modularity.
#include "sourcetrace/community/verify_partition.hpp"

#include <fmt/format.h>

#include <cmath>
#include <numeric>
#include <vector>

namespace sourcetrace::community {

namespace {

graph::VertexId find(std::vector<graph::VertexId>& parent, graph::VertexId x) {
  while (parent[x] != x) x = parent[x] = parent[parent[x]];
  return x;
}

}  // namespace

std::string verify_partition(const graph::Csr& g, const Partition& p, double reported,
                             double resolution) {
  const graph::VertexId n = g.num_vertices();
  if (p.membership.size() != n) {
    return fmt::format("{} vertices but {} memberships", n, p.membership.size());
  }
  std::vector<std::uint64_t> size(p.num_communities, 0);
  for (graph::VertexId v = 0; v < n; ++v) {
    if (p.membership[v] >= p.num_communities) return fmt::format("vertex {} has no valid community", v);
    ++size[p.membership[v]];
  }
  for (CommunityId c = 0; c < p.num_communities; ++c) {
    if (size[c] == 0) return fmt::format("community {} is empty", c);
  }

  // Connectivity: union the ends of every arc inside a community; each
  // community must end up as one set.
  std::vector<graph::VertexId> parent(n);
  std::iota(parent.begin(), parent.end(), graph::VertexId{0});
  for (graph::VertexId u = 0; u < n; ++u) {
    for (graph::VertexId v : g.neighbours(u)) {
      if (p.membership[u] == p.membership[v]) parent[find(parent, u)] = find(parent, v);
    }
  }
  std::vector<graph::VertexId> root(p.num_communities, UINT32_MAX);
  for (graph::VertexId v = 0; v < n; ++v) {
    graph::VertexId r = find(parent, v);
    graph::VertexId& expected = root[p.membership[v]];
    if (expected == UINT32_MAX) expected = r;
    if (expected != r) return fmt::format("community {} is not connected", p.membership[v]);
  }

  // Modularity from its definition: Σ_ij [A_ij − γ k_i k_j / M] δ(c_i, c_j) / M.
  std::vector<double> tot(p.num_communities, 0.0);
  double m = 0, inside = 0;
  for (graph::VertexId u = 0; u < n; ++u) {
    auto nb = g.neighbours(u);
    auto w = g.neighbour_weights(u);
    for (std::size_t i = 0; i < nb.size(); ++i) {
      m += w[i];
      tot[p.membership[u]] += w[i];
      if (p.membership[nb[i]] == p.membership[u]) inside += w[i];
    }
  }
  double q = 0;
  if (m > 0) {
    double null_model = 0;
    for (double t : tot) null_model += t * t;
    q = inside / m - resolution * null_model / (m * m);
  }
  if (std::abs(q - reported) > 1e-9 * std::max(1.0, std::abs(q))) {
    return fmt::format("reported modularity {:.12f}, recomputed {:.12f}", reported, q);
  }
  return {};
}

}  // namespace sourcetrace::community
