// Network ids: the name a network goes by wherever it is shown
// (networks.csv, members.csv, targets.csv, eval --explain, the query
// service): "N" and 16 lowercase hex digits, e.g. "N3f9a0c1d2b4e5f60".
//
// Why opaque: a network's index in risk.h5 is its position among all the
// networks of the run. Shown as such ("N00017"), it tells anyone who sees
// a few networks how many there are: a brand token that may see two
// networks, N00003 and N00017, learns that at least 18 exist. So an id is
// a hash of something the network is, not of where it sits: its anchor,
// the member whose "kind:identifier" is the smallest (identifiers are the
// marketplace's own, the kinds' names are no prefix of one another), hashed
// with XXH3-64 after a domain tag. Nothing in it counts or orders the
// networks, and it is the same for every caller and in every output,
// because every reader derives it with network_ids() from the same two
// inputs: graph.h5's entities and risk.h5's membership. It is not a
// secret: whoever knows a member's identifier can compute its network's
// id, and learns nothing by it, since a network it may not see answers
// exactly like one that does not exist. Keyed on a member and not on the
// run, the id keeps its form from one run to the next; it stays the same
// as long as the anchor stays the smallest member of its network.
//
// Collisions (two anchors hashing alike: about 1 in 2^64 per pair) are
// resolved deterministically: in anchor order, the first network keeps its
// hash, and each later one rehashes its anchor with the next seed (1, 2,
// ...) until its id is free. The ids of a run are therefore distinct.
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

// Each network's id, by network index. `entities`: graph.h5's entity keys
// (kind tag and identifier, by vertex); `network_of`: each entity's network
// (risk.h5), below `num_networks`. A network without members (a valid run
// has none) is anchored on the empty text.
std::vector<NetworkId> network_ids(const graph::KeyIndex::Blob& entities, std::span<const std::uint32_t> network_of,
                                   std::size_t num_networks);

// The same from each network's anchor text, with the hash to use (seed 0
// first, then 1, 2, ... on a collision): the seam the tests use to force
// collisions. network_ids() calls it with anchor_hash.
using AnchorHash = std::function<std::uint64_t(std::string_view anchor, std::uint64_t seed)>;
std::vector<NetworkId> network_ids_of_anchors(std::span<const std::string> anchors, const AnchorHash& hash);
std::uint64_t anchor_hash(std::string_view anchor, std::uint64_t seed);

// "N" and 16 lowercase hex digits.
std::string network_id_text(NetworkId id);
// The id a text names, when it has exactly that form.
std::optional<NetworkId> parse_network_id(std::string_view text);

// Networks most suspect first, ties by id: the order of networks.csv and
// of the service's lists, which depends on no position.
std::vector<std::uint32_t> networks_by_risk(std::span<const double> risk, std::span<const NetworkId> ids);

}  // namespace sourcetrace::risk
