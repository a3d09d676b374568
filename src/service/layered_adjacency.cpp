// LayeredAdjacency: count, scatter layer by layer, look up by (layer, id).
#include "sourcetrace/service/layered_adjacency.hpp"

#include <algorithm>
#include <stdexcept>

namespace sourcetrace::service {

LayeredAdjacency LayeredAdjacency::merge(std::vector<graph::Layer> layers, VertexId num_vertices) {
  if (layers.size() > 255) throw std::length_error("LayeredAdjacency: more than 255 layers");
  LayeredAdjacency a;
  a.offsets_.assign(static_cast<std::size_t>(num_vertices) + 1, 0);
  for (const graph::Layer& l : layers) {
    const graph::Csr& c = l.adjacency.csr;
    const VertexId n = std::min(num_vertices, c.num_vertices());
    for (VertexId v = 0; v < n; ++v) a.offsets_[v + 1] += c.degree(v);
  }
  for (VertexId v = 0; v < num_vertices; ++v) a.offsets_[v + 1] += a.offsets_[v];
  const std::uint64_t arcs = a.offsets_.back();
  a.targets_.resize(arcs);
  a.weights_.resize(arcs);
  a.layers_.resize(arcs);
  if (std::any_of(layers.begin(), layers.end(), [](const graph::Layer& l) { return l.directed; })) {
    a.flows_.assign(arcs, 0.0f);
  }

  // Layer by layer: each row's cursor moves on by that layer's row, so a
  // merged row is sorted by (layer, neighbour) because each layer's is.
  std::vector<std::uint64_t> cursor(a.offsets_.begin(), a.offsets_.end() - 1);
  for (std::size_t index = 0; index < layers.size(); ++index) {
    graph::Layer& l = layers[index];
    a.layer_names_.push_back(l.name);
    a.directed_.push_back(l.directed);
    l.adjacency.events = {};
    const graph::Csr& c = l.adjacency.csr;
    const VertexId n = std::min(num_vertices, c.num_vertices());
    for (VertexId v = 0; v < n; ++v) {
      const auto targets = c.neighbours(v);
      const auto weights = c.neighbour_weights(v);
      const auto at = static_cast<std::ptrdiff_t>(cursor[v]);
      std::copy(targets.begin(), targets.end(), a.targets_.begin() + at);
      std::copy(weights.begin(), weights.end(), a.weights_.begin() + at);
      std::fill_n(a.layers_.begin() + at, targets.size(), static_cast<std::uint8_t>(index));
      if (l.directed) {
        // Both rows are sorted by target, and every out-arc is also an
        // adjacency arc: one walk along the two.
        const auto out = graph::neighbours_or_none(l.flow.csr, v);
        const auto out_weights = graph::weights_or_none(l.flow.csr, v);
        std::size_t j = 0;
        for (std::size_t i = 0; i < out.size(); ++i) {
          while (j < targets.size() && targets[j] < out[i]) ++j;
          if (j < targets.size() && targets[j] == out[i]) a.flows_[cursor[v] + j] = out_weights[i];
        }
      }
      cursor[v] += targets.size();
    }
    l = {};  // frees this layer before the next is copied
  }
  return a;
}

std::optional<std::uint64_t> LayeredAdjacency::first_link(VertexId u, VertexId w) const {
  // The row is sorted by (layer, target): one binary search per layer.
  const std::uint64_t row_begin = offsets_[u], row_end = offsets_[u + 1];
  std::uint64_t lo = row_begin;
  for (std::size_t l = 0; l < layer_names_.size() && lo < row_end; ++l) {
    const auto layer = static_cast<std::uint8_t>(l);
    // This layer's segment: [lo, hi).
    const auto layer_end = std::upper_bound(layers_.begin() + static_cast<std::ptrdiff_t>(lo),
                                            layers_.begin() + static_cast<std::ptrdiff_t>(row_end), layer);
    const auto hi = static_cast<std::uint64_t>(layer_end - layers_.begin());
    const auto first = targets_.begin() + static_cast<std::ptrdiff_t>(lo);
    const auto last = targets_.begin() + static_cast<std::ptrdiff_t>(hi);
    const auto it = std::lower_bound(first, last, w);
    if (it != last && *it == w) return static_cast<std::uint64_t>(it - targets_.begin());
    lo = hi;
  }
  return std::nullopt;
}

std::pair<std::uint64_t, std::uint64_t> LayeredAdjacency::layer_arcs(VertexId v, std::uint8_t layer) const {
  const auto row_begin = layers_.begin() + static_cast<std::ptrdiff_t>(offsets_[v]);
  const auto row_end = layers_.begin() + static_cast<std::ptrdiff_t>(offsets_[v + 1]);
  const auto [first, last] = std::equal_range(row_begin, row_end, layer);
  return {static_cast<std::uint64_t>(first - layers_.begin()), static_cast<std::uint64_t>(last - layers_.begin())};
}

std::optional<std::uint64_t> LayeredAdjacency::link(VertexId u, VertexId w, std::uint8_t layer) const {
  const auto [lo, hi] = layer_arcs(u, layer);
  const auto first = targets_.begin() + static_cast<std::ptrdiff_t>(lo);
  const auto last = targets_.begin() + static_cast<std::ptrdiff_t>(hi);
  const auto it = std::lower_bound(first, last, w);
  if (it != last && *it == w) return static_cast<std::uint64_t>(it - targets_.begin());
  return std::nullopt;
}

std::optional<std::uint8_t> LayeredAdjacency::find_layer(std::string_view name) const {
  for (std::size_t l = 0; l < layer_names_.size(); ++l) {
    if (layer_names_[l] == name) return static_cast<std::uint8_t>(l);
  }
  return std::nullopt;
}

std::size_t LayeredAdjacency::bytes() const {
  return offsets_.capacity() * sizeof(std::uint64_t) + targets_.capacity() * sizeof(VertexId) +
         weights_.capacity() * sizeof(float) + layers_.capacity() + flows_.capacity() * sizeof(float);
}

}  // namespace sourcetrace::service
