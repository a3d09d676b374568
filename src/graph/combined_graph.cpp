// combine_layers: weighted, hub-damped sum of the marketplace layers.
#include "sourcetrace/graph/combined_graph.hpp"

#include <algorithm>
#include <cmath>

namespace sourcetrace::graph {

Status validate(const CombineOptions& o) {
  for (double w : o.layer_weight) {
    if (!(w >= 0) || !std::isfinite(w)) return Status::invalid_argument("layer weights must be >= 0");
  }
  if (!(o.hub_degree > 0)) return Status::invalid_argument("hub_degree must be > 0");
  if (!(o.hub_exponent >= 0 && o.hub_exponent <= 1)) {
    return Status::invalid_argument("hub_exponent must be in [0, 1]");
  }
  return Status::ok();
}

Csr combine_layers(MarketGraph& g, const CombineOptions& o) {
  const VertexId n = g.num_entities();
  if (g.source_kind != "market") {
    Csr plain = g.layers.empty() ? Csr{} : std::move(g.layers.front().adjacency.csr);
    g.layers.clear();
    return plain;
  }
  std::vector<EdgeEvents> edges;
  for (const Layer& layer : g.layers) {
    const auto index = static_cast<std::size_t>(layer.id);
    if (index >= o.layer_weight.size() || o.layer_weight[index] == 0) continue;
    const Csr& csr = layer.adjacency.csr;
    auto damping = [&](VertexId v) {
      const double d = static_cast<double>(csr.degree(v));
      return o.damp_hubs && d > o.hub_degree ? std::pow(o.hub_degree / d, o.hub_exponent) : 1.0;
    };
    for (VertexId u = 0; u < n; ++u) {
      const double du = damping(u);
      for (EdgeIndex k = csr.offsets[u]; k < csr.offsets[u + 1]; ++k) {
        const VertexId v = csr.targets[k];
        if (v <= u) continue;  // each undirected edge once
        const double w = o.layer_weight[index] * std::log2(1.0 + layer.adjacency.events[k]) *
                         std::min(du, damping(v));
        edges.push_back({u, v, static_cast<float>(w), layer.adjacency.events[k]});
      }
    }
  }
  g.layers.clear();
  return build_csr(edges, n, /*symmetric=*/true).csr;
}

}  // namespace sourcetrace::graph
