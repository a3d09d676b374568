// EntityLookup: linear probing over XXH3, keys compared in the blob.
#include "sourcetrace/service/entity_lookup.hpp"

#include <xxhash.h>

namespace sourcetrace::service {

namespace {

std::uint64_t hash(std::uint8_t tag, std::string_view key) {
  return XXH3_64bits_withSeed(key.data(), key.size(), tag);
}

std::string_view key_of(const graph::KeyIndex::Blob& keys, std::uint32_t v) {
  return {keys.bytes.data() + keys.offsets[v], static_cast<std::size_t>(keys.offsets[v + 1] - keys.offsets[v])};
}

}  // namespace

EntityLookup::EntityLookup(const graph::KeyIndex::Blob& keys) : keys_(&keys) {
  const auto n = static_cast<std::uint32_t>(keys.tags.size());
  std::uint64_t size = 16;
  while (size < 2 * static_cast<std::uint64_t>(n)) size *= 2;
  slots_.assign(size, 0);
  mask_ = size - 1;
  for (std::uint32_t v = 0; v < n; ++v) {
    std::uint64_t i = hash(keys.tags[v], key_of(keys, v)) & mask_;
    while (slots_[i] != 0) i = (i + 1) & mask_;
    slots_[i] = v + 1;
  }
}

std::uint32_t EntityLookup::find(std::uint8_t tag, std::string_view key) const {
  if (keys_ == nullptr) return graph::KeyIndex::kAbsent;
  for (std::uint64_t i = hash(tag, key) & mask_;; i = (i + 1) & mask_) {
    const std::uint32_t slot = slots_[i];
    if (slot == 0) return graph::KeyIndex::kAbsent;
    const std::uint32_t v = slot - 1;
    if (keys_->tags[v] == tag && key_of(*keys_, v) == key) return v;
  }
}

}  // namespace sourcetrace::service
