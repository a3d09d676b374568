// Target scope: the visible targets in the global order, ranked 1..k.
#include "sourcetrace/targets/target_scope.hpp"

namespace sourcetrace::targets {

std::vector<std::uint32_t> targets_in_scope(std::span<const std::uint32_t> target_network,
                                            const std::vector<bool>& visible) {
  std::vector<std::uint32_t> in_scope;
  for (std::uint32_t i = 0; i < target_network.size(); ++i) {
    if (target_network[i] < visible.size() && visible[target_network[i]]) in_scope.push_back(i);
  }
  return in_scope;
}

}  // namespace sourcetrace::targets
