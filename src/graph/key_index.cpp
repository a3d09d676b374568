// KeyIndex: open-addressing string interning over one key blob.
#include "sourcetrace/graph/key_index.hpp"

#include <xxhash.h>

#include <algorithm>
#include <cstring>

namespace sourcetrace::graph {

KeyIndex::KeyIndex() : slots_(1024, Slot{}), mask_(1023) {}

std::uint64_t KeyIndex::hash(std::uint8_t tag, std::string_view key) const {
  return XXH3_64bits_withSeed(key.data(), key.size(), tag);
}

KeyIndex::Slot KeyIndex::slot_for(std::uint32_t id, std::uint64_t hash, std::uint8_t tag, std::string_view key) {
  Slot slot{id + 1, static_cast<std::uint16_t>(hash >> 48), tag,
            static_cast<std::uint8_t>(std::min<std::size_t>(key.size(), 255)), 0};
  // An empty key may have no data pointer (a default string_view): memcpy must not see it.
  if (!key.empty()) std::memcpy(&slot.prefix, key.data(), std::min<std::size_t>(key.size(), 8));
  return slot;
}

// `wanted` is slot_for(any id, hash, tag, key).
bool KeyIndex::matches(const Slot& slot, const Slot& wanted, std::string_view key) const {
  if (slot.check != wanted.check || slot.tag != wanted.tag || slot.length != wanted.length ||
      slot.prefix != wanted.prefix) {
    return false;
  }
  return key.size() <= 8 || this->key(slot.id_plus_one - 1) == key;
}

std::uint32_t KeyIndex::find(std::uint8_t tag, std::string_view key) const {
  const std::uint64_t h = hash(tag, key);
  const Slot wanted = slot_for(0, h, tag, key);
  for (std::uint64_t i = h & mask_;; i = (i + 1) & mask_) {
    const Slot& slot = slots_[i];
    if (slot.id_plus_one == 0) return kAbsent;
    if (matches(slot, wanted, key)) return slot.id_plus_one - 1;
  }
}

std::uint32_t KeyIndex::intern(std::uint8_t tag, std::string_view key) {
  const std::uint64_t h = hash(tag, key);
  const auto id = static_cast<std::uint32_t>(tags_.size());
  const Slot wanted = slot_for(id, h, tag, key);
  std::uint64_t i = h & mask_;
  for (;; i = (i + 1) & mask_) {
    const Slot& slot = slots_[i];
    if (slot.id_plus_one == 0) break;
    if (matches(slot, wanted, key)) return slot.id_plus_one - 1;
  }
  slots_[i] = wanted;
  tags_.push_back(tag);
  bytes_.append(key);
  offsets_.push_back(bytes_.size());
  if (2 * tags_.size() > slots_.size()) grow();
  return id;
}

void KeyIndex::grow() {
  slots_.assign(slots_.size() * 2, Slot{});
  mask_ = slots_.size() - 1;
  for (std::uint32_t id = 0; id < tags_.size(); ++id) {
    std::string_view k = key(id);
    const std::uint64_t h = hash(tags_[id], k);
    std::uint64_t i = h & mask_;
    while (slots_[i].id_plus_one != 0) i = (i + 1) & mask_;
    slots_[i] = slot_for(id, h, tags_[id], k);
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
  index.slots_.assign(slots / 2, Slot{});  // grow() doubles it
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
