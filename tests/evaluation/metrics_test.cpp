// The metrics of `sourcetrace eval` on hand-made truths whose answers are
// worked out in the comments.
#include <catch2/catch.hpp>

#include "sourcetrace/evaluation/metrics.hpp"

using namespace sourcetrace;
using namespace sourcetrace::evaluation;
using risk::Role;

namespace {

EntityKey seller(const char* id) { return {EntityKind::kSeller, id}; }
EntityKey warehouse(const char* id) { return {EntityKind::kWarehouse, id}; }
EntityKey account(const char* id) { return {EntityKind::kAccount, id}; }

// Two rings of six and five legitimate entities:
//   R1: sources F1 F2 → distributor D1 → storefronts S1 S2, collector C1
//   R2: source F3 → distributor D2 → storefront S3; distributor D3 (no
//       source ships to it) → storefront S4; collector C2
//   legit: sellers L1 L2 L3 and D1 (a seller: not warehouse D1), warehouse W1
// 12 ring entities; k = 3 sources + 3 distributors + 2 collectors = 8;
// ks = 3 sources + 3 distributors = 6.
TruthIndex two_rings() {
  return TruthIndex({
      {warehouse("F1"), "R1", Role::kSource},      {warehouse("F2"), "R1", Role::kSource},
      {warehouse("D1"), "R1", Role::kDistributor}, {seller("S1"), "R1", Role::kStorefront},
      {seller("S2"), "R1", Role::kStorefront},     {account("C1"), "R1", Role::kCollector},
      {warehouse("F3"), "R2", Role::kSource},      {warehouse("D2"), "R2", Role::kDistributor},
      {warehouse("D3"), "R2", Role::kDistributor}, {seller("S3"), "R2", Role::kStorefront},
      {seller("S4"), "R2", Role::kStorefront},     {account("C2"), "R2", Role::kCollector},
      {seller("L1"), "", Role::kLegit},            {seller("L2"), "", Role::kLegit},
      {seller("L3"), "", Role::kLegit},            {seller("D1"), "", Role::kLegit},
      {warehouse("W1"), "", Role::kLegit},
  });
}

// Best first. Budget 12: N1 and N2 hold 9, N3 crosses to 13 and counts
// whole; N4 is not taken. R2 is split over N2, N3 and N4.
std::vector<OutputNetwork> four_networks() {
  return {
      {"N1", {warehouse("F1"), warehouse("F2"), warehouse("D1"), seller("S1"), seller("S2"), seller("L1")}},
      {"N2", {warehouse("F3"), warehouse("D2"), seller("L2")}},
      {"N3", {seller("S3"), account("C2"), warehouse("D3"), seller("L3")}},
      {"N4", {account("C1"), warehouse("W1"), seller("S4")}},
  };
}

// D1 is fed by F1 and F2, D2 by F3, D3 by nobody. Counterfeit units
// (distributor → storefront): 40 + 60 + 25 + 10 = 135. The others are not
// counterfeit supply: legit goods, a distributor shipping to a legit seller,
// a source shipping straight to a storefront.
std::vector<ShipmentEdge> ring_shipments() {
  return {
      {warehouse("F1"), warehouse("D1"), 100}, {warehouse("F2"), warehouse("D1"), 50},
      {warehouse("F3"), warehouse("D2"), 30},  {warehouse("D1"), seller("S1"), 40},
      {warehouse("D1"), seller("S2"), 60},     {warehouse("D2"), seller("S3"), 25},
      {warehouse("D3"), seller("S4"), 10},     {warehouse("W1"), seller("L1"), 99},
      {warehouse("D1"), seller("L2"), 7},      {warehouse("F1"), seller("S1"), 5},
  };
}

}  // namespace

TEST_CASE("evaluation: members precision and recall take whole networks up to the ring budget",
          "[evaluation][fast]") {
  const TruthIndex truth = two_rings();
  MembersScore s = score_members(truth, four_networks());
  CHECK(s.ring_entities == 12);
  CHECK(s.networks_taken == 3);  // N3 crosses the budget and counts whole
  CHECK(s.members_taken == 13);
  CHECK(s.ring_members_taken == 10);  // 5 + 2 + 3
  REQUIRE(s.precision);
  CHECK(*s.precision == Approx(10.0 / 13.0));
  REQUIRE(s.recall);
  CHECK(*s.recall == Approx(10.0 / 12.0));

  SECTION("a network that reaches the budget exactly stops the taking") {
    std::vector<OutputNetwork> networks = four_networks();
    networks[0].members.push_back(seller("X1"));  // unknown to the truth: not a ring entity
    networks[0].members.push_back(seller("X2"));
    networks[0].members.push_back(seller("X3"));  // N1 + N2 = 12
    MembersScore exact = score_members(truth, networks);
    CHECK(exact.networks_taken == 2);
    CHECK(exact.members_taken == 12);
    CHECK(*exact.precision == Approx(7.0 / 12.0));
    CHECK(*exact.recall == Approx(7.0 / 12.0));
  }
  SECTION("fewer members than the budget: every network is taken") {
    MembersScore all = score_members(truth, {four_networks()[1]});
    CHECK(all.networks_taken == 1);
    CHECK(*all.precision == Approx(2.0 / 3.0));
    CHECK(*all.recall == Approx(2.0 / 12.0));
  }
  SECTION("no network: recall 0, precision has no value") {
    MembersScore none = score_members(truth, {});
    CHECK(none.networks_taken == 0);
    CHECK(!none.precision);
    CHECK(*none.recall == 0.0);
  }
  SECTION("no ring in the truth: nothing is taken and neither has a value") {
    MembersScore empty = score_members(TruthIndex({{seller("L1"), "", Role::kLegit}}), four_networks());
    CHECK(empty.networks_taken == 0);
    CHECK(!empty.precision);
    CHECK(!empty.recall);
  }
}

TEST_CASE("evaluation: ring Jaccard takes each ring's best network, also when the ring is split",
          "[evaluation][fast]") {
  const TruthIndex truth = two_rings();
  // R1 vs N1: 5 shared, 7 in either → 5/7 (vs N4: 1/8).
  // R2 is split: vs N2 2/7, vs N3 3/7, vs N4 1/8 → 3/7.
  RingOverlap r = score_ring_overlap(truth, four_networks());
  CHECK(r.rings == 2);
  REQUIRE(r.mean_jaccard);
  CHECK(*r.mean_jaccard == Approx((5.0 / 7.0 + 3.0 / 7.0) / 2.0));
  REQUIRE(r.rings_found);
  CHECK(*r.rings_found == Approx(0.5));  // R1 only

  SECTION("an overlap of exactly one half counts as found") {
    // R2 vs {F3, D2, D3, S3, S4, C2, L1, L2, L3, W1, seller D1, seller L9}: 6 / 12.
    std::vector<OutputNetwork> networks = four_networks();
    networks[1].members = {warehouse("F3"), warehouse("D2"), warehouse("D3"), seller("S3"),
                           seller("S4"),    account("C2"),   seller("L1"),    seller("L2"),
                           seller("L3"),    warehouse("W1"), seller("D1"),    seller("L9")};
    networks[0].members.pop_back();  // L1 is in N2 now
    networks[2].members = {};
    networks[3].members = {account("C1")};
    RingOverlap half = score_ring_overlap(truth, networks);
    CHECK(*half.rings_found == Approx(1.0));
    CHECK(*half.mean_jaccard == Approx((5.0 / 6.0 + 0.5) / 2.0));
  }
  SECTION("a ring no network touches scores 0") {
    RingOverlap missed = score_ring_overlap(truth, {four_networks()[0]});
    CHECK(*missed.mean_jaccard == Approx(5.0 / 7.0 / 2.0));
    CHECK(*missed.rings_found == Approx(0.5));
  }
  SECTION("no ring: no value") {
    RingOverlap none = score_ring_overlap(TruthIndex({}), four_networks());
    CHECK(none.rings == 0);
    CHECK(!none.mean_jaccard);
    CHECK(!none.rings_found);
  }
}

TEST_CASE("evaluation: targets precision@k counts missing targets as misses and looks no further than k",
          "[evaluation][fast]") {
  const TruthIndex truth = two_rings();
  SECTION("fewer targets than k") {
    // Hits: warehouse D1, F1, C2. Seller D1 is legit: the kind matters.
    TargetsScore s = score_targets(truth, {warehouse("D1"), warehouse("F1"), seller("L1"), seller("D1"), account("C2")});
    CHECK(s.k == 8);
    CHECK(s.hits == 3);
    CHECK(*s.precision == Approx(3.0 / 8.0));
  }
  SECTION("a hit after the k-th target does not count") {
    TargetsScore s = score_targets(truth, {seller("L1"), seller("L2"), seller("L3"), warehouse("W1"), seller("D1"),
                                           seller("S1"), seller("S2"), seller("S3"), warehouse("F1")});
    CHECK(s.hits == 0);
    CHECK(*s.precision == 0.0);
  }
  SECTION("all k right") {
    TargetsScore s = score_targets(truth, {warehouse("F1"), warehouse("F2"), warehouse("F3"), warehouse("D1"),
                                           warehouse("D2"), warehouse("D3"), account("C1"), account("C2")});
    CHECK(*s.precision == 1.0);
  }
  SECTION("k = 0: no value") {
    TargetsScore s = score_targets(TruthIndex({{seller("S1"), "R1", Role::kStorefront}}), {seller("S1")});
    CHECK(s.k == 0);
    CHECK(!s.precision);
  }
}

TEST_CASE("evaluation: supply cut@ks removes storefronts, distributors or all of a distributor's sources",
          "[evaluation][fast]") {
  const TruthIndex truth = two_rings();
  const std::vector<ShipmentEdge> shipments = ring_shipments();
  auto cut = [&](const std::vector<EntityKey>& targets) {
    SupplyCut s = score_supply_cut(truth, targets, shipments);
    CHECK(s.ks == 6);
    CHECK(s.counterfeit_units == 135.0);
    REQUIRE(s.share);
    return s.cut_units;
  };
  // D1 has two sources: one removed leaves it supplied, both starve it.
  CHECK(cut({warehouse("F1")}) == 0.0);
  CHECK(cut({warehouse("F2")}) == 0.0);
  CHECK(cut({warehouse("F1"), warehouse("F2")}) == 100.0);
  CHECK(cut({warehouse("F3")}) == 25.0);
  // D3 has no source: removing every source leaves its 10 units.
  CHECK(cut({warehouse("F1"), warehouse("F2"), warehouse("F3")}) == 125.0);
  CHECK(cut({warehouse("D3")}) == 10.0);
  CHECK(cut({warehouse("D1")}) == 100.0);
  CHECK(cut({seller("S2")}) == 60.0);
  // Seller D1 is not warehouse D1; removing both the storefront and its
  // distributor cuts the units once.
  CHECK(cut({seller("D1")}) == 0.0);
  CHECK(cut({warehouse("D1"), seller("S1")}) == 100.0);
  // Only the first ks = 6 targets are removed: D1 comes 7th.
  CHECK(cut({seller("L1"), seller("L2"), seller("L3"), warehouse("W1"), seller("D1"), account("C1"),
             warehouse("D1")}) == 0.0);
  CHECK(cut({warehouse("F1"), warehouse("F2"), warehouse("F3"), warehouse("D3")}) == 135.0);

  SupplyCut some = score_supply_cut(truth, {warehouse("F1"), warehouse("F2")}, shipments);
  CHECK(*some.share == Approx(100.0 / 135.0));

  SECTION("no counterfeit unit shipped: no value") {
    SupplyCut none = score_supply_cut(truth, {warehouse("D1")}, {{warehouse("W1"), seller("L1"), 99}});
    CHECK(none.counterfeit_units == 0.0);
    CHECK(!none.share);
  }
}

TEST_CASE("evaluation: evaluate gives all four, and an entity unknown to the truth is legit",
          "[evaluation][fast]") {
  const TruthIndex truth = two_rings();
  CHECK(truth.role_of(seller("nobody")) == Role::kLegit);
  CHECK(truth.role_of(warehouse("D1")) == Role::kDistributor);
  CHECK(truth.role_of(seller("D1")) == Role::kLegit);
  Evaluation e = evaluate(truth, four_networks(), {warehouse("F1"), warehouse("F2"), seller("X")}, ring_shipments());
  CHECK(*e.members.precision == Approx(10.0 / 13.0));
  CHECK(*e.rings.mean_jaccard == Approx(4.0 / 7.0));
  CHECK(*e.targets.precision == Approx(2.0 / 8.0));
  CHECK(*e.supply.share == Approx(100.0 / 135.0));
}
