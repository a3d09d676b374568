// The combined graph: layer weights, log events, hub damping.
#include <catch2/catch.hpp>
#include <cmath>

#include "sourcetrace/graph/combined_graph.hpp"

using namespace sourcetrace;
using namespace sourcetrace::graph;

namespace {

// A market with a hub warehouse (vertex 0) stocked by sellers 1..200, and a
// small warehouse (201) stocked by sellers 1 and 2; seller 1 and 2 linked.
MarketGraph hub_market() {
  MarketGraph g;
  const VertexId n = 202;
  for (VertexId v = 0; v < n; ++v) g.entities.tags.push_back(v == 0 || v == 201 ? 1 : 0);
  std::vector<EdgeEvents> stock, links;
  for (VertexId s = 1; s <= 200; ++s) stock.push_back({s, 0, 10.0f, 1});
  stock.push_back({1, 201, 5.0f, 3});
  stock.push_back({2, 201, 5.0f, 3});
  links.push_back({1, 2, 1.0f, 1});
  for (int i = 0; i < 4; ++i) {
    Layer l;
    l.id = static_cast<LayerId>(i);
    l.name = std::string(kLayerNames[i]);
    l.adjacency = build_csr(i == 0 ? links : i == 1 ? stock : std::vector<EdgeEvents>{}, n, true);
    g.layers.push_back(std::move(l));
  }
  return g;
}

float weight(const Csr& csr, VertexId u, VertexId v) {
  auto nb = csr.neighbours(u);
  for (std::size_t k = 0; k < nb.size(); ++k) {
    if (nb[k] == v) return csr.neighbour_weights(u)[k];
  }
  return 0;
}

}  // namespace

TEST_CASE("graph: combined weights are layer weight x log2(1 + events), damped at hubs", "[graph][fast]") {
  CombineOptions o;
  o.layer_weight = {2.0, 1.0, 1.0, 1.0};
  o.hub_degree = 50;
  o.hub_exponent = 1.0;
  MarketGraph copy = hub_market();
  Csr c = combine_layers(copy, o);
  CHECK(copy.layers.empty());
  CHECK(verify_csr(c, true, true).empty());
  CHECK(weight(c, 1, 2) == Approx(2.0));                   // 2 x log2(2)
  CHECK(weight(c, 1, 201) == Approx(2.0));                 // log2(1 + 3), small warehouse: no damping
  CHECK(weight(c, 1, 0) == Approx(50.0 / 200.0));          // hub of degree 200: damped by 50/200
  auto combined = [&](const CombineOptions& options) {
    MarketGraph fresh = hub_market();
    return combine_layers(fresh, options);
  };
  o.hub_exponent = 0.5;
  CHECK(weight(combined(o), 1, 0) == Approx(std::sqrt(50.0 / 200.0)));
  o.damp_hubs = false;
  CHECK(weight(combined(o), 1, 0) == Approx(1.0));
  o.layer_weight[0] = 0;  // a layer can be switched off
  CHECK(weight(combined(o), 1, 2) == 0.0f);
}

TEST_CASE("graph: combine options are validated", "[graph][fast]") {
  CombineOptions o;
  CHECK(validate(o).is_ok());
  o.hub_degree = 0;
  CHECK(!validate(o).is_ok());
  o = {};
  o.layer_weight[2] = -1;
  CHECK(!validate(o).is_ok());
  o = {};
  o.hub_exponent = 2;
  CHECK(!validate(o).is_ok());
}
