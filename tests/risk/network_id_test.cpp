// Network ids and network brands: opaque ids that depend on a network's
// members and never on its position, collisions resolved the same way
// every time; the brands each network's dated evidence names.
#include <catch2/catch.hpp>
#include <cctype>
#include <set>

#include "sourcetrace/risk/network_brands.hpp"
#include "sourcetrace/risk/network_id.hpp"

using namespace sourcetrace;
using namespace sourcetrace::risk;

namespace {

graph::KeyIndex::Blob blob(const std::vector<std::pair<EntityKind, std::string>>& keys) {
  graph::KeyIndex::Blob b;
  for (const auto& [kind, key] : keys) {
    b.tags.push_back(static_cast<std::uint8_t>(kind));
    b.bytes += key;
    b.offsets.push_back(b.bytes.size());
  }
  return b;
}

}  // namespace

TEST_CASE("risk: a network id is \"N\" and 16 hex digits of its smallest member and a salt, never of its index",
          "[risk]") {
  using enum EntityKind;
  // Three networks: {seller:s2, seller:s1}, {warehouse:w1}, {account:a9, seller:s3}.
  const auto keys = blob({{kSeller, "s2"}, {kSeller, "s1"}, {kWarehouse, "w1"}, {kAccount, "a9"}, {kSeller, "s3"}});
  const std::vector<std::uint32_t> network_of{0, 0, 1, 2, 2};
  const auto anchors = network_anchors(keys, network_of, 3);
  CHECK(anchors == std::vector<std::string>{"seller:s1", "warehouse:w1", "account:a9"});
  const AnchorHash salted = [](std::string_view anchor, std::uint64_t seed) { return anchor_hash(anchor, seed, "k:0"); };
  const auto ids = network_ids_of_anchors(anchors, salted);
  REQUIRE(ids.size() == 3);
  CHECK(ids[0] == anchor_hash("seller:s1", 0, "k:0"));
  CHECK(ids[0] != anchor_hash("seller:s1", 0, "k:1"));  // another night, or another chain, mints apart
  CHECK(std::set<NetworkId>(ids.begin(), ids.end()).size() == 3);

  // The same networks at other positions (and their members in another
  // order) have the same anchors: nothing in an id tells where a network sits.
  const auto moved = blob({{kSeller, "s3"}, {kWarehouse, "w1"}, {kSeller, "s1"}, {kAccount, "a9"}, {kSeller, "s2"}});
  const auto moved_ids = network_ids_of_anchors(network_anchors(moved, std::vector<std::uint32_t>{0, 2, 1, 0, 1}, 3), salted);
  CHECK(moved_ids == std::vector<NetworkId>{ids[2], ids[0], ids[1]});
  // An id the chain gave before is never given again.
  const std::vector<NetworkId> taken{ids[1]};
  const auto fresh = network_ids_of_anchors(anchors, salted, taken);
  CHECK(fresh[0] == ids[0]);
  CHECK(fresh[1] == anchor_hash("warehouse:w1", 1, "k:0"));

  // The text form and back; anything else is no id.
  for (NetworkId id : ids) {
    const std::string text = network_id_text(id);
    CHECK(text.size() == 17);
    CHECK(text[0] == 'N');
    CHECK(parse_network_id(text) == id);
  }
  CHECK(network_id_text(0x1f) == "N000000000000001f");
  std::string upper = network_id_text(0xabcdef);
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  for (const std::string bad : {std::string("N00012"), std::string("N"), std::string(""), upper,
                                network_id_text(5).substr(0, 16), network_id_text(5) + "0", "X" + network_id_text(5).substr(1),
                                std::string("N000000000000000g")}) {
    CHECK_FALSE(parse_network_id(bad).has_value());
  }
}

TEST_CASE("risk: colliding network ids are told apart in anchor order, the same way every time", "[risk]") {
  // A hash that gives everyone the same first id: the smallest anchor keeps
  // it, each later one takes the next seed that is free.
  const AnchorHash constant = [](std::string_view anchor, std::uint64_t seed) {
    return seed == 0 ? 7 : anchor_hash(anchor, seed);
  };
  const std::vector<std::string> anchors{"seller:c", "seller:a", "seller:b"};
  const auto ids = network_ids_of_anchors(anchors, constant);
  CHECK(ids[1] == 7);
  CHECK(ids[2] == anchor_hash("seller:b", 1));
  CHECK(ids[0] == anchor_hash("seller:c", 1));
  CHECK(network_ids_of_anchors(std::vector<std::string>{"seller:b", "seller:c", "seller:a"}, constant) ==
        std::vector<NetworkId>{ids[2], ids[0], ids[1]});
  // A rehash that lands on a taken id moves on again.
  const AnchorHash narrow = [](std::string_view anchor, std::uint64_t seed) {
    return anchor == "seller:a" ? 1 : seed + 1;  // b: 1 (taken), 2; c: 1, 2 (taken), 3
  };
  CHECK(network_ids_of_anchors(anchors, narrow) == std::vector<NetworkId>{3, 1, 2});
}

TEST_CASE("risk: networks are ordered by risk, ties by id", "[risk]") {
  const std::vector<double> risk{0.5, 0.9, 0.5, 0.1};
  const std::vector<NetworkId> ids{40, 3, 20, 1};
  CHECK(networks_by_risk(risk, ids) == std::vector<std::uint32_t>{1, 2, 0, 3});
}

TEST_CASE("risk: a network's brands are those its dated evidence names, in name order", "[risk]") {
  using enum EntityKind;
  const auto brands = blob({{kBrand, ""}, {kBrand, "zeta"}, {kBrand, "alpha"}, {kBrand, "mid"}});
  graph::EvidenceTable e;
  auto row = [&](graph::VertexId v, std::uint32_t brand, tables::Day day) {
    e.entity.push_back(v);
    e.signal.push_back(0);
    e.brand.push_back(brand);
    e.day.push_back(day);
    e.reporter.push_back(0);
  };
  row(0, 1, 10);  // network 0: zeta
  row(1, 2, 10);  // network 0: alpha
  row(1, 1, 11);  // zeta again
  row(2, 3, 30);  // network 1: mid, after the as-of date
  row(2, 0, 10);  // a complaint naming no brand
  const std::vector<std::uint32_t> network_of{0, 0, 1};
  auto named = network_brands(e, brands, network_of, 3, 20);
  REQUIRE(named.is_ok());
  CHECK(std::vector<std::uint32_t>(named.value().of(0).begin(), named.value().of(0).end()) ==
        std::vector<std::uint32_t>{2, 1});
  CHECK(named.value().of(1).empty());
  CHECK(named.value().of(2).empty());
  const std::vector<std::string> zeta{"zeta"}, unknown{"nope", ""};
  CHECK(networks_naming(named.value(), brands, zeta) == std::vector<bool>{true, false, false});
  CHECK(networks_naming(named.value(), brands, unknown) == std::vector<bool>{false, false, false});

  row(9, 1, 10);  // an entity outside the graph
  CHECK(network_brands(e, brands, network_of, 3, 20).status().code() == Status::Code::kCorrupt);
}
