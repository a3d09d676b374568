// Network brands: evidence rows → each network's brands, in name order.
#include "sourcetrace/risk/network_brands.hpp"

#include <algorithm>
#include <numeric>

namespace sourcetrace::risk {

Result<NetworkBrands> network_brands(const graph::EvidenceTable& evidence, const graph::KeyIndex::Blob& brand_names,
                                     std::span<const std::uint32_t> network_of, std::size_t num_networks,
                                     tables::Day as_of) {
  const std::size_t num_brands = brand_names.tags.size();
  // (network, brand) pairs, one per dated row naming a brand.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
  for (std::size_t i = 0; i < evidence.size(); ++i) {
    if (evidence.entity[i] >= network_of.size() || evidence.brand[i] >= num_brands ||
        network_of[evidence.entity[i]] >= num_networks) {
      return Status::corrupt("an evidence row names an entity or a brand outside the graph");
    }
    if (evidence.day[i] > as_of || evidence.brand[i] == 0) continue;
    pairs.emplace_back(network_of[evidence.entity[i]], evidence.brand[i]);
  }
  // Each brand's place in name order.
  std::vector<std::uint32_t> by_name(num_brands);
  std::iota(by_name.begin(), by_name.end(), 0u);
  std::sort(by_name.begin(), by_name.end(), [&](std::uint32_t a, std::uint32_t b) {
    return graph::dictionary_entry(brand_names, a) < graph::dictionary_entry(brand_names, b);
  });
  std::vector<std::uint32_t> place(num_brands);
  for (std::uint32_t i = 0; i < num_brands; ++i) place[by_name[i]] = i;
  for (auto& [network, brand] : pairs) brand = place[brand];
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());

  NetworkBrands named;
  named.offsets.assign(num_networks + 1, 0);
  named.brands.reserve(pairs.size());
  for (const auto& [network, brand] : pairs) {
    ++named.offsets[network + 1];
    named.brands.push_back(by_name[brand]);
  }
  std::partial_sum(named.offsets.begin(), named.offsets.end(), named.offsets.begin());
  return named;
}

std::vector<bool> networks_naming(const NetworkBrands& named, const graph::KeyIndex::Blob& brand_names,
                                  std::span<const std::string> brands) {
  std::vector<bool> wanted(brand_names.tags.size(), false);
  for (std::uint32_t b = 1; b < wanted.size(); ++b) {
    const std::string_view name = graph::dictionary_entry(brand_names, b);
    wanted[b] = std::find(brands.begin(), brands.end(), name) != brands.end();
  }
  const std::size_t num_networks = named.offsets.size() - 1;
  std::vector<bool> naming(num_networks, false);
  for (std::uint32_t c = 0; c < num_networks; ++c) {
    for (std::uint32_t b : named.of(c)) naming[c] = naming[c] || wanted[b];
  }
  return naming;
}

}  // namespace sourcetrace::risk
