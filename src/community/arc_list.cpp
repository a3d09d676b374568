// Round-level aggregation: components by union-find, arcs by radix sort.
#include "sourcetrace/community/arc_list.hpp"

#include <algorithm>
#include <bit>
#include <numeric>

namespace sourcetrace::community {

std::vector<graph::VertexId> community_components(const graph::Csr& g, std::span<const graph::VertexId> comm,
                                                  graph::VertexId owned) {
  std::vector<graph::VertexId> parent(owned);
  std::iota(parent.begin(), parent.end(), graph::VertexId{0});
  auto find = [&](graph::VertexId v) {
    while (parent[v] != v) v = parent[v] = parent[parent[v]];
    return v;
  };
  for (graph::VertexId u = 0; u < owned; ++u) {
    for (graph::VertexId v : g.neighbours(u)) {
      if (v < owned && comm[v] == comm[u]) {
        const graph::VertexId a = find(u), b = find(v);
        if (a != b) parent[std::max(a, b)] = std::min(a, b);  // the smaller stays the root
      }
    }
  }
  for (graph::VertexId u = 0; u < owned; ++u) parent[u] = find(u);
  return parent;
}

std::vector<WeightedArc> coarse_arcs(const graph::Csr& csr, std::span<const graph::VertexId> coarse_of) {
  std::vector<WeightedArc> arcs;
  arcs.reserve(csr.num_arcs());
  for (graph::VertexId u = 0; u < csr.num_vertices(); ++u) {
    auto nb = csr.neighbours(u);
    auto wt = csr.neighbour_weights(u);
    for (std::size_t k = 0; k < nb.size(); ++k) arcs.push_back({coarse_of[u], coarse_of[nb[k]], to_fixed(wt[k])});
  }
  return arcs;
}

void sort_and_sum(std::vector<WeightedArc>& arcs, graph::VertexId n) {
  const int bits = std::max(1, static_cast<int>(std::bit_width(n)));
  auto key = [bits](const WeightedArc& a) { return (std::uint64_t{a.from} << bits) | a.to; };
  std::vector<WeightedArc> sorted(arcs.size());
  std::vector<std::size_t> at(std::size_t{1} << 16);
  for (int shift = 0; shift < 2 * bits; shift += 16) {
    std::fill(at.begin(), at.end(), 0);
    for (const WeightedArc& a : arcs) ++at[(key(a) >> shift) & 0xFFFF];
    std::exclusive_scan(at.begin(), at.end(), at.begin(), std::size_t{0});
    for (const WeightedArc& a : arcs) sorted[at[(key(a) >> shift) & 0xFFFF]++] = a;
    arcs.swap(sorted);
  }
  std::size_t out = 0;
  for (std::size_t k = 0; k < arcs.size();) {
    WeightedArc sum = arcs[k++];
    for (; k < arcs.size() && arcs[k].from == sum.from && arcs[k].to == sum.to; ++k) sum.weight += arcs[k].weight;
    arcs[out++] = sum;
  }
  arcs.resize(out);
}

graph::Csr rows_from_arcs(const std::vector<WeightedArc>& arcs, graph::VertexId first, graph::VertexId count) {
  graph::Csr rows;
  rows.offsets.assign(static_cast<std::size_t>(count) + 1, 0);
  rows.targets.resize(arcs.size());
  rows.weights.resize(arcs.size());
  for (std::size_t k = 0; k < arcs.size(); ++k) {
    ++rows.offsets[arcs[k].from - first + 1];
    rows.targets[k] = arcs[k].to;
    rows.weights[k] = static_cast<float>(from_fixed(arcs[k].weight));
  }
  std::partial_sum(rows.offsets.begin(), rows.offsets.end(), rows.offsets.begin());
  return rows;
}

}  // namespace sourcetrace::community
