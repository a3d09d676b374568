// The combined marketplace graph that community detection runs on.
//
// The four layers say different things about the same entities; detection
// needs one weighted graph. Each layer's edge counts with the layer's
// weight (from the job file) times log2(1 + events): repeated observations
// strengthen a tie, but with diminishing returns, and quantities (units,
// amounts) are left out because they span orders of magnitude and would
// drown every other signal.
//
// Hub damping: a tie through an entity shared by thousands of sellers (a
// 3PL warehouse, a payment processor) says little about common control; a
// tie through one shared by five says a lot. An edge whose busier endpoint
// has degree d in that layer is multiplied by min(1, hub_degree / d), the
// resource-allocation idea (Zhou, Lü & Zhang 2009) with a knee: below the
// knee nothing changes, above it a hub's total pull stays that of a vertex
// of degree hub_degree, so a ring that stocks at a hub is not merged into
// the hub's thousands of legitimate sellers.
//
// A plain graph (from `ingest --edge-list`) is returned as it is.
#pragma once

#include <array>

#include "sourcetrace/graph/market_graph.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::graph {

struct CombineOptions {
  // Weight of each marketplace layer: seller, warehouse, payment, shipment.
  std::array<double, 4> layer_weight = {1.0, 1.0, 1.0, 1.0};
  bool damp_hubs = true;
  // Degree above which an endpoint's edges are damped (> 0).
  double hub_degree = 50;
};

Status validate(const CombineOptions& options);

// REQUIRES: validate(options) is ok.
Csr combine_layers(const MarketGraph& graph, const CombineOptions& options);

}  // namespace sourcetrace::graph
