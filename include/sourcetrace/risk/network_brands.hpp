// Network brands: the brands each network's evidence names, as of the run
// date.
//
// They are what networks.csv's `brands` column lists, and they decide who
// may see a network: a brand's token in the query service and `sourcetrace
// export --brand` see exactly the networks that name one of its brands
// (service/visibility.hpp). One function computes them for both, so the
// export a brand receives and the service it queries never disagree on
// what it may see. Evidence counts up to the risk stage's as-of date, as
// the score did: a report dated after the run names nothing yet.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sourcetrace/graph/market_graph.hpp"
#include "sourcetrace/status.hpp"
#include "sourcetrace/tables/contract.hpp"

namespace sourcetrace::risk {

struct NetworkBrands {
  // Per network (CSR), brand dictionary ids (graph.h5's brands, never 0,
  // the entry for none), each once, in the order of the brands' names.
  std::vector<std::uint32_t> offsets{0}, brands;

  std::span<const std::uint32_t> of(std::uint32_t network) const {
    return {brands.data() + offsets[network], offsets[network + 1] - offsets[network]};
  }
};

// The brands named by the evidence rows dated on or before `as_of`, per
// network of `network_of` (each entity's network, below `num_networks`).
// kCorrupt when a row names an entity or a brand outside the graph.
Result<NetworkBrands> network_brands(const graph::EvidenceTable& evidence, const graph::KeyIndex::Blob& brand_names,
                                     std::span<const std::uint32_t> network_of, std::size_t num_networks,
                                     tables::Day as_of);

// The networks that name one of `brands` (by name; a name the run does not
// know names none).
std::vector<bool> networks_naming(const NetworkBrands& named, const graph::KeyIndex::Blob& brand_names,
                                  std::span<const std::string> brands);

}  // namespace sourcetrace::risk
