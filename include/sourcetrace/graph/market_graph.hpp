// MarketGraph: everything ingest learns from a dataset, in memory.
//
// The entities (kind, identifier, attributes), the four layers of the
// marketplace as CSR graphs over the same vertex ids, and the evidence rows.
// It is exactly what graph.h5 holds (store/graph_file.hpp writes and reads
// it), and what every later stage starts from. A plain graph read with
// `ingest --edge-list` is a MarketGraph with one layer, "edges", whose
// entities are of kind `vertex`.
//
// Vertex ids are dense, in order of first appearance (entities.csv first,
// then the tables in contract order), so the same dataset always gives the
// same ids.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sourcetrace/entity.hpp"
#include "sourcetrace/graph/csr_builder.hpp"
#include "sourcetrace/graph/key_index.hpp"

namespace sourcetrace::graph {

// How a layer's edge weight is made from its events.
enum class LayerId : std::uint8_t { kSeller, kWarehouse, kPayment, kShipment, kEdges };
inline constexpr std::array<std::string_view, 5> kLayerNames = {"seller", "warehouse", "payment",
                                                                "shipment", "edges"};

// The seller layer's link types (tables::LinkType order: device, address,
// phone, bank_holder, image, contact): a shared device says more about
// common control than a copied product image.
inline constexpr std::size_t kLinkTypes = 6;

struct Layer {
  LayerId id;
  std::string name;
  // What one event adds to the weight: "events", "units" or "amount".
  std::string weight_rule;
  // Symmetric adjacency: both directions of every edge, direction merged.
  AggregatedCsr adjacency;
  // Seller layer only: per adjacency arc, its events of each link type
  // (kLinkTypes entries per arc, arc after arc; saturating at 65535).
  // Empty where the types are not known (another layer, a plain graph).
  std::vector<std::uint16_t> link_events;

  // Adjacency arc `arc`'s events of each link type; empty when the types
  // are not known.
  std::span<const std::uint16_t> link_events_of(EdgeIndex arc) const {
    if (link_events.empty()) return {};
    return {link_events.data() + arc * kLinkTypes, kLinkTypes};
  }
  // Directed layers (payments, shipments) also keep the out-arcs:
  // payer → payee, origin → destination.
  bool directed = false;
  AggregatedCsr flow;
};

// Evidence rows, one entry per row of evidence.csv (columns of equal length).
struct EvidenceTable {
  std::vector<VertexId> entity;
  std::vector<std::uint8_t> signal;     // tables::Signal
  std::vector<std::uint32_t> brand;     // index into MarketGraph::brands (0 = none)
  std::vector<std::int32_t> day;        // days since 1970-01-01
  std::vector<std::uint32_t> reporter;  // index into MarketGraph::reporters (0 = none)
  // Index into MarketGraph::reports (0 = none): the reporter's own id for
  // the report (evidence.csv's optional `report` column), so that a report
  // that also came through the service counts once.
  std::vector<std::uint32_t> report;
  std::size_t size() const { return entity.size(); }
};

struct MarketGraph {
  // "market" (from the table contract) or "edge_list".
  std::string source_kind = "market";
  // Entity keys; each key's tag is its EntityKind.
  KeyIndex::Blob entities;
  std::vector<std::uint32_t> region;     // index into regions (0 = none)
  std::vector<std::int32_t> created_on;  // days since 1970-01-01, INT32_MIN = unknown
  std::vector<Layer> layers;
  EvidenceTable evidence;
  // Dictionaries; entry 0 is the empty string.
  KeyIndex::Blob brands, regions, reporters, reports;

  VertexId num_entities() const { return static_cast<VertexId>(entities.tags.size()); }
  EntityKind kind(VertexId v) const { return static_cast<EntityKind>(entities.tags[v]); }
  std::string_view key(VertexId v) const {
    return {entities.bytes.data() + entities.offsets[v],
            static_cast<std::size_t>(entities.offsets[v + 1] - entities.offsets[v])};
  }
  const Layer* layer(std::string_view name) const {
    for (const Layer& l : layers) {
      if (l.name == name) return &l;
    }
    return nullptr;
  }
  // A directed layer's out-arcs, or a layer's symmetric adjacency; a Csr
  // without arcs when the graph has no such layer (read its rows with
  // neighbours_or_none and weights_or_none).
  const Csr& flow_csr(std::string_view name) const {
    const Layer* l = layer(name);
    return l != nullptr && l->directed ? l->flow.csr : no_arcs();
  }
  const Csr& adjacency_csr(std::string_view name) const {
    const Layer* l = layer(name);
    return l != nullptr ? l->adjacency.csr : no_arcs();
  }

 private:
  static const Csr& no_arcs() {
    static const Csr none;
    return none;
  }
};

// The string at `index` of a dictionary blob.
inline std::string_view dictionary_entry(const KeyIndex::Blob& blob, std::uint32_t index) {
  return {blob.bytes.data() + blob.offsets[index],
          static_cast<std::size_t>(blob.offsets[index + 1] - blob.offsets[index])};
}

}  // namespace sourcetrace::graph
