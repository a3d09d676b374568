// Partition: which community each vertex belongs to.
//
// Communities are numbered 0, 1, … in the order of their first vertex, so
// that equal partitions are equal arrays (and equal files). Every function
// that makes a Partition returns it in that canonical form.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace sourcetrace::community {

using CommunityId = std::uint32_t;

struct Partition {
  std::vector<CommunityId> membership;  // one entry per vertex
  CommunityId num_communities = 0;
};

// Renumbers arbitrary labels into canonical form (first-vertex order).
Partition canonical_partition(std::span<const std::uint32_t> labels);

// Digest (32 hex digits) of the membership: what later stages record to
// say which partition they were computed from.
std::string membership_digest(const Partition& partition);

}  // namespace sourcetrace::community
