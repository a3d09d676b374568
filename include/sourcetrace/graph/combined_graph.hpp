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
// has degree d in that layer is multiplied by (hub_degree / d)^hub_exponent
// when d > hub_degree: the resource-allocation idea (Zhou, Lü & Zhang 2009)
// with a knee. Below the knee nothing changes; above it a hub's pull grows
// only as sqrt(d) (exponent 0.5), so a ring that stocks at a hub is not
// merged into the hub's thousands of legitimate sellers, while those
// sellers keep some anchor to their hub (with exponent 1 they lose it and
// drift into whatever ring they share one weak link with; measured in
// docs/community.md).
//
// A plain graph (from `ingest --edge-list`) is returned as it is.
//
// Memory: the layers are moved out of `graph` (detection needs only the
// combined graph and the entities), so the graph is never held twice.
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
  // Strength of the damping: factor (hub_degree / d)^hub_exponent, in [0, 1].
  double hub_exponent = 0.5;
};

Status validate(const CombineOptions& options);

// REQUIRES: validate(options) is ok. Leaves graph.layers empty.
Csr combine_layers(MarketGraph& graph, const CombineOptions& options);

}  // namespace sourcetrace::graph
