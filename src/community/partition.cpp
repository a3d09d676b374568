// canonical_partition: relabel by order of first appearance.
#include "sourcetrace/community/partition.hpp"

#include <algorithm>
#include <limits>

#include "sourcetrace/tables/digest.hpp"

namespace sourcetrace::community {

Partition canonical_partition(std::span<const std::uint32_t> labels) {
  Partition p;
  p.membership.resize(labels.size());
  std::uint32_t max_label = 0;
  for (std::uint32_t l : labels) max_label = std::max(max_label, l);
  constexpr CommunityId kUnseen = std::numeric_limits<CommunityId>::max();
  std::vector<CommunityId> renamed(labels.empty() ? 0 : std::size_t{max_label} + 1, kUnseen);
  for (std::size_t v = 0; v < labels.size(); ++v) {
    CommunityId& r = renamed[labels[v]];
    if (r == kUnseen) r = p.num_communities++;
    p.membership[v] = r;
  }
  return p;
}

std::string membership_digest(const Partition& partition) {
  return tables::digest_of({reinterpret_cast<const char*>(partition.membership.data()),
                            partition.membership.size() * sizeof(CommunityId)})
      .hex();
}

}  // namespace sourcetrace::community
