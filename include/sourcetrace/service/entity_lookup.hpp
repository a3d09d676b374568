// EntityLookup: (kind, identifier) → vertex id over graph.h5's key blob.
//
// graph::KeyIndex answers the same question, but its slots carry a hash
// check and the key's place (16 bytes each, two slots per key) because
// ingest interns millions of keys and must not touch the blob to reject a
// probe. The service only looks keys up, a few per call, so a slot here is
// the vertex id alone (4 bytes, at most half the table full): a probe
// compares the blob's bytes directly, one cache miss more, a quarter of the
// memory. Immutable once built; safe to read from any number of threads.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "sourcetrace/graph/key_index.hpp"

namespace sourcetrace::service {

class EntityLookup {
 public:
  EntityLookup() = default;
  // Indexes every key of `keys`; the blob is borrowed and must outlive the
  // lookup (and must not move).
  explicit EntityLookup(const graph::KeyIndex::Blob& keys);

  // The vertex of (tag, key), or graph::KeyIndex::kAbsent.
  std::uint32_t find(std::uint8_t tag, std::string_view key) const;

  std::size_t bytes() const { return slots_.capacity() * sizeof(std::uint32_t); }

 private:
  const graph::KeyIndex::Blob* keys_ = nullptr;
  std::vector<std::uint32_t> slots_;  // vertex + 1; 0 = empty
  std::uint64_t mask_ = 0;
};

}  // namespace sourcetrace::service
