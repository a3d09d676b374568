// KeyIndex: open-addressing string interning over one key blob.
#include "sourcetrace/graph/key_index.hpp"

#include <xxhash.h>

#include <cstring>

namespace sourcetrace::graph {

KeyIndex::KeyIndex() : slots_(1024, 0), mask_(1023) {}

std::uint64_t KeyIndex::hash(std::uint8_t tag, std::string_view key) const {
  return XXH3_64bits_withSeed(key.data(), key.size(), tag);
}

std::uint32_t KeyIndex::find(std::uint8_t tag, std::string_view key) const {
  const std::uint64_t h = hash(tag, key);
  const std::uint64_t check = h & 0xFFFFFFFF00000000ULL;
  for (std::uint64_t i = h & mask_;; i = (i + 1) & mask_) {
    std::uint64_t slot = slots_[i];
    if (slot == 0) return kAbsent;
    if ((slot & 0xFFFFFFFF00000000ULL) == check) {
      auto id = static_cast<std::uint32_t>(slot) - 1;
      if (tags_[id] == tag && this->key(id) == key) return id;
    }
  }
}

std::uint32_t KeyIndex::intern(std::uint8_t tag, std::string_view key) {
  const std::uint64_t h = hash(tag, key);
  const std::uint64_t check = h & 0xFFFFFFFF00000000ULL;
  std::uint64_t i = h & mask_;
  for (;; i = (i + 1) & mask_) {
    std::uint64_t slot = slots_[i];
    if (slot == 0) break;
    if ((slot & 0xFFFFFFFF00000000ULL) == check) {
      auto id = static_cast<std::uint32_t>(slot) - 1;
      if (tags_[id] == tag && this->key(id) == key) return id;
    }
  }
  const auto id = static_cast<std::uint32_t>(tags_.size());
  tags_.push_back(tag);
  bytes_.append(key);
  offsets_.push_back(bytes_.size());
  slots_[i] = check | (static_cast<std::uint64_t>(id) + 1);
  if (2 * tags_.size() > slots_.size()) grow();
  return id;
}

void KeyIndex::grow() {
  slots_.assign(slots_.size() * 2, 0);
  mask_ = slots_.size() - 1;
  for (std::uint32_t id = 0; id < tags_.size(); ++id) {
    const std::uint64_t h = hash(tags_[id], key(id));
    std::uint64_t i = h & mask_;
    while (slots_[i] != 0) i = (i + 1) & mask_;
    slots_[i] = (h & 0xFFFFFFFF00000000ULL) | (static_cast<std::uint64_t>(id) + 1);
  }
}

KeyIndex::Blob KeyIndex::take() {
  Blob blob{std::move(tags_), std::move(offsets_), std::move(bytes_)};
  *this = KeyIndex();
  return blob;
}

KeyIndex KeyIndex::from(Blob blob) {
  KeyIndex index;
  index.tags_ = std::move(blob.tags);
  index.offsets_ = std::move(blob.offsets);
  index.bytes_ = std::move(blob.bytes);
  std::size_t slots = 1024;
  while (slots < 2 * index.tags_.size() + 2) slots *= 2;
  index.slots_.assign(slots / 2, 0);  // grow() doubles it
  index.grow();
  return index;
}

}  // namespace sourcetrace::graph
