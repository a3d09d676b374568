// Network ids: a salted hash of each network's smallest member, collisions resolved in anchor order.
#include "sourcetrace/risk/network_id.hpp"

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <numeric>
#include <unordered_set>

#include "sourcetrace/entity.hpp"

namespace sourcetrace::risk {

namespace {

constexpr std::string_view kDomain = "sourcetrace network id\n";
constexpr std::size_t kHexDigits = 16;

}  // namespace

std::uint64_t anchor_hash(std::string_view anchor, std::uint64_t seed, std::string_view salt) {
  std::string text(kDomain);
  text += salt;
  text += '\n';
  text += anchor;
  return XXH3_64bits_withSeed(text.data(), text.size(), seed);
}

std::vector<NetworkId> network_ids_of_anchors(std::span<const std::string> anchors, const AnchorHash& hash,
                                              std::span<const NetworkId> taken_before) {
  std::vector<std::uint32_t> order(anchors.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return anchors[a] < anchors[b]; });
  std::vector<NetworkId> ids(anchors.size());
  std::unordered_set<NetworkId> taken(taken_before.begin(), taken_before.end());
  for (std::uint32_t c : order) {
    std::uint64_t seed = 0;
    NetworkId id = hash(anchors[c], seed);
    while (!taken.insert(id).second) id = hash(anchors[c], ++seed);
    ids[c] = id;
  }
  return ids;
}

std::vector<std::string> network_anchors(const graph::KeyIndex::Blob& entities,
                                         std::span<const std::uint32_t> network_of, std::size_t num_networks) {
  // The anchor of each network: its member with the smallest (kind name, identifier).
  auto kind_of = [&](std::uint32_t v) { return entity_kind_name(static_cast<EntityKind>(entities.tags[v])); };
  auto key_of = [&](std::uint32_t v) {
    return std::string_view(entities.bytes.data() + entities.offsets[v], entities.offsets[v + 1] - entities.offsets[v]);
  };
  constexpr std::uint32_t kNone = ~0u;
  std::vector<std::uint32_t> anchor(num_networks, kNone);
  for (std::uint32_t v = 0; v < network_of.size(); ++v) {
    std::uint32_t& a = anchor[network_of[v]];
    if (a == kNone || std::pair(kind_of(v), key_of(v)) < std::pair(kind_of(a), key_of(a))) a = v;
  }
  std::vector<std::string> texts(num_networks);
  for (std::size_t c = 0; c < num_networks; ++c) {
    if (anchor[c] != kNone) texts[c] = fmt::format("{}:{}", kind_of(anchor[c]), key_of(anchor[c]));
  }
  return texts;
}

std::string network_id_text(NetworkId id) { return fmt::format("N{:016x}", id); }

std::optional<NetworkId> parse_network_id(std::string_view text) {
  if (text.size() != 1 + kHexDigits || text[0] != 'N') return std::nullopt;
  NetworkId id = 0;
  for (char ch : text.substr(1)) {
    int digit;
    if (ch >= '0' && ch <= '9') {
      digit = ch - '0';
    } else if (ch >= 'a' && ch <= 'f') {
      digit = ch - 'a' + 10;
    } else {
      return std::nullopt;
    }
    id = id << 4 | static_cast<NetworkId>(digit);
  }
  return id;
}

std::vector<std::uint32_t> networks_by_risk(std::span<const double> risk, std::span<const NetworkId> ids) {
  std::vector<std::uint32_t> order(risk.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return risk[a] != risk[b] ? risk[a] > risk[b] : ids[a] < ids[b];
  });
  return order;
}

}  // namespace sourcetrace::risk
