// Network ids: the name a network goes by wherever it is shown
// (networks.csv, members.csv, targets.csv, changes.csv, eval --explain,
// the query service): "N" and 16 lowercase hex digits, e.g.
// "N3f9a0c1d2b4e5f60".
//
// Why opaque: a network's index in risk.h5 is its position among all the
// networks of the run. Shown as such ("N00017"), it tells anyone who sees
// a few networks how many there are: a brand token that may see two
// networks, N00003 and N00017, learns that at least 18 exist. So a new id
// is a hash of something the network is, not of where it sits: its
// anchor, the member whose "kind:identifier" is the smallest (identifiers
// are the marketplace's own, the kinds' names are no prefix of one
// another), hashed with XXH3-64 after a domain tag and a salt. Nothing in
// it counts or orders the networks.
//
// Ids are minted once and then are data: the track stage
// (risk/network_lineage.hpp) keeps last night's id on the network that
// continues it and mints new ones with these functions, salted with the
// run chain's key and night so that runs not chained to each other do not
// mint alike, and stores them in lineage.h5, from which every reader takes
// them. Same for every caller, and not a secret.
//
// Collisions (two anchors hashing alike, or a hash landing on an id the
// chain already gave: about 1 in 2^64 per pair) are resolved
// deterministically: in anchor order, the first network keeps its hash,
// and each later one rehashes its anchor with the next seed (1, 2, ...)
// until its id is free.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sourcetrace/graph/key_index.hpp"

namespace sourcetrace::risk {

using NetworkId = std::uint64_t;

// Each network's anchor text ("kind:identifier" of its smallest member),
// by network index. `entities`: graph.h5's entity keys (kind tag and
// identifier, by vertex); `network_of`: each entity's network (risk.h5),
// below `num_networks`. A network without members (a valid run has none)
// is anchored on the empty text.
std::vector<std::string> network_anchors(const graph::KeyIndex::Blob& entities,
                                         std::span<const std::uint32_t> network_of, std::size_t num_networks);

// An id for each anchor, none of them in `taken` nor equal to another:
// `hash` (seed 0 first, then 1, 2, ... on a collision) is the seam the
// tests use to force collisions; the track stage passes anchor_hash with
// its salt.
using AnchorHash = std::function<std::uint64_t(std::string_view anchor, std::uint64_t seed)>;
std::vector<NetworkId> network_ids_of_anchors(std::span<const std::string> anchors, const AnchorHash& hash,
                                              std::span<const NetworkId> taken = {});
// XXH3-64 of the domain tag, `salt` and `anchor`.
std::uint64_t anchor_hash(std::string_view anchor, std::uint64_t seed, std::string_view salt = "");

// "N" and 16 lowercase hex digits.
std::string network_id_text(NetworkId id);
// The id a text names, when it has exactly that form.
std::optional<NetworkId> parse_network_id(std::string_view text);

// Networks most suspect first, ties by id: the order of networks.csv and
// of the service's lists, which depends on no position.
std::vector<std::uint32_t> networks_by_risk(std::span<const double> risk, std::span<const NetworkId> ids);

}  // namespace sourcetrace::risk
