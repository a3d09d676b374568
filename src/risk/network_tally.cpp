// Network tally: members by kind and dated evidence rows, per network.
#include "sourcetrace/risk/network_tally.hpp"

#include "sourcetrace/entity.hpp"

namespace sourcetrace::risk {

std::vector<NetworkTally> tally_networks(std::span<const std::uint8_t> kinds, std::span<const std::uint32_t> network_of,
                                         const graph::EvidenceTable& evidence, tables::Day as_of,
                                         std::size_t num_networks) {
  std::vector<NetworkTally> tally(num_networks);
  for (std::size_t v = 0; v < network_of.size(); ++v) {
    NetworkTally& t = tally[network_of[v]];
    const auto kind = static_cast<EntityKind>(kinds[v]);
    ++t.members;
    t.sellers += kind == EntityKind::kSeller;
    t.warehouses += kind == EntityKind::kWarehouse;
    t.accounts += kind == EntityKind::kAccount;
  }
  for (std::size_t i = 0; i < evidence.size(); ++i) {
    if (evidence.day[i] <= as_of) ++tally[network_of[evidence.entity[i]]].evidence;
  }
  return tally;
}

}  // namespace sourcetrace::risk
