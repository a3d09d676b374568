// Role: the part an entity plays in a counterfeit supply network.
//
// The same vocabulary as truth.csv's `role` column (docs/tables.md): goods
// flow from sources (factories) through distributors (warehouses) to
// storefronts (sellers, and a storefront's own payout account), and money
// from storefronts to collectors (accounts). `legit` is everything else.
// The risk stage gives each member a role hint from its position in the
// flows; targets and exports use it. Values are stored in risk.h5 and targets.h5: never
// renumber, only append.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sourcetrace::risk {

enum class Role : std::uint8_t { kSource, kDistributor, kStorefront, kCollector, kLegit };

inline constexpr std::array<std::string_view, 5> kRoleNames = {"source", "distributor", "storefront",
                                                               "collector", "legit"};

inline std::string_view role_name(Role role) { return kRoleNames[static_cast<int>(role)]; }

inline std::optional<Role> parse_role(std::string_view name) {
  for (std::size_t i = 0; i < kRoleNames.size(); ++i) {
    if (kRoleNames[i] == name) return static_cast<Role>(i);
  }
  return std::nullopt;
}

}  // namespace sourcetrace::risk
