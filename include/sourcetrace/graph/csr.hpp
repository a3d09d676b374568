// Csr: a graph in compressed sparse row form, the one graph type of the engine.
//
// Vertex v's neighbours are targets[offsets[v] .. offsets[v+1]) with the
// matching weights. A symmetric Csr stores every undirected edge in both
// directions. The arrays are exactly graph.h5's
// /layers/<name>/{offsets,targets,weights}, so store moves them without
// conversion. Build one with CsrBuilder (graph/csr_builder.hpp), which
// guarantees sorted neighbours without duplicates; verify_csr checks that.
// Movable, not copyable by accident (copy with clone()).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace sourcetrace::graph {

using VertexId = std::uint32_t;
using EdgeIndex = std::uint64_t;

struct Csr {
  std::vector<EdgeIndex> offsets{0};  // num_vertices() + 1 entries
  std::vector<VertexId> targets;
  std::vector<float> weights;

  Csr() = default;
  Csr(Csr&&) = default;
  Csr& operator=(Csr&&) = default;
  Csr(const Csr&) = delete;
  Csr& operator=(const Csr&) = delete;
  Csr clone() const {
    Csr c;
    c.offsets = offsets;
    c.targets = targets;
    c.weights = weights;
    return c;
  }

  VertexId num_vertices() const { return static_cast<VertexId>(offsets.size() - 1); }
  // Stored arcs: twice the undirected edges of a symmetric Csr.
  EdgeIndex num_arcs() const { return targets.size(); }
  EdgeIndex degree(VertexId v) const { return offsets[v + 1] - offsets[v]; }
  std::span<const VertexId> neighbours(VertexId v) const {
    return {targets.data() + offsets[v], static_cast<std::size_t>(degree(v))};
  }
  std::span<const float> neighbour_weights(VertexId v) const {
    return {weights.data() + offsets[v], static_cast<std::size_t>(degree(v))};
  }
};

// Vertex v's row, and its weights; empty when v lies past the Csr's
// vertices, so that a layer a graph lacks (MarketGraph::flow_csr) reads as
// one without arcs.
inline std::span<const VertexId> neighbours_or_none(const Csr& c, VertexId v) {
  return v + 1 < c.offsets.size() ? c.neighbours(v) : std::span<const VertexId>();
}
inline std::span<const float> weights_or_none(const Csr& c, VertexId v) {
  return v + 1 < c.offsets.size() ? c.neighbour_weights(v) : std::span<const float>();
}

// The reverse of a directed Csr over `num_vertices` vertices (at least
// csr's): arc u→v becomes v→u with the same weight, rows in increasing
// target order. A shipment layer's flow transposed says who supplies whom.
Csr transposed(const Csr& csr, VertexId num_vertices);

// Each vertex's strength: the sum of its arc weights (its weighted degree),
// what modularity and the evidence spread weigh a vertex by.
std::vector<double> vertex_strengths(const Csr& csr);

// Checks the CSR invariants: offsets start at 0, never decrease and end at
// the arc count; targets are in range, strictly increasing within a row (no
// duplicates); weights match targets in length and are finite and
// non-negative; with `symmetric`, every arc u→v has v→u with the same
// weight; with `no_self_loops`, no v→v. Returns an empty string when all
// hold, otherwise the first violation in words.
std::string verify_csr(const Csr& csr, bool symmetric, bool no_self_loops);

}  // namespace sourcetrace::graph
