// NeighbourWeights: the weight from one vertex to each community around it,
// the scratch every local-moving step fills (one per thread).
//
// A dense index over community ids (sized once per level) and the list of
// the touched ones, so that clearing costs the vertex's degree, not the
// level's size. W is the weight type: double for Leiden, Fixed for levels
// moved in rounds (round_moving.hpp), whose sums must not depend on order.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "sourcetrace/graph/csr.hpp"

namespace sourcetrace::community {

template <typename W>
class NeighbourWeights {
 public:
  void resize(std::size_t n) {
    index_.assign(n, 0);
    entries_.clear();
  }
  void add(graph::VertexId c, W w) {
    std::uint32_t& i = index_[c];
    if (i == 0) {
      entries_.push_back({c, W{}});
      i = static_cast<std::uint32_t>(entries_.size());
    }
    entries_[i - 1].second += w;
  }
  W weight_to(graph::VertexId c) const { return index_[c] ? entries_[index_[c] - 1].second : W{}; }
  // (community, weight) in the order first touched.
  const std::vector<std::pair<graph::VertexId, W>>& entries() const { return entries_; }
  std::vector<std::pair<graph::VertexId, W>>& entries() { return entries_; }
  template <typename F>
  void for_each(F&& f) const {
    for (const auto& [c, w] : entries_) f(c, w);
  }
  void clear() {
    for (const auto& e : entries_) index_[e.first] = 0;
    entries_.clear();
  }

 private:
  std::vector<std::uint32_t> index_;
  std::vector<std::pair<graph::VertexId, W>> entries_;
};

}  // namespace sourcetrace::community
