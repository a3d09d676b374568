// KeyIndex: dense ids in order of first sight, per tag.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sourcetrace/graph/key_index.hpp"

using sourcetrace::graph::KeyIndex;

TEST_CASE("graph: key index interns keys per tag in order of first sight", "[graph][fast]") {
  KeyIndex index;
  CHECK(index.intern(0, "S1") == 0);
  CHECK(index.intern(1, "S1") == 1);  // same text, other kind: another entity
  CHECK(index.intern(0, "S2") == 2);
  CHECK(index.intern(0, "S1") == 0);
  CHECK(index.find(1, "S1") == 1);
  CHECK(index.find(2, "S1") == KeyIndex::kAbsent);
  CHECK(index.key(2) == "S2");
}

TEST_CASE("graph: key index survives growth and a round trip through its blob", "[graph][fast]") {
  KeyIndex index;
  for (int i = 0; i < 100000; ++i) REQUIRE(index.intern(i % 3, "key" + std::to_string(i)) == i);
  for (int i = 0; i < 100000; i += 997) CHECK(index.find(i % 3, "key" + std::to_string(i)) == i);
  KeyIndex copy = KeyIndex::from(index.take());
  CHECK(copy.size() == 100000);
  CHECK(copy.find(1, "key4") == 4);
  CHECK(copy.find(0, "key4") == KeyIndex::kAbsent);
  CHECK(copy.intern(2, "new") == 100000);
}

// A slot keeps a key's first 8 bytes and its length (capped at 255): keys
// that agree there, or differ only past them, must still be told apart.
TEST_CASE("graph: key index tells apart keys that share a prefix or a capped length", "[graph][fast]") {
  KeyIndex index;
  const std::string long_a(300, 'a'), long_b = std::string(299, 'a') + "b", long_c(256, 'a');
  const std::vector<std::string> keys = {"",          "A",          std::string("A\0", 2), "ABCDEFGH", "ABCDEFGHI",
                                         "ABCDEFGHJ", "ABCDEFGHIJ", long_a,                long_b,     long_c};
  for (std::size_t i = 0; i < keys.size(); ++i) REQUIRE(index.intern(7, keys[i]) == i);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    CHECK(index.intern(7, keys[i]) == i);
    CHECK(index.find(7, keys[i]) == i);
    CHECK(index.find(6, keys[i]) == KeyIndex::kAbsent);
    CHECK(index.key(static_cast<std::uint32_t>(i)) == keys[i]);
  }
  CHECK(index.find(7, std::string(255, 'a')) == KeyIndex::kAbsent);
  CHECK(index.find(7, "ABCDEFG") == KeyIndex::kAbsent);
}
