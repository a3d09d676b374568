// Network lineage and changes over two hand-made nights: a network that
// stays, grows, splits, merges, goes, and one that is new; ids never
// reused, first-seen dates and lineage carried, the same ids whatever the
// order of the entities.
#include <catch2/catch.hpp>
#include <algorithm>
#include <map>
#include <set>

#include "sourcetrace/risk/network_changes.hpp"
#include "sourcetrace/risk/network_lineage.hpp"

using namespace sourcetrace;
using namespace sourcetrace::risk;

namespace {

// One night built from "network: members" lines: sellers by name, every
// member a storefront without evidence (weight 1) unless weighted.
struct Night {
  graph::KeyIndex::Blob entities;
  std::vector<std::uint32_t> network_of;
  std::vector<double> weight;
  std::size_t num_networks = 0;

  NightNetworks view() const { return {&entities, network_of, weight, num_networks}; }
};

Night night(const std::vector<std::vector<std::string>>& networks) {
  Night n;
  for (std::size_t c = 0; c < networks.size(); ++c) {
    for (const std::string& key : networks[c]) {
      n.entities.tags.push_back(static_cast<std::uint8_t>(EntityKind::kSeller));
      n.entities.bytes += key;
      n.entities.offsets.push_back(n.entities.bytes.size());
      n.network_of.push_back(static_cast<std::uint32_t>(c));
      n.weight.push_back(1.0);
    }
  }
  n.num_networks = networks.size();
  return n;
}

std::vector<std::string> names(const std::string& prefix, int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i <= to; ++i) out.push_back(prefix + std::to_string(i));
  return out;
}

std::vector<std::string> join(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

TEST_CASE("lineage: ids across two runs that stay, grow, split, merge, go and appear", "[risk][lineage]") {
  // Night 0: A stays, B grows, C splits, D and E merge, F goes.
  const Night before = night({names("a", 1, 5), names("b", 10, 19), names("c", 1, 10), names("d", 1, 5),
                              names("e", 1, 5), names("f", 1, 4)});
  Succession first = start_chain(before.view(), "chain-key", 100);
  REQUIRE(first.networks.size() == 6);
  CHECK(first.chain.night == 0);
  CHECK(first.chain.issued.size() == 6);
  for (const NetworkHistory& h : first.networks) CHECK(h.first_seen == 100);
  // E is younger than D, so the merge keeps D's id.
  first.networks[4].first_seen = 101;

  // Night 1: G is new; the entities come in another order.
  const Night after = night({join(names("d", 1, 5), names("e", 1, 5)), names("g", 1, 3), names("c", 8, 10),
                             join(names("b", 10, 19), names("b", 20, 21)), names("a", 1, 5), names("c", 1, 7)});
  const LineageOptions options;
  const Succession s = continue_chain(before.view(), first.networks, first.chain, after.view(), 110, options);
  const auto id_before = [&](int c) { return first.networks[c].id; };
  const auto& tonight = s.networks;
  REQUIRE(tonight.size() == 6);
  CHECK(s.chain.night == 1);

  CHECK(tonight[4].id == id_before(0));  // A, unchanged
  CHECK(tonight[3].id == id_before(1));  // B grew by 2 of 10: J = 10/12
  CHECK(tonight[5].id == id_before(2));  // C's larger part keeps C's id
  CHECK(tonight[0].id == id_before(3));  // D and E merged: the oldest id stays
  CHECK(tonight[0].lineage == std::vector<LineageEntry>{{LineageEvent::kMergedFrom, id_before(4), 110}});
  CHECK(tonight[2].lineage == std::vector<LineageEntry>{{LineageEvent::kSplitFrom, id_before(2), 110}});
  CHECK(tonight[1].lineage.empty());
  CHECK(tonight[2].first_seen == 110);
  CHECK(tonight[4].first_seen == 100);
  CHECK(s.fate == std::vector<Fate>{Fate::kKept, Fate::kKept, Fate::kKept, Fate::kKept, Fate::kMerged, Fate::kGone});
  CHECK(s.successor[4] == 0);

  // New ids are new: none the chain gave before, none twice.
  std::set<NetworkId> before_ids;
  for (const NetworkHistory& h : first.networks) before_ids.insert(h.id);
  for (int b : {1, 2}) CHECK_FALSE(before_ids.contains(tonight[b].id));
  CHECK(tonight[1].id != tonight[2].id);
  CHECK(s.chain.issued.size() == 8);
  CHECK(std::is_sorted(s.chain.issued.begin(), s.chain.issued.end()));

  // The same two nights give the same ids.
  const Succession again = continue_chain(before.view(), first.networks, first.chain, after.view(), 110, options);
  for (std::size_t b = 0; b < tonight.size(); ++b) CHECK(again.networks[b].id == tonight[b].id);

  SECTION("changes.csv's rows") {
    std::vector<NetworkState> was(6), is(6);
    for (std::uint32_t c : before.network_of) ++was[c].members;
    for (std::uint32_t c : after.network_of) ++is[c].members;
    for (auto& n : was) n.risk = 0.5;
    for (auto& n : is) n.risk = 0.5;
    was[5].risk = 0.9;   // F, gone, is listed first
    is[1].risk = 0.1;    // G, new but below the minimum risk: no row
    std::vector<std::uint32_t> evidence{0, 0, 0, 4, 0, 0};
    const auto rows = network_changes(s, first.networks, was, is, evidence, 0.2, ChangeOptions{});
    std::map<NetworkId, ChangeRow> by_id;
    for (const ChangeRow& r : rows) by_id[r.id] = r;
    CHECK(rows.size() == 7);
    CHECK(rows.front().id == id_before(5));
    CHECK(by_id.at(id_before(5)).change == NetworkChange::kGone);
    CHECK(by_id.at(id_before(5)).members_before == 4);
    CHECK(by_id.at(id_before(0)).change == NetworkChange::kUnchanged);
    CHECK(by_id.at(id_before(1)).change == NetworkChange::kGrown);
    CHECK(by_id.at(id_before(1)).members_after == 12);
    CHECK(by_id.at(id_before(1)).new_evidence == 4);
    CHECK(by_id.at(id_before(2)).change == NetworkChange::kSplit);
    CHECK(by_id.at(id_before(2)).others == std::vector<NetworkId>{tonight[2].id});
    CHECK(by_id.at(tonight[2].id).change == NetworkChange::kSplit);
    CHECK(by_id.at(tonight[2].id).others == std::vector<NetworkId>{id_before(2)});
    CHECK(by_id.at(id_before(3)).change == NetworkChange::kMerged);
    CHECK(by_id.at(id_before(3)).others == std::vector<NetworkId>{id_before(4)});
    CHECK(by_id.at(id_before(4)).change == NetworkChange::kMerged);
    CHECK(by_id.at(id_before(4)).others == std::vector<NetworkId>{id_before(3)});
    CHECK(by_id.at(id_before(4)).members_after == 10);
    CHECK_FALSE(by_id.contains(tonight[1].id));

    // Shrinking by more than the share is a change; by less it is not.
    is[4].members = 4;  // A: 5 -> 4, 20% down
    for (const ChangeRow& r : network_changes(s, first.networks, was, is, evidence, 0.2, ChangeOptions{})) {
      if (r.id == id_before(0)) CHECK(r.change == NetworkChange::kShrunk);
    }
    for (const ChangeRow& r : network_changes(s, first.networks, was, is, evidence, 0.2, ChangeOptions{0.1, 0.5})) {
      if (r.id == id_before(0)) CHECK(r.change == NetworkChange::kUnchanged);
    }
  }
}

TEST_CASE("lineage: an id that ends is never given again, even to the ring that comes back", "[risk][lineage]") {
  const Night one = night({names("r", 1, 6)});
  const Succession first = start_chain(one.view(), "k", 1);
  const Night empty = night({names("x", 1, 2)});
  const Succession second = continue_chain(one.view(), first.networks, first.chain, empty.view(), 2, LineageOptions{});
  CHECK(second.fate[0] == Fate::kGone);
  // The ring's members return on the third night: matched to nothing of
  // the second, its anchor is the same, and yet its id is a new one.
  const Succession third =
      continue_chain(empty.view(), second.networks, second.chain, one.view(), 3, LineageOptions{});
  CHECK(third.networks[0].id != first.networks[0].id);
  CHECK(std::binary_search(third.chain.issued.begin(), third.chain.issued.end(), first.networks[0].id));
  CHECK(third.chain.issued.size() == 3);
}

TEST_CASE("lineage: members weigh by role and evidence, so a ring that replaced its storefronts keeps its id",
          "[risk][lineage]") {
  // Last night: source w, seller s1 with evidence, storefronts s2 s3.
  // Tonight: w and s1 with new storefronts s4 s5 s6. Unweighted Jaccard
  // 2/7; weighted (3 + 3) / (8 + 9 - 6) = 0.55.
  Night before = night({{"w", "s1", "s2", "s3"}});
  Night after = night({{"w", "s1", "s4", "s5", "s6"}});
  const LineageOptions options;
  const std::vector<Role> roles_before{Role::kSource, Role::kStorefront, Role::kStorefront, Role::kStorefront};
  const std::vector<Role> roles_after{Role::kSource, Role::kStorefront, Role::kStorefront, Role::kStorefront,
                                      Role::kStorefront};
  before.weight = member_weights(roles_before, std::vector<double>{0, 2.5, 0, 0}, options);
  after.weight = member_weights(roles_after, std::vector<double>{0, 1.0, 0, 0, 0}, options);
  CHECK(before.weight == std::vector<double>{3, 3, 1, 1});
  const Succession first = start_chain(before.view(), "k", 1);
  CHECK(continue_chain(before.view(), first.networks, first.chain, after.view(), 2, options).networks[0].id ==
        first.networks[0].id);
  // With every member weighing alike the same ring would lose its id.
  std::fill(before.weight.begin(), before.weight.end(), 1.0);
  std::fill(after.weight.begin(), after.weight.end(), 1.0);
  CHECK(continue_chain(before.view(), first.networks, first.chain, after.view(), 2, options).networks[0].id !=
        first.networks[0].id);
}

TEST_CASE("lineage: options out of range are refused", "[risk][lineage]") {
  LineageOptions o;
  CHECK(validate(o).is_ok());
  o.min_overlap = 0;
  CHECK_FALSE(validate(o).is_ok());
  o = {};
  o.storefront = -1;
  CHECK_FALSE(validate(o).is_ok());
  CHECK_FALSE(validate(ChangeOptions{1.5, 0.1}).is_ok());
}
