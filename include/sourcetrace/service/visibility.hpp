// Visibility: which networks, and so which entities, one caller may see.
//
// Made per call from the caller's scope (run_snapshot.hpp): an
// investigator sees everything; a brand token the networks whose evidence
// names one of its brands, and the entities of those networks. Every query
// asks only this, so that a hidden network cannot leak through a neighbour
// list, a path or a target: whatever it says no to is treated exactly as
// if it did not exist. A bit per network, set from the brands' network
// lists, so a check is one load, even inside a path search.
#pragma once

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "sourcetrace/graph/csr.hpp"

namespace sourcetrace::service {

class Visibility {
 public:
  // Everything: `network_of` maps each entity to its network.
  explicit Visibility(std::span<const std::uint32_t> network_of) : network_of_(network_of), all_(true) {}
  // Only the networks marked in `networks`.
  Visibility(std::span<const std::uint32_t> network_of, std::vector<bool> networks)
      : network_of_(network_of), networks_(std::move(networks)), all_(false) {}

  bool everything() const { return all_; }
  bool network(std::uint32_t c) const { return all_ || networks_[c]; }
  bool entity(graph::VertexId v) const { return all_ || networks_[network_of_[v]]; }
  // The networks marked, by index; REQUIRES: !everything().
  const std::vector<bool>& networks() const { return networks_; }

 private:
  std::span<const std::uint32_t> network_of_;
  std::vector<bool> networks_;
  bool all_;
};

}  // namespace sourcetrace::service
