// Targets: the supply flow model, the greedy elimination ranking, the merge
// into one global list, and the flow verifier, on hand-made markets.
#include <catch2/catch.hpp>
#include <random>

#include "sourcetrace/targets/elimination.hpp"
#include "sourcetrace/targets/supply_flow.hpp"
#include "sourcetrace/targets/verify_flow.hpp"

using namespace sourcetrace;
using namespace sourcetrace::targets;
using graph::EdgeEvents;
using graph::VertexId;
using risk::Role;

namespace {

// A market built by hand: entities by kind, shipments and payments as
// aggregated events, and the network's members with their roles.
struct HandMarket {
  std::vector<EntityKind> kinds;
  std::vector<EdgeEvents> shipments, payments;
  std::vector<Member> members;

  VertexId add(EntityKind kind, std::optional<Role> role) {
    kinds.push_back(kind);
    const auto v = static_cast<VertexId>(kinds.size() - 1);
    if (role) members.push_back({v, *role});
    return v;
  }
  VertexId factory() { return add(EntityKind::kWarehouse, Role::kSource); }
  VertexId distributor() { return add(EntityKind::kWarehouse, Role::kDistributor); }
  VertexId storefront() { return add(EntityKind::kSeller, Role::kStorefront); }
  VertexId payout() { return add(EntityKind::kAccount, Role::kStorefront); }
  VertexId collector() { return add(EntityKind::kAccount, Role::kCollector); }
  void ship(VertexId from, VertexId to, float units) { shipments.push_back({from, to, units, 1}); }
  void pay(VertexId from, VertexId to, float amount) { payments.push_back({from, to, amount, 1}); }

  graph::MarketGraph build() const {
    graph::MarketGraph g;
    const auto n = static_cast<VertexId>(kinds.size());
    for (EntityKind k : kinds) g.entities.tags.push_back(static_cast<std::uint8_t>(k));
    for (int i = 0; i < 4; ++i) {
      graph::Layer l;
      l.id = static_cast<graph::LayerId>(i);
      l.name = std::string(graph::kLayerNames[i]);
      const std::vector<EdgeEvents> none;
      const auto& events = l.id == graph::LayerId::kShipment ? shipments
                           : l.id == graph::LayerId::kPayment ? payments
                                                              : none;
      l.directed = l.id == graph::LayerId::kShipment || l.id == graph::LayerId::kPayment;
      l.adjacency = graph::build_csr(events, n, true);
      if (l.directed) l.flow = graph::build_csr(events, n, false);
      g.layers.push_back(std::move(l));
    }
    return g;
  }
};

// The greedy's own cuts: every flow checked, and no naming of the suppliers
// left once the flow is cut (tested on its own below).
EliminationOptions verified() {
  EliminationOptions o;
  o.verify = true;  // every flow run() computes goes through verify_flow
  o.name_remaining_suppliers = false;
  return o;
}

std::size_t member_index(const SupplyFlow& flow, VertexId v) {
  for (std::size_t i = 0; i < flow.num_members(); ++i) {
    if (flow.member(i).vertex == v) return i;
  }
  FAIL("not a member");
  return 0;
}

}  // namespace

TEST_CASE("targets: a chain's single source is the first pick and cuts everything", "[targets][fast]") {
  HandMarket m;
  const VertexId f = m.factory(), d = m.distributor();
  const VertexId s1 = m.storefront(), s2 = m.storefront(), s3 = m.storefront();
  const VertexId p1 = m.payout(), p2 = m.payout(), p3 = m.payout(), c = m.collector();
  m.ship(f, d, 1000);
  m.ship(d, s1, 300);
  m.ship(d, s2, 200);
  m.ship(d, s3, 100);
  m.pay(s1, p1, 9000);  // money in another currency of scale entirely
  m.pay(s2, p2, 10);
  m.pay(s3, p3, 50);
  m.pay(p1, c, 8000);
  m.pay(p2, c, 10);
  m.pay(p3, c, 40);
  // The outside world: a legit hub also stocks s1, s1 pays a processor,
  // and the collector pays someone outside. None of it is the network's.
  const VertexId hub = m.add(EntityKind::kWarehouse, std::nullopt);
  const VertexId processor = m.add(EntityKind::kAccount, std::nullopt);
  m.ship(hub, s1, 40);
  m.pay(s1, processor, 30);
  m.pay(c, processor, 5);
  const graph::MarketGraph g = m.build();

  SECTION("the flow model") {
    SupplyFlow flow(g, m.members);
    REQUIRE(flow.build().is_ok());
    CHECK(flow.supply_capacity() == Approx(1000));
    // Storefronts pass on what they were sent, whatever their money's scale.
    CHECK(flow.solve() == Approx(600));
    CHECK(verify_flow(flow.solution()).empty());
    CHECK(flow.through(member_index(flow, f)) == Approx(600));
    // Money is not supply: accounts carry none of the flow, and a
    // collector's takings (rescaled to units) are a fact of it.
    CHECK(flow.through(member_index(flow, p1)) == 0.0);
    CHECK(flow.through(member_index(flow, c)) == 0.0);
    CHECK(flow.facts(member_index(flow, c)).units_in == Approx(600));
    CHECK(flow.facts(member_index(flow, p1)).payout_account);
    flow.set_removed(member_index(flow, s1), true);
    CHECK(flow.solve() == Approx(300));
    CHECK(verify_flow(flow.solution()).empty());
    flow.set_removed(member_index(flow, p2), true);
    CHECK(flow.solve() == Approx(300));  // a payout account stops money, not goods
    CHECK(verify_flow(flow.solution()).empty());
    flow.set_removed(member_index(flow, s1), false);
    flow.set_removed(member_index(flow, p2), false);
    CHECK(flow.solve() == Approx(600));
  }

  SECTION("the ranking") {
    EliminationRanking ranking(g, m.members, verified());
    REQUIRE(ranking.run().is_ok());
    CHECK(ranking.stats().network_flow == Approx(600));
    REQUIRE(ranking.targets().size() == 1);  // nothing left after it
    const Target& t = ranking.targets()[0];
    CHECK(t.vertex == f);
    CHECK(t.role == Role::kSource);
    CHECK(t.impact == Approx(1.0));
    CHECK(t.marginal == Approx(1.0));
    CHECK(t.reason == "source (factory): feeds 1 distributor; removing it cuts 100% of the network's supply");
    CHECK(verify_flow(ranking.supply().solution()).empty());
    CHECK(ranking.supply().solution().value == 0.0);
  }

  SECTION("after the cut, the suppliers left are named, upstream first") {
    EliminationOptions o = verified();
    o.name_remaining_suppliers = true;
    EliminationRanking ranking(g, m.members, o);
    REQUIRE(ranking.run().is_ok());
    REQUIRE(ranking.targets().size() == 3);
    CHECK(ranking.targets()[0].vertex == f);
    CHECK(ranking.targets()[1].role == Role::kDistributor);
    CHECK(ranking.targets()[2].vertex == c);
    for (std::size_t k = 1; k < 3; ++k) {
      CHECK(ranking.targets()[k].marginal == 0.0);
      CHECK(ranking.targets()[k].impact == Approx(1.0));
    }
    CHECK(ranking.targets()[1].reason.find("would restock their replacements") != std::string::npos);
    CHECK(ranking.targets()[2].reason.find("stops the takings") != std::string::npos);
    o.max_targets = 2;
    EliminationRanking capped(g, m.members, o);
    REQUIRE(capped.run().is_ok());
    CHECK(capped.targets().size() == 2);
  }
}

TEST_CASE("targets: two sources each feeding half: impact 0.5, then 1.0", "[targets][fast]") {
  HandMarket m;
  const VertexId f1 = m.factory(), f2 = m.factory();
  const VertexId d1 = m.distributor(), d2 = m.distributor();
  const VertexId s1 = m.storefront(), s2 = m.storefront();
  m.ship(f1, d1, 500);
  m.ship(f2, d2, 500);
  m.ship(d1, s1, 500);
  m.ship(d2, s2, 500);  // no payments: storefronts sell straight into the sink
  const graph::MarketGraph g = m.build();
  EliminationRanking ranking(g, m.members, verified());
  REQUIRE(ranking.run().is_ok());
  CHECK(ranking.stats().network_flow == Approx(1000));
  REQUIRE(ranking.targets().size() == 2);
  CHECK(ranking.targets()[0].vertex == f1);  // ties: upstream, then lower id
  CHECK(ranking.targets()[0].impact == Approx(0.5));
  CHECK(ranking.targets()[0].marginal == Approx(0.5));
  CHECK(ranking.targets()[1].vertex == f2);
  CHECK(ranking.targets()[1].impact == Approx(1.0));
  CHECK(ranking.targets()[1].marginal == Approx(0.5));
  CHECK(ranking.targets()[1].reason.find("cuts a further 50% of the network's supply (100% with the targets above)") != std::string::npos);

  EliminationOptions one = verified();
  one.max_targets = 1;
  EliminationRanking capped(g, m.members, one);
  REQUIRE(capped.run().is_ok());
  CHECK(capped.targets().size() == 1);
}

TEST_CASE("targets: a distributor serving many storefronts is picked before any storefront", "[targets][fast]") {
  HandMarket m;
  const VertexId f1 = m.factory(), f2 = m.factory(), d = m.distributor();
  m.ship(f1, d, 500);
  m.ship(f2, d, 500);
  std::vector<VertexId> fronts;
  for (int k = 0; k < 8; ++k) {
    fronts.push_back(m.storefront());
    m.ship(d, fronts.back(), 125);
  }
  const graph::MarketGraph g = m.build();
  for (double storefront_cost : {0.2, 1.0}) {
    EliminationOptions o = verified();
    o.storefront_cost = storefront_cost;
    EliminationRanking ranking(g, m.members, o);
    REQUIRE(ranking.run().is_ok());
    REQUIRE(!ranking.targets().empty());
    CHECK(ranking.targets()[0].vertex == d);
    CHECK(ranking.targets()[0].role == Role::kDistributor);
    CHECK(ranking.targets()[0].impact == Approx(1.0));
    CHECK(ranking.targets()[0].reason.find("feeds 8 storefronts") != std::string::npos);
  }
  // The bounds rule out most storefronts without a solve of their own.
  EliminationRanking ranking(g, m.members, verified());
  REQUIRE(ranking.run().is_ok());
  CHECK(ranking.stats().candidates_skipped > 0);
  CHECK(ranking.stats().solves < 2 + m.members.size());
}

TEST_CASE("targets: replacement cost decides between equal cuts", "[targets][fast]") {
  SECTION("source or distributor") {
    HandMarket m;
    const VertexId f = m.factory(), d = m.distributor(), s = m.storefront();
    m.ship(f, d, 400);
    m.ship(d, s, 400);
    const graph::MarketGraph g = m.build();
    EliminationRanking ranking(g, m.members, verified());
    REQUIRE(ranking.run().is_ok());
    REQUIRE(ranking.targets().size() == 1);
    CHECK(ranking.targets()[0].vertex == f);  // equal: upstream first
    EliminationOptions o = verified();
    o.source_cost = 0.5;  // a factory that is easy to replace
    EliminationRanking cheap(g, m.members, o);
    REQUIRE(cheap.run().is_ok());
    REQUIRE(cheap.targets().size() == 1);
    CHECK(cheap.targets()[0].vertex == d);
    CHECK(cheap.targets()[0].impact == Approx(1.0));
  }
  SECTION("a storefront's accounts carry money, not goods: the storefront is the pick") {
    HandMarket m;
    const VertexId hub = m.add(EntityKind::kWarehouse, std::nullopt);  // outside the network
    const VertexId s = m.storefront(), p = m.payout();
    const VertexId c1 = m.collector(), c2 = m.collector();
    m.ship(hub, s, 100);
    m.pay(s, p, 1000);
    m.pay(p, c1, 300);
    m.pay(p, c2, 900);
    const graph::MarketGraph g = m.build();
    SupplyFlow flow(g, m.members);
    REQUIRE(flow.build().is_ok());
    CHECK(flow.solve() == Approx(100));  // stocked from outside: an entry point
    CHECK(verify_flow(flow.solution()).empty());
    CHECK(flow.facts(member_index(flow, s)).entry);
    CHECK(flow.facts(member_index(flow, c1)).units_in == Approx(25));  // money split 300:900
    CHECK(flow.facts(member_index(flow, c2)).units_in == Approx(75));

    EliminationOptions o = verified();
    o.name_remaining_suppliers = true;
    EliminationRanking ranking(g, m.members, o);
    REQUIRE(ranking.run().is_ok());
    REQUIRE(ranking.targets().size() == 3);
    CHECK(ranking.targets()[0].vertex == s);
    CHECK(ranking.targets()[0].impact == Approx(1.0));
    // Then the collectors, the larger takings first.
    CHECK(ranking.targets()[1].vertex == c2);
    CHECK(ranking.targets()[2].vertex == c1);
    CHECK(ranking.targets()[1].marginal == 0.0);
  }
}

TEST_CASE("targets: merge interleaves networks by weighted gain and keeps each network's order",
          "[targets][fast]") {
  auto pick = [](VertexId v, double marginal) {
    Target t;
    t.vertex = v;
    t.marginal = marginal;
    return t;
  };
  const std::vector<std::vector<Target>> lists = {
      {pick(10, 0.5), pick(11, 0.5)},  // risk 0.4: keys 0.2, 0.2
      {pick(20, 0.1), pick(21, 0.9)},  // risk 1.0: keys 0.1, then 0.9
      {pick(30, 0.3)},                 // risk 0.5: key 0.15
      {},
  };
  const std::vector<double> risks = {0.4, 1.0, 0.5, 0.9};
  auto merged = merge_target_lists(lists, risks);
  REQUIRE(merged.is_ok());
  std::vector<VertexId> order;
  for (const RankedTarget& r : merged.value()) {
    order.push_back(r.target.vertex);
    CHECK(r.rank == order.size());
  }
  // 21 gains the most but cannot come before 20, its network's first pick.
  CHECK(order == std::vector<VertexId>{10, 11, 30, 20, 21});
  CHECK(merged.value()[0].network == 0);
  CHECK(merged.value()[2].network == 2);
  CHECK(merged.value()[4].weighted_gain == Approx(0.9));

  CHECK(!merge_target_lists(lists, std::vector<double>{0.4, 1.0}).is_ok());
  CHECK(!merge_target_lists(lists, std::vector<double>{0.4, 1.5, 0.5, 0.9}).is_ok());
  CHECK(merge_target_lists({}, {}).value().empty());
}

TEST_CASE("targets: merge of real rankings puts every network's first pick before its second",
          "[targets][fast]") {
  HandMarket a;  // two halves: 0.5 then 0.5
  {
    const VertexId f1 = a.factory(), f2 = a.factory(), s1 = a.storefront(), s2 = a.storefront();
    a.ship(f1, s1, 300);  // a source selling straight to a storefront
    a.ship(f2, s2, 300);
  }
  HandMarket b;  // one source: 1.0
  {
    const VertexId f = b.factory(), d = b.distributor(), s = b.storefront();
    b.ship(f, d, 50);
    b.ship(d, s, 50);
  }
  const graph::MarketGraph ga = a.build(), gb = b.build();
  EliminationRanking ra(ga, a.members, verified()), rb(gb, b.members, verified());
  REQUIRE(ra.run().is_ok());
  REQUIRE(rb.run().is_ok());
  const std::vector<std::vector<Target>> lists = {ra.targets(), rb.targets()};
  auto merged = merge_target_lists(lists, std::vector<double>{0.9, 0.6});
  REQUIRE(merged.is_ok());
  REQUIRE(merged.value().size() == 3);
  // Keys: a 0.45, 0.45; b 0.6.
  CHECK(merged.value()[0].network == 1);
  CHECK(merged.value()[1].network == 0);
  CHECK(merged.value()[1].target.impact == Approx(0.5));
  CHECK(merged.value()[2].network == 0);
  CHECK(merged.value()[2].target.impact == Approx(1.0));
}

TEST_CASE("targets: bad members and options are refused; a network without flow has no targets",
          "[targets][fast]") {
  HandMarket m;
  const VertexId f = m.factory(), s = m.storefront();
  m.ship(f, s, 10);
  const graph::MarketGraph g = m.build();
  {
    auto members = m.members;
    members.push_back({99, Role::kSource});
    EliminationRanking r(g, members, {});
    CHECK(r.run().code() == Status::Code::kInvalidInput);
  }
  {
    auto members = m.members;
    members.push_back(members[0]);
    SupplyFlow flow(g, members);
    CHECK(flow.build().code() == Status::Code::kInvalidInput);
  }
  EliminationOptions o;
  CHECK(validate(o).is_ok());
  o.max_targets = 0;
  CHECK(!validate(o).is_ok());
  o = {};
  o.storefront_cost = 0;
  CHECK(!validate(o).is_ok());
  o = {};
  o.exact_candidates = 0;
  CHECK(!validate(o).is_ok());
  o = {};
  o.min_remaining_share = 1;
  CHECK(!validate(o).is_ok());

  // Only a collector and a legit member: nothing flows, nothing to take down.
  HandMarket idle;
  idle.collector();
  idle.add(EntityKind::kSeller, Role::kLegit);
  const graph::MarketGraph gi = idle.build();
  EliminationRanking r(gi, idle.members, verified());
  REQUIRE(r.run().is_ok());
  CHECK(r.targets().empty());
  CHECK(r.stats().network_flow == 0.0);
}

TEST_CASE("targets: verify_flow finds broken flows", "[targets][fast]") {
  FlowSolution f;
  f.num_nodes = 3;
  f.source = 0;
  f.sink = 2;
  f.arcs = {{0, 1, 10, 5}, {1, 2, 8, 5}};
  f.value = 5;
  CHECK(verify_flow(f).empty());
  f.arcs[1].flow = 4;  // node 1 keeps a unit
  CHECK(verify_flow(f).find("not conserved") != std::string::npos);
  f.arcs[1].flow = 5;
  f.value = 6;
  CHECK(verify_flow(f).find("value") != std::string::npos);
  f.value = 5;
  f.arcs[1].capacity = 4;
  CHECK(verify_flow(f).find("capacity") != std::string::npos);
  f.arcs[1].capacity = 8;
  f.arcs[0].flow = -1;
  f.arcs[1].flow = -1;
  f.value = -1;
  CHECK(verify_flow(f).find("negative") != std::string::npos);
}

TEST_CASE("targets: on a few hundred members, pruned greedy picks score what exhaustive greedy does",
          "[targets][fast]") {
  HandMarket m;
  std::mt19937 rng(7);
  auto draw = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  std::vector<VertexId> sources, dists, fronts, collectors;
  for (int k = 0; k < 6; ++k) sources.push_back(m.factory());
  for (int k = 0; k < 12; ++k) dists.push_back(m.distributor());
  for (int k = 0; k < 5; ++k) collectors.push_back(m.collector());
  for (VertexId d : dists) {
    m.ship(sources[static_cast<std::size_t>(draw(0, 5))], d, static_cast<float>(draw(2000, 8000)));
    if (draw(0, 1)) m.ship(sources[static_cast<std::size_t>(draw(0, 5))], d, static_cast<float>(draw(500, 3000)));
  }
  m.ship(dists[0], dists[1], 700);  // distributors pass goods on
  for (int k = 0; k < 150; ++k) {
    const VertexId s = m.storefront(), p = m.payout();
    fronts.push_back(s);
    m.ship(dists[static_cast<std::size_t>(draw(0, 11))], s, static_cast<float>(draw(20, 300)));
    if (draw(0, 2) == 0) m.ship(dists[static_cast<std::size_t>(draw(0, 11))], s, static_cast<float>(draw(20, 300)));
    m.pay(s, p, static_cast<float>(draw(100, 4000)));
    m.pay(p, collectors[static_cast<std::size_t>(draw(0, 4))], static_cast<float>(draw(500, 6000)));
    if (draw(0, 3) == 0) m.pay(p, collectors[static_cast<std::size_t>(draw(0, 4))], static_cast<float>(draw(300, 3000)));
  }
  m.ship(sources[0], fronts[0], 90);  // a source selling straight to a storefront
  const graph::MarketGraph g = m.build();

  EliminationOptions o = verified();
  o.exact_candidates = 1 << 20;  // no cap: the bounds alone prune
  EliminationRanking ranking(g, m.members, o);
  REQUIRE(ranking.run().is_ok());
  REQUIRE(ranking.targets().size() >= 3);
  CHECK((ranking.targets().size() == 10 || ranking.targets().back().impact == Approx(1.0)));
  CHECK(ranking.stats().candidates_skipped > 0);
  for (std::size_t k = 1; k < ranking.targets().size(); ++k) {
    CHECK(ranking.targets()[k].impact >= ranking.targets()[k - 1].impact);
  }

  // Exhaustive greedy, round by round from the ranking's own picks: no
  // member scores more than the one the ranking took.
  SupplyFlow flow(g, m.members);
  REQUIRE(flow.build().is_ok());
  const double total = flow.solve();
  CHECK(total == Approx(ranking.stats().network_flow));
  auto cost = [&](std::size_t i) {
    switch (flow.member(i).role) {
      case Role::kStorefront: return flow.facts(i).payout_account ? o.payout_account_cost : o.storefront_cost;
      case Role::kSource: return o.source_cost;
      case Role::kDistributor: return o.distributor_cost;
      default: return o.collector_cost;
    }
  };
  for (const Target& t : ranking.targets()) {
    const double before = flow.solve();
    double best = 0;
    for (std::size_t i = 0; i < flow.num_members(); ++i) {
      if (flow.removed(i)) continue;
      flow.set_removed(i, true);
      const double after = flow.solve();
      REQUIRE(verify_flow(flow.solution()).empty());
      flow.set_removed(i, false);
      best = std::max(best, (before - after) * cost(i));
    }
    CHECK(t.marginal * total * t.replacement_cost == Approx(best).epsilon(1e-9));
    flow.set_removed(member_index(flow, t.vertex), true);
  }
}
