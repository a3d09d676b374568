// LayeredAdjacency: the layers' symmetric adjacency merged into one CSR.
//
// The query service walks "all four graphs at once": an entity's
// neighbours are listed by layer then neighbour id, and a path may change
// layer at every step. One CSR whose row v is the concatenation of v's rows
// in every layer (in layer order) gives both with one offsets array: the
// row is sorted by (layer, neighbour), so the neighbour list is a slice of
// it and the first layer linking two entities is a binary search. It costs
// 8 bytes per entity and 9 per arc (target, weight, layer byte), against 32
// and 12 for the four layers' own CSRs with their event counts, which no
// query reads. Directed layers (payments, shipments) add 4 bytes per arc:
// the flow from the row's entity to the arc's target, so the graph view
// draws goods and money the way they went and the trace follows them; the
// flow the other way is that of the reverse arc.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
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
  // Directed layers: what went from the row's entity to target(arc)
  // (units, amount); 0 when nothing went that way. Undirected layers: 0.
  float flow(std::uint64_t arc) const { return flows_.empty() ? 0.0f : flows_[arc]; }
  bool directed(std::uint8_t layer) const { return directed_[layer]; }
  // The layer named `name`, if merged.
  std::optional<std::uint8_t> find_layer(std::string_view name) const;

  // The arc u → w of the first layer (in layer order) that links them.
  std::optional<std::uint64_t> first_link(VertexId u, VertexId w) const;
  // The arc u → w of `layer`, if they are linked in it.
  std::optional<std::uint64_t> link(VertexId u, VertexId w, std::uint8_t layer) const;
  // Row v's arcs of `layer`: [first, second).
  std::pair<std::uint64_t, std::uint64_t> layer_arcs(VertexId v, std::uint8_t layer) const;

  // Bytes held (for the memory report).
  std::size_t bytes() const;

 private:
  std::vector<std::uint64_t> offsets_{0};
  std::vector<VertexId> targets_;
  std::vector<float> weights_;
  std::vector<std::uint8_t> layers_;
  std::vector<float> flows_;  // empty when no layer is directed
  std::vector<std::string> layer_names_;
  std::vector<bool> directed_;
};

}  // namespace sourcetrace::service
