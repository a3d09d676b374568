// The combined marketplace graph that community detection runs on.
//
// The four layers say different things about the same entities; detection
// needs one weighted graph. Each layer's edge counts with the layer's
// weight (from the job file) times log2(1 + events): repeated observations
// strengthen a tie, but with diminishing returns, and quantities (units,
// amounts) are left out because they span orders of magnitude and would
// drown every other signal. In the seller layer each event counts its link
// type's weight, log2(1 + sum of the events' weights): sellers that share a
// device, a phone or a bank-account holder are under common control far
// more often than sellers that share a product image or a contact address,
// which honest sellers copy and agencies share (all weights 1: plain events).
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
#include <cmath>
#include <span>
#include <vector>

#include "sourcetrace/graph/market_graph.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::graph {

struct CombineOptions {
  // Weight of each marketplace layer: seller, warehouse, payment, shipment.
  std::array<double, 4> layer_weight = {1.0, 1.0, 1.0, 1.0};
  // Weight of one seller-link event of each type (device, address, phone,
  // bank_holder, image, contact), where graph.h5 knows the types.
  std::array<double, kLinkTypes> link_weight = {1.0, 0.5, 1.0, 1.0, 0.2, 0.2};
  bool damp_hubs = true;
  // Degree above which an endpoint's edges are damped (> 0).
  double hub_degree = 50;
  // Strength of the damping: factor (hub_degree / d)^hub_exponent, in [0, 1].
  double hub_exponent = 0.5;
};

Status validate(const CombineOptions& options);

// REQUIRES: validate(options) is ok. Leaves graph.layers empty.
Csr combine_layers(MarketGraph& graph, const CombineOptions& options);

// The damping factor of an endpoint with `degree` arcs in a layer.
inline double hub_damping(const CombineOptions& o, double degree) {
  return o.damp_hubs && degree > o.hub_degree ? std::pow(o.hub_degree / degree, o.hub_exponent) : 1.0;
}

// The most layers one combined row merges (the market has four).
inline constexpr std::size_t kMaxCombinedLayers = 8;

// One vertex's row in one layer: targets sorted without duplicates.
struct LayerRow {
  std::size_t layer = 0;  // index into CombineOptions::layer_weight
  std::span<const VertexId> targets;
  std::span<const std::uint32_t> events;
  double self_damping = 1;  // hub_damping of the row's own vertex in this layer
  // Seller layer: kLinkTypes event counts per target (Layer::link_events);
  // empty: every event weighs 1.
  std::span<const std::uint16_t> link_events = {};
};

// What the events of arc k of `row` weigh before the layer weight and the
// damping: log2(1 + events), each event weighted by its link type if known.
inline double arc_events_weight(const LayerRow& row, std::size_t k, const std::array<double, kLinkTypes>& link_weight) {
  if (row.link_events.empty()) return std::log2(1.0 + row.events[k]);
  double events = 0;
  for (std::size_t t = 0; t < kLinkTypes; ++t) events += link_weight[t] * row.link_events[k * kLinkTypes + t];
  return std::log2(1.0 + events);
}

// Walks the rows' targets in increasing order, each target once: arc(i, k)
// for every row i, in row order, whose arc k goes to it, then done(target).
// combine_row and the count of a row's arcs step through the rows alike.
template <typename Arc, typename Done>
void merge_layer_rows(std::span<const LayerRow> rows, Arc&& arc, Done&& done) {
  std::array<std::size_t, kMaxCombinedLayers> at{};
  const std::size_t layers = std::min(rows.size(), kMaxCombinedLayers);
  for (;;) {
    VertexId next = UINT32_MAX;
    bool any = false;
    for (std::size_t i = 0; i < layers; ++i) {
      if (at[i] < rows[i].targets.size()) {
        next = any ? std::min(next, rows[i].targets[at[i]]) : rows[i].targets[at[i]];
        any = true;
      }
    }
    if (!any) return;
    for (std::size_t i = 0; i < layers; ++i) {
      if (at[i] < rows[i].targets.size() && rows[i].targets[at[i]] == next) arc(i, at[i]++);
    }
    done(next);
  }
}

// Vertex u's combined row, appended to `targets`/`weights`: per target in
// increasing order, the layers' contributions summed in layer order (so the
// serial graph and each rank's rows of the distributed one agree bit for
// bit); u itself is left out. `neighbour_damping(i, v)` is the damping of
// neighbour v in rows[i]'s layer. Returns the arcs appended.
template <typename NeighbourDamping>
std::size_t combine_row(VertexId u, std::span<const LayerRow> rows, const CombineOptions& o,
                        NeighbourDamping&& neighbour_damping, std::vector<VertexId>& targets,
                        std::vector<float>& weights) {
  std::size_t appended = 0;
  double weight = 0;
  merge_layer_rows(
      rows,
      [&](std::size_t i, std::size_t k) {
        const LayerRow& r = rows[i];
        weight += static_cast<float>(o.layer_weight[r.layer] * arc_events_weight(r, k, o.link_weight) *
                                     std::min(r.self_damping, neighbour_damping(i, r.targets[k])));
      },
      [&](VertexId target) {
        if (target != u) {
          targets.push_back(target);
          weights.push_back(static_cast<float>(weight));
          ++appended;
        }
        weight = 0;
      });
  return appended;
}

}  // namespace sourcetrace::graph
