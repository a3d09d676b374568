// KeyIndex: open-addressing string interning over one key blob.
#include "sourcetrace/graph/key_index.hpp"

#include <xxhash.h>

#include <cstring>

namespace sourcetrace::graph {

KeyIndex::KeyIndex() : slots_(1024, Slot{0, 0, 0}), mask_(1023) {}

std::uint64_t KeyIndex::hash(std::uint8_t tag, std::string_view key) const {
  return XXH3_64bits_withSeed(key.data(), key.size(), tag);
}

bool KeyIndex::matches(const Slot& slot, std::uint32_t check, std::uint8_t tag,
                       std::string_view key) const {
  if (slot.check != check || (slot.offset >> 48) != key.size()) return false;
  const char* stored = bytes_.data() + (slot.offset & 0xFFFFFFFFFFFFULL);
  // An empty key may have no data pointer (a default string_view): memcmp must not see it.
  return (key.empty() || std::memcmp(stored, key.data(), key.size()) == 0) && tags_[slot.id_plus_one - 1] == tag;
}

std::uint32_t KeyIndex::find(std::uint8_t tag, std::string_view key) const {
  const std::uint64_t h = hash(tag, key);
  const auto check = static_cast<std::uint32_t>(h >> 32);
  for (std::uint64_t i = h & mask_;; i = (i + 1) & mask_) {
    const Slot& slot = slots_[i];
    if (slot.id_plus_one == 0) return kAbsent;
    if (matches(slot, check, tag, key)) return slot.id_plus_one - 1;
  }
}

std::uint32_t KeyIndex::intern(std::uint8_t tag, std::string_view key) {
  const std::uint64_t h = hash(tag, key);
  const auto check = static_cast<std::uint32_t>(h >> 32);
  std::uint64_t i = h & mask_;
  for (;; i = (i + 1) & mask_) {
    const Slot& slot = slots_[i];
    if (slot.id_plus_one == 0) break;
    if (matches(slot, check, tag, key)) return slot.id_plus_one - 1;
  }
  const auto id = static_cast<std::uint32_t>(tags_.size());
  slots_[i] = {id + 1, check, static_cast<std::uint64_t>(bytes_.size()) | (key.size() << 48)};
  tags_.push_back(tag);
  bytes_.append(key);
  offsets_.push_back(bytes_.size());
  if (2 * tags_.size() > slots_.size()) grow();
  return id;
}

void KeyIndex::grow() {
  slots_.assign(slots_.size() * 2, Slot{0, 0, 0});
  mask_ = slots_.size() - 1;
  for (std::uint32_t id = 0; id < tags_.size(); ++id) {
    std::string_view k = key(id);
    const std::uint64_t h = hash(tags_[id], k);
    std::uint64_t i = h & mask_;
    while (slots_[i].id_plus_one != 0) i = (i + 1) & mask_;
    slots_[i] = {id + 1, static_cast<std::uint32_t>(h >> 32), offsets_[id] | (k.size() << 48)};
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
  index.slots_.assign(slots / 2, Slot{0, 0, 0});  // grow() doubles it
  index.grow();
  return index;
}

std::vector<std::uint32_t> find_keys(const KeyIndex& index, const KeyIndex::Blob& keys) {
  std::vector<std::uint32_t> ids(keys.tags.size());
  for (std::size_t v = 0; v < ids.size(); ++v) {
    const std::string_view key(keys.bytes.data() + keys.offsets[v], keys.offsets[v + 1] - keys.offsets[v]);
    ids[v] = index.find(keys.tags[v], key);
  }
  return ids;
}

}  // namespace sourcetrace::graph
