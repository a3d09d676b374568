// Csr's functions: vertex strengths, the transpose, and verify_csr, the
// serial, obviously-right check of the CSR invariants.
#include "sourcetrace/graph/csr.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace sourcetrace::graph {

std::vector<double> vertex_strengths(const Csr& csr) {
  std::vector<double> strength(csr.num_vertices());
#pragma omp parallel for schedule(static)
  for (std::int64_t v = 0; v < static_cast<std::int64_t>(strength.size()); ++v) {
    double k = 0;
    for (float w : csr.neighbour_weights(static_cast<VertexId>(v))) k += w;
    strength[static_cast<std::size_t>(v)] = k;
  }
  return strength;
}

Csr transposed(const Csr& csr, VertexId num_vertices) {
  Csr t;
  t.offsets.assign(static_cast<std::size_t>(num_vertices) + 1, 0);
  for (VertexId target : csr.targets) ++t.offsets[target + 1];
  for (VertexId v = 0; v < num_vertices; ++v) t.offsets[v + 1] += t.offsets[v];
  t.targets.resize(csr.targets.size());
  t.weights.resize(csr.targets.size());
  std::vector<EdgeIndex> at(t.offsets.begin(), t.offsets.end() - 1);
  // Sources visited in increasing order fill each reversed row in order.
  for (VertexId u = 0; u < csr.num_vertices(); ++u) {
    const auto targets = csr.neighbours(u);
    const auto weights = csr.neighbour_weights(u);
    for (std::size_t k = 0; k < targets.size(); ++k) {
      const EdgeIndex slot = at[targets[k]]++;
      t.targets[slot] = u;
      t.weights[slot] = weights[k];
    }
  }
  return t;
}

std::string verify_csr(const Csr& g, bool symmetric, bool no_self_loops) {
  if (g.offsets.empty() || g.offsets.front() != 0) return "offsets do not start at 0";
  if (g.offsets.back() != g.targets.size()) return "the last offset is not the arc count";
  if (g.weights.size() != g.targets.size()) return "weights and targets differ in length";
  const VertexId n = g.num_vertices();
  for (VertexId v = 0; v < n; ++v) {
    if (g.offsets[v] > g.offsets[v + 1]) return fmt::format("offsets decrease at vertex {}", v);
    auto nb = g.neighbours(v);
    auto w = g.neighbour_weights(v);
    for (std::size_t k = 0; k < nb.size(); ++k) {
      if (nb[k] >= n) return fmt::format("vertex {} has a neighbour out of range", v);
      if (k > 0 && nb[k] <= nb[k - 1]) return fmt::format("row {} is not strictly sorted", v);
      if (!std::isfinite(w[k]) || w[k] < 0) return fmt::format("row {} has a bad weight", v);
      if (no_self_loops && nb[k] == v) return fmt::format("vertex {} has a self-loop", v);
      if (symmetric) {
        auto back = g.neighbours(nb[k]);
        auto it = std::lower_bound(back.begin(), back.end(), v);
        if (it == back.end() || *it != v) return fmt::format("arc {}->{} has no reverse", v, nb[k]);
        if (g.neighbour_weights(nb[k])[it - back.begin()] != w[k]) {
          return fmt::format("arc {}->{} and its reverse differ in weight", v, nb[k]);
        }
      }
    }
  }
  return {};
}

}  // namespace sourcetrace::graph
