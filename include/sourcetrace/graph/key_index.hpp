// KeyIndex: gives each distinct (tag, key) a dense id, in order of first sight.
//
// Ingest meets every entity by its identifier string, millions of times;
// this is the hash table that turns `seller:S0482913` into vertex 17. It is
// also the dictionary of brands, regions and reporters (tag 0). Keys are
// kept once, back to back, in one byte blob with offsets: exactly graph.h5's
// /entities/key_bytes and key_offsets. Open addressing with linear probing
// over XXH3 hashes; the table stays at most half full, and a slot carries
// the key's first bytes (a probe of a short key never reads the blob).
// Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sourcetrace::graph {

class KeyIndex {
 public:
  KeyIndex();

  // The id of (tag, key), adding it when new.
  std::uint32_t intern(std::uint8_t tag, std::string_view key);
  // The id of (tag, key), or kAbsent.
  std::uint32_t find(std::uint8_t tag, std::string_view key) const;
  static constexpr std::uint32_t kAbsent = UINT32_MAX;

  std::uint32_t size() const { return static_cast<std::uint32_t>(tags_.size()); }
  std::string_view key(std::uint32_t id) const {
    return {bytes_.data() + offsets_[id], static_cast<std::size_t>(offsets_[id + 1] - offsets_[id])};
  }
  std::uint8_t tag(std::uint32_t id) const { return tags_[id]; }

  // The stored form; take() moves it out and leaves the index empty.
  struct Blob {
    std::vector<std::uint8_t> tags;
    std::vector<std::uint64_t> offsets{0};
    std::string bytes;
  };
  Blob take();
  // Rebuilds an index from its stored form.
  static KeyIndex from(Blob blob);

 private:
  std::uint64_t hash(std::uint8_t tag, std::string_view key) const;
  void grow();

  std::vector<std::uint8_t> tags_;
  std::vector<std::uint64_t> offsets_{0};
  std::string bytes_;
  // A slot holds what a probe needs without touching the other arrays: the
  // table is far larger than the caches, so a probe costs one miss for the
  // slot, and a second one only for keys longer than 8 bytes (their tail is
  // compared in bytes_). Entity identifiers are mostly that short.
  struct Slot {
    std::uint32_t id_plus_one;  // 0: empty
    std::uint16_t check;        // upper hash bits
    std::uint8_t tag;
    std::uint8_t length;        // of the key, 255 for 255 and longer
    std::uint64_t prefix;       // the key's first 8 bytes, zero-padded
  };
  static Slot slot_for(std::uint32_t id, std::uint64_t hash, std::uint8_t tag, std::string_view key);
  bool matches(const Slot& slot, const Slot& wanted, std::string_view key) const;
  std::vector<Slot> slots_;
  std::uint64_t mask_ = 0;
};

// Each key of `keys` (another index's stored form: e.g. today's graph.h5
// entities), by its position there: its id in `index`, or kAbsent. How two
// runs' entities are matched, by kind and identifier, never by vertex id.
std::vector<std::uint32_t> find_keys(const KeyIndex& index, const KeyIndex::Blob& keys);

}  // namespace sourcetrace::graph
