// Risk: evidence decay, role hints from flows, supply networks, evidence
// spread, network risk with shrinkage and supply structure, on hand-made
// markets.
#include <catch2/catch.hpp>
#include <cmath>
#include <omp.h>

#include "sourcetrace/graph/combined_graph.hpp"
#include "sourcetrace/risk/evidence_score.hpp"
#include "sourcetrace/risk/evidence_spread.hpp"
#include "sourcetrace/risk/network_risk.hpp"
#include "sourcetrace/risk/role_hints.hpp"
#include "sourcetrace/risk/supply_network.hpp"

using namespace sourcetrace;
using namespace sourcetrace::risk;
using graph::EdgeEvents;
using graph::VertexId;

namespace {

// A hand-made market: entities by kind, directed shipments and payments,
// undirected seller links.
struct MarketBuilder {
  graph::MarketGraph g;
  std::vector<EdgeEvents> links, stock, payments, shipments;

  VertexId add(EntityKind kind) {
    g.entities.tags.push_back(static_cast<std::uint8_t>(kind));
    return static_cast<VertexId>(g.entities.tags.size() - 1);
  }
  void ship(VertexId from, VertexId to, float units) { shipments.push_back({from, to, units, 1}); }
  void pay(VertexId from, VertexId to, float amount) { payments.push_back({from, to, amount, 1}); }
  void link(VertexId a, VertexId b) { links.push_back({a, b, 1.0f, 1}); }
  void report(VertexId v, tables::Signal s, tables::Day day) {
    g.evidence.entity.push_back(v);
    g.evidence.signal.push_back(static_cast<std::uint8_t>(s));
    g.evidence.brand.push_back(1);
    g.evidence.day.push_back(day);
    g.evidence.reporter.push_back(0);
  }
  graph::MarketGraph build() {
    const auto n = static_cast<VertexId>(g.entities.tags.size());
    const std::vector<EdgeEvents>* lists[4] = {&links, &stock, &payments, &shipments};
    for (int i = 0; i < 4; ++i) {
      graph::Layer l;
      l.id = static_cast<graph::LayerId>(i);
      l.name = std::string(graph::kLayerNames[i]);
      l.directed = i >= 2;
      l.adjacency = graph::build_csr(*lists[i], n, true);
      if (l.directed) l.flow = graph::build_csr(*lists[i], n, false);
      g.layers.push_back(std::move(l));
    }
    return std::move(g);
  }
};

community::Partition partition_of(std::vector<std::uint32_t> labels) {
  return community::canonical_partition(labels);
}

}  // namespace

TEST_CASE("risk: evidence weighs by signal and halves every half-life", "[risk][fast]") {
  MarketBuilder b;
  VertexId s = b.add(EntityKind::kSeller), t = b.add(EntityKind::kSeller);
  b.report(s, tables::Signal::kTestBuyCounterfeit, 1000);
  b.report(s, tables::Signal::kTakedown, 1000 - 365);
  b.report(t, tables::Signal::kTestBuyGenuine, 1000);
  b.report(t, tables::Signal::kComplaint, 2000);  // after the as-of date: ignored
  graph::MarketGraph g = b.build();
  CHECK(newest_evidence_day(g) == 2000);
  EvidenceScores e = score_evidence(g, {}, 1000);
  CHECK(e.positive[s] == Approx(2.0 + 0.5));
  CHECK(e.negative[t] == Approx(1.0));
  CHECK(e.positive[t] == 0.0);
  EvidenceWeights bad;
  bad.half_life_days = 0;
  CHECK(!validate(bad).is_ok());
}

TEST_CASE("risk: role hints follow the flows inside a community", "[risk][fast]") {
  MarketBuilder b;
  VertexId factory = b.add(EntityKind::kWarehouse), depot = b.add(EntityKind::kWarehouse);
  VertexId shop1 = b.add(EntityKind::kSeller), shop2 = b.add(EntityKind::kSeller);
  VertexId payout1 = b.add(EntityKind::kAccount), payout2 = b.add(EntityKind::kAccount);
  VertexId collector = b.add(EntityKind::kAccount), outsider = b.add(EntityKind::kWarehouse);
  b.ship(factory, depot, 100);
  b.ship(depot, shop1, 50);
  b.ship(depot, shop2, 50);
  b.ship(outsider, shop1, 5);
  b.pay(shop1, payout1, 10);
  b.pay(shop2, payout2, 10);
  b.pay(payout1, collector, 9);
  b.pay(payout2, collector, 9);
  b.link(shop1, shop2);
  graph::MarketGraph g = b.build();
  auto p = partition_of({0, 0, 0, 0, 0, 0, 0, 1});
  std::vector<Role> roles = role_hints(g, p);
  CHECK(roles[factory] == Role::kSource);
  CHECK(roles[depot] == Role::kDistributor);
  CHECK(roles[shop1] == Role::kStorefront);
  CHECK(roles[payout1] == Role::kStorefront);
  CHECK(roles[collector] == Role::kCollector);
  CHECK(roles[outsider] == Role::kLegit);
}

TEST_CASE("risk: a ring outranks a legitimate multi-store business with a wrong takedown, "
          "and a tiny cluster with one report is not certain",
          "[risk][fast]") {
  MarketBuilder b;
  std::vector<std::uint32_t> labels;
  auto add = [&](EntityKind k, std::uint32_t community) {
    labels.push_back(community);
    return b.add(k);
  };
  // Community 0: a ring: factory → depot → 10 storefronts → payouts → collector; 3 reports.
  VertexId factory = add(EntityKind::kWarehouse, 0), depot = add(EntityKind::kWarehouse, 0);
  VertexId collector = add(EntityKind::kAccount, 0);
  b.ship(factory, depot, 500);
  for (int i = 0; i < 10; ++i) {
    VertexId shop = add(EntityKind::kSeller, 0), payout = add(EntityKind::kAccount, 0);
    b.ship(depot, shop, 50);
    b.pay(shop, payout, 100);
    b.pay(payout, collector, 90);
    if (i < 3) b.report(shop, tables::Signal::kTestBuyCounterfeit, 100);
  }
  // Community 1: a legitimate business: 10 linked shops stocked by an outside
  // supplier, one wrong takedown.
  VertexId supplier = add(EntityKind::kWarehouse, 2);
  VertexId first_shop = 0;
  for (int i = 0; i < 10; ++i) {
    VertexId shop = add(EntityKind::kSeller, 1);
    if (i == 0) first_shop = shop;
    b.ship(supplier, shop, 50);
    if (i > 0) b.link(first_shop, shop);
  }
  b.report(first_shop, tables::Signal::kTakedown, 100);
  // Community 3: two sellers, one report. Communities 4..: a quiet market.
  VertexId a = add(EntityKind::kSeller, 3), c = add(EntityKind::kSeller, 3);
  b.link(a, c);
  b.report(a, tables::Signal::kTestBuyCounterfeit, 100);
  for (int i = 0; i < 300; ++i) add(EntityKind::kSeller, 4 + i / 50);

  graph::MarketGraph g = b.build();
  auto p = partition_of(labels);
  std::vector<Role> roles = role_hints(g, p);
  EvidenceScores e = score_evidence(g, {}, 100);
  auto nets = assess_networks(g, p, e, roles, {});
  const auto ring = nets[p.membership[factory]], business = nets[p.membership[first_shop]],
             tiny = nets[p.membership[a]];
  CHECK(ring.risk > 0.5);
  CHECK(ring.structure == Approx(1.0));
  CHECK(business.structure == Approx(0.0));
  CHECK(business.risk < ring.risk / 2);
  CHECK(tiny.risk < ring.risk);
  CHECK(tiny.evidence_risk < 0.9);
  for (const NetworkRisk& n : nets) {
    CHECK(n.risk >= 0.0);
    CHECK(n.risk <= 1.0);
  }
  CHECK(nets[p.membership[labels.size() - 1]].risk == 0.0);  // quiet: no evidence
  CHECK(ring.reason.find("3 reports") != std::string::npos);
  CHECK(ring.reason.find("1 source through 1 distributor to 10 storefronts") != std::string::npos);
}

TEST_CASE("risk: supply networks split a community into its supply lines and the rest", "[risk][fast]") {
  MarketBuilder b;
  // Two rings in one community, a 3PL hub fed by a supplier that also sends
  // ring storefronts a few parcels, a shared mule, and a bystander shop.
  struct Ring {
    VertexId factory, depot, shop1, shop2, payout1, payout2, collector;
  };
  auto ring = [&] {
    Ring r{b.add(EntityKind::kWarehouse), b.add(EntityKind::kWarehouse), b.add(EntityKind::kSeller),
           b.add(EntityKind::kSeller), b.add(EntityKind::kAccount), b.add(EntityKind::kAccount),
           b.add(EntityKind::kAccount)};
    b.ship(r.factory, r.depot, 1000);
    b.ship(r.depot, r.shop1, 300);
    b.ship(r.depot, r.shop2, 300);
    b.pay(r.shop1, r.payout1, 1000);
    b.pay(r.shop2, r.payout2, 1000);
    b.pay(r.payout1, r.collector, 900);
    b.pay(r.payout2, r.collector, 900);
    return r;
  };
  const Ring a = ring(), c = ring();
  const VertexId supplier = b.add(EntityKind::kWarehouse), hub = b.add(EntityKind::kWarehouse);
  const VertexId bystander = b.add(EntityKind::kSeller), shopper = b.add(EntityKind::kSeller);
  b.ship(supplier, hub, 5000);
  b.ship(hub, a.shop1, 20);    // a few parcels: not the shop's supply line
  b.ship(hub, shopper, 200);   // the hub's own customer
  b.pay(c.payout1, a.collector, 50);  // a shared mule: small payments from the other ring
  b.link(bystander, a.shop1);
  graph::MarketGraph g = b.build();
  const auto p = partition_of(std::vector<std::uint32_t>(g.num_entities(), 0));
  const std::vector<Role> roles = role_hints(g, p);
  REQUIRE(roles[hub] == Role::kDistributor);
  const community::Partition nets = supply_networks(g, p, roles, {});
  const auto& n = nets.membership;
  for (VertexId v : {a.depot, a.shop1, a.shop2, a.payout1, a.payout2, a.collector}) CHECK(n[v] == n[a.factory]);
  for (VertexId v : {c.depot, c.shop1, c.shop2, c.payout1, c.payout2, c.collector}) CHECK(n[v] == n[c.factory]);
  CHECK(n[a.factory] != n[c.factory]);
  CHECK(n[hub] == n[supplier]);
  CHECK(n[shopper] == n[hub]);
  CHECK(n[hub] != n[a.factory]);
  CHECK(n[bystander] != n[a.factory]);
  CHECK(n[bystander] != n[hub]);
  CHECK(nets.num_communities == 4);  // ring a, ring c, the hub's line, the rest
  SupplyNetworkOptions o;
  o.join_share = 0;
  CHECK(!validate(o).is_ok());
}

TEST_CASE("risk: evidence spreads to the unreported distributor of reported storefronts", "[risk][fast]") {
  MarketBuilder b;
  const VertexId depot = b.add(EntityKind::kWarehouse), quiet_depot = b.add(EntityKind::kWarehouse);
  std::vector<VertexId> shops;
  for (int i = 0; i < 5; ++i) {
    const VertexId shop = b.add(EntityKind::kSeller), quiet = b.add(EntityKind::kSeller);
    b.ship(depot, shop, 100);
    b.ship(quiet_depot, quiet, 100);
    b.report(shop, tables::Signal::kTakedown, 10);
    shops.push_back(shop);
  }
  const VertexId loner = b.add(EntityKind::kSeller);
  b.report(loner, tables::Signal::kTakedown, 10);
  graph::MarketGraph g = b.build();
  const EvidenceScores e = score_evidence(g, {}, 10);
  const graph::Csr combined = graph::combine_layers(g, {});
  const std::vector<double> f = spread_evidence(combined, e.positive, {});
  CHECK(e.positive[depot] == 0.0);
  CHECK(f[depot] > 1.0);  // more than one report's worth, from five
  CHECK(f[quiet_depot] == 0.0);
  CHECK(f[loner] == Approx(1.0));  // no neighbours: its own evidence, no more
  CHECK(f[shops[0]] > 1.0);        // its own, and some back from the depot
  CHECK(own_risk(f[depot], 1.0) > 0.5);
  CHECK(own_risk(0.0, 1.0) == 0.0);
  // The same on one thread as on all.
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const std::vector<double> serial = spread_evidence(combined, e.positive, {});
  omp_set_num_threads(threads);
  CHECK(serial == f);
  SpreadOptions bad;
  bad.alpha = 1.0;
  CHECK(!validate(bad).is_ok());
}
