// IdMap: a map from global vertex ids to values, by open addressing.
//
// The distributed kernels look up global ids (ghosts, remote communities)
// once per arc or per neighbour community; std::unordered_map's node
// chasing showed in their profiles, and a dense array over all global ids
// would cost every rank memory for the whole graph. Linear probing on a
// power-of-two table, at most half full, keys hashed with splitmix64.
#pragma once

#include <cstdint>
#include <vector>

#include "sourcetrace/community/splitmix64.hpp"
#include "sourcetrace/graph/csr.hpp"

namespace sourcetrace::dist {

template <typename V>
class IdMap {
 public:
  static constexpr graph::VertexId kEmpty = UINT32_MAX;

  void clear() {
    keys_.assign(16, kEmpty);
    values_.assign(16, V{});
    size_ = 0;
  }
  // Room for n keys without rehashing.
  void reserve(std::size_t n) {
    if (2 * n > keys_.size()) rehash(n);
  }
  std::size_t size() const { return size_; }
  bool contains(graph::VertexId key) const { return keys_[slot_of(key)] == key; }
  // The value of key, or V{} when absent.
  V get(graph::VertexId key) const {
    const std::size_t s = slot_of(key);
    return keys_[s] == key ? values_[s] : V{};
  }
  // The value of key, inserted as V{} when absent.
  V& operator[](graph::VertexId key) {
    if (2 * (size_ + 1) > keys_.size()) rehash(size_ + 1);
    const std::size_t s = slot_of(key);
    if (keys_[s] != key) {
      keys_[s] = key;
      values_[s] = V{};
      ++size_;
    }
    return values_[s];
  }

 private:
  std::size_t slot_of(graph::VertexId key) const {
    const std::size_t mask = keys_.size() - 1;
    std::size_t s = community::splitmix64(key) & mask;
    while (keys_[s] != kEmpty && keys_[s] != key) s = (s + 1) & mask;
    return s;
  }
  void rehash(std::size_t n) {
    std::size_t capacity = 16;
    while (capacity < 4 * n) capacity *= 2;
    std::vector<graph::VertexId> keys = std::move(keys_);
    std::vector<V> values = std::move(values_);
    keys_.assign(capacity, kEmpty);
    values_.assign(capacity, V{});
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] != kEmpty) {
        const std::size_t s = slot_of(keys[i]);
        keys_[s] = keys[i];
        values_[s] = values[i];
      }
    }
  }

  std::vector<graph::VertexId> keys_ = std::vector<graph::VertexId>(16, kEmpty);
  std::vector<V> values_ = std::vector<V>(16, V{});
  std::size_t size_ = 0;
};

}  // namespace sourcetrace::dist
