// combine_layers: weighted, hub-damped sum of the marketplace layers.
#include "sourcetrace/graph/combined_graph.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace sourcetrace::graph {

Status validate(const CombineOptions& o) {
  for (double w : o.layer_weight) {
    if (!(w >= 0) || !std::isfinite(w)) return Status::invalid_argument("layer weights must be >= 0");
  }
  for (double w : o.link_weight) {
    if (!(w >= 0) || !std::isfinite(w)) return Status::invalid_argument("link weights must be >= 0");
  }
  if (!(o.hub_degree > 0)) return Status::invalid_argument("hub_degree must be > 0");
  if (!(o.hub_exponent >= 0 && o.hub_exponent <= 1)) {
    return Status::invalid_argument("hub_exponent must be in [0, 1]");
  }
  return Status::ok();
}

namespace {

// How many distinct targets other than u the sorted rows have together:
// the length of u's combined row.
std::size_t distinct_targets(VertexId u, std::span<const LayerRow> rows) {
  std::size_t count = 0;
  merge_layer_rows(rows, [](std::size_t, std::size_t) {}, [&](VertexId target) { count += target != u; });
  return count;
}

}  // namespace

Csr combine_layers(MarketGraph& g, const CombineOptions& o) {
  const VertexId n = g.num_entities();
  if (g.source_kind != "market") {
    Csr plain = g.layers.empty() ? Csr{} : std::move(g.layers.front().adjacency.csr);
    g.layers.clear();
    return plain;
  }
  // The layers are consumed: the directed flows, which combining never
  // reads, go first, so that they and the combined graph are never held at once.
  for (Layer& layer : g.layers) layer.flow = {};
  // The layers that count, and each vertex's damping in each of them.
  std::vector<const Layer*> used;
  std::vector<std::vector<double>> damping;
  for (const Layer& layer : g.layers) {
    const auto index = static_cast<std::size_t>(layer.id);
    if (index >= o.layer_weight.size() || o.layer_weight[index] == 0) continue;
    used.push_back(&layer);
    std::vector<double>& d = damping.emplace_back(n);
#pragma omp parallel for schedule(static)
    for (std::int64_t v = 0; v < static_cast<std::int64_t>(n); ++v) {
      d[v] = hub_damping(o, static_cast<double>(layer.adjacency.csr.degree(static_cast<VertexId>(v))));
    }
  }
  // Vertex u's row in each used layer.
  struct Rows {
    std::array<LayerRow, kMaxCombinedLayers> row;
    std::size_t size = 0;
    std::span<const LayerRow> all() const { return {row.data(), size}; }
  };
  auto rows_of = [&](VertexId u) {
    Rows rows;
    for (std::size_t i = 0; i < used.size() && i < kMaxCombinedLayers; ++i) {
      const AggregatedCsr& a = used[i]->adjacency;
      const EdgeIndex begin = a.csr.offsets[u], end = a.csr.offsets[u + 1];
      const auto arcs = static_cast<std::size_t>(end - begin);
      const std::vector<std::uint16_t>& types = used[i]->link_events;
      rows.row[rows.size++] = {static_cast<std::size_t>(used[i]->id),
                               {a.csr.targets.data() + begin, arcs},
                               {a.events.data() + begin, arcs},
                               damping[i][u],
                               types.empty()
                                   ? std::span<const std::uint16_t>()
                                   : std::span<const std::uint16_t>(types.data() + begin * kLinkTypes, arcs * kLinkTypes)};
    }
    return rows;
  };
  auto neighbour_damping = [&](std::size_t i, VertexId v) { return damping[i][v]; };

  // First pass: each row's length, a merge of the layers' sorted targets
  // (cheap next to the weights, which the second pass computes once).
  Csr combined;
  combined.offsets.assign(static_cast<std::size_t>(n) + 1, 0);
#pragma omp parallel for schedule(dynamic, 1024)
  for (std::int64_t u = 0; u < static_cast<std::int64_t>(n); ++u) {
    combined.offsets[u + 1] = distinct_targets(static_cast<VertexId>(u), rows_of(static_cast<VertexId>(u)).all());
  }
  std::partial_sum(combined.offsets.begin(), combined.offsets.end(), combined.offsets.begin());
  combined.targets.resize(combined.offsets[n]);
  combined.weights.resize(combined.offsets[n]);
  // Second pass: each row's arcs, straight into place.
#pragma omp parallel
  {
    std::vector<VertexId> targets;
    std::vector<float> weights;
#pragma omp for schedule(dynamic, 1024)
    for (std::int64_t u = 0; u < static_cast<std::int64_t>(n); ++u) {
      targets.clear();
      weights.clear();
      combine_row(static_cast<VertexId>(u), rows_of(static_cast<VertexId>(u)).all(), o, neighbour_damping, targets,
                  weights);
      const auto at = static_cast<std::ptrdiff_t>(combined.offsets[u]);
      std::copy(targets.begin(), targets.end(), combined.targets.begin() + at);
      std::copy(weights.begin(), weights.end(), combined.weights.begin() + at);
    }
  }
  g.layers.clear();
  return combined;
}

}  // namespace sourcetrace::graph
