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

}  // namespace sourcetrace::community
