// LayeredAdjacency: the layers' symmetric adjacency merged into one CSR.
//
// The query service walks "all four graphs at once": an entity's
// neighbours are listed by layer then neighbour id, and a path may change
// layer at every step. One CSR whose row v is the concatenation of v's rows
// in every layer (in layer order) gives both with one offsets array: the
// row is sorted by (layer, neighbour), so the neighbour list is a slice of
// it and the first layer linking two entities is a binary search. It costs
// 8 bytes per entity and 9 per arc (target, weight, layer byte), against 32
// and 12 for the four layers' own CSRs with their event counts — which,
// like the directed `flow` arcs, no query reads.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sourcetrace/graph/market_graph.hpp"

namespace sourcetrace::service {

using graph::VertexId;

class LayeredAdjacency {
 public:
  LayeredAdjacency() = default;

  // Merges the layers' symmetric adjacency, in the order given, over
  // `num_vertices` vertices. Consumes `layers`: each layer's arrays are
  // freed as soon as they are copied, so the peak is one layer above the
  // result. At most 255 layers.
  static LayeredAdjacency merge(std::vector<graph::Layer> layers, VertexId num_vertices);

  VertexId num_vertices() const { return static_cast<VertexId>(offsets_.size() - 1); }
  std::size_t num_layers() const { return layer_names_.size(); }
  const std::string& layer_name(std::uint8_t layer) const { return layer_names_[layer]; }

  // Row v: positions offsets(v) .. offsets(v + 1) of target/weight/layer.
  std::uint64_t begin(VertexId v) const { return offsets_[v]; }
  std::uint64_t end(VertexId v) const { return offsets_[v + 1]; }
  VertexId target(std::uint64_t arc) const { return targets_[arc]; }
  float weight(std::uint64_t arc) const { return weights_[arc]; }
  std::uint8_t layer(std::uint64_t arc) const { return layers_[arc]; }

  // The arc u → w of the first layer (in layer order) that links them.
  std::optional<std::uint64_t> first_link(VertexId u, VertexId w) const;

  // Bytes held (for the memory report).
  std::size_t bytes() const;

 private:
  std::vector<std::uint64_t> offsets_{0};
  std::vector<VertexId> targets_;
  std::vector<float> weights_;
  std::vector<std::uint8_t> layers_;
  std::vector<std::string> layer_names_;
};

}  // namespace sourcetrace::service
