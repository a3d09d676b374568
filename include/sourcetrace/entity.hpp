// EntityKind: the kinds of marketplace entity that the table contract names.
//
// Every area speaks of entities by kind; the numeric values are stored in
// graph.h5 (/entities/kind) and so are part of the file format: never
// renumber, only append. `vertex` is the kind of a plain graph's vertex
// (`ingest --edge-list`), which has no marketplace meaning.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sourcetrace {

enum class EntityKind : std::uint8_t {
  kSeller = 0,
  kWarehouse = 1,
  kAccount = 2,
  kBrand = 3,
  kVertex = 4,
};

inline constexpr int kNumEntityKinds = 5;

inline constexpr std::array<std::string_view, kNumEntityKinds> kEntityKindNames = {
    "seller", "warehouse", "account", "brand", "vertex"};

inline std::string_view entity_kind_name(EntityKind kind) {
  return kEntityKindNames[static_cast<int>(kind)];
}

// The kinds a table may name (`vertex` is not one of them).
inline std::optional<EntityKind> parse_entity_kind(std::string_view name) {
  for (int k = 0; k < 4; ++k) {
    if (kEntityKindNames[k] == name) return static_cast<EntityKind>(k);
  }
  return std::nullopt;
}

}  // namespace sourcetrace
