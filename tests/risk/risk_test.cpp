// Risk: evidence decay, role hints from flows, the network cut, evidence
// spread, network risk with shrinkage and supply structure, on hand-made
// markets.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <omp.h>

#include "sourcetrace/graph/combined_graph.hpp"
#include "sourcetrace/risk/evidence_score.hpp"
#include "sourcetrace/risk/evidence_spread.hpp"
#include "sourcetrace/risk/network_risk.hpp"
#include "sourcetrace/risk/role_hints.hpp"
#include "sourcetrace/risk/network_cut.hpp"
#include "sourcetrace/risk/payout_accounts.hpp"

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
  std::vector<tables::LinkType> link_types;

  VertexId add(EntityKind kind) {
    g.entities.tags.push_back(static_cast<std::uint8_t>(kind));
    return static_cast<VertexId>(g.entities.tags.size() - 1);
  }
  void ship(VertexId from, VertexId to, float units) { shipments.push_back({from, to, units, 1}); }
  void pay(VertexId from, VertexId to, float amount) { payments.push_back({from, to, amount, 1}); }
  // Seller links of every type, kept per type as ingest keeps them.
  void link(VertexId a, VertexId b, tables::LinkType type = tables::LinkType::kDevice) {
    links.push_back({a, b, 1.0f, 1});
    link_types.push_back(type);
  }
  void report(VertexId v, tables::Signal s, tables::Day day) {
    g.evidence.entity.push_back(v);
    g.evidence.signal.push_back(static_cast<std::uint8_t>(s));
    g.evidence.brand.push_back(1);
    g.evidence.day.push_back(day);
    g.evidence.reporter.push_back(0);
  }
  // Per adjacency arc, its links of each type (graph::Layer::link_events).
  std::vector<std::uint16_t> link_events(const graph::AggregatedCsr& a) const {
    std::vector<std::uint16_t> counts(a.csr.num_arcs() * graph::kLinkTypes, 0);
    auto arc = [&](VertexId u, VertexId v) {
      const auto row = a.csr.neighbours(u);
      return a.csr.offsets[u] + static_cast<std::size_t>(std::lower_bound(row.begin(), row.end(), v) - row.begin());
    };
    for (std::size_t i = 0; i < links.size(); ++i) {
      const auto t = static_cast<std::size_t>(link_types[i]);
      ++counts[arc(links[i].source, links[i].target) * graph::kLinkTypes + t];
      ++counts[arc(links[i].target, links[i].source) * graph::kLinkTypes + t];
    }
    return counts;
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
      if (i == 0) l.link_events = link_events(l.adjacency);
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
  std::vector<Role> roles = role_hints(g, p, payout_owners(g, p, 0.9));
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
  std::vector<Role> roles = role_hints(g, p, payout_owners(g, p, 0.9));
  EvidenceScores e = score_evidence(g, {}, 100);
  auto nets = assess_networks(g, p, e, roles, payout_owners(g, p, 0.9), {});
  const auto ring = nets[p.membership[factory]], business = nets[p.membership[first_shop]],
             tiny = nets[p.membership[a]];
  CHECK(ring.risk > 0.5);
  CHECK(ring.structure == Approx(1.0));
  // Linked shops stocked from outside: tied by identifiers, no chain of its own.
  CHECK(business.structure == Approx(0.5));
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

TEST_CASE("risk: the network cut keeps what the evidence and its ties vouch for, and leaves the bystanders",
          "[risk][fast]") {
  MarketBuilder b;
  // One community: a ring (factory → depot → shops 1-3 → payouts →
  // collector; shop 1 reported; shop 2 shares a device with it, shop 3
  // only sweeps its money to the collector), and around it an honest shop
  // the depot also supplies (a quarter of its goods), a seller that copied
  // shop 1's image, a 3PL hub that sends shop 1 a few parcels and serves
  // twenty others, and a payment processor every shop pays a fee.
  const VertexId factory = b.add(EntityKind::kWarehouse), depot = b.add(EntityKind::kWarehouse);
  const VertexId collector = b.add(EntityKind::kAccount), processor = b.add(EntityKind::kAccount);
  std::vector<VertexId> shops, payouts;
  for (int i = 0; i < 3; ++i) {
    shops.push_back(b.add(EntityKind::kSeller));
    payouts.push_back(b.add(EntityKind::kAccount));
    b.ship(depot, shops[i], 300);
    b.pay(shops[i], payouts[i], 1000);
    b.pay(payouts[i], collector, 900);
    b.pay(shops[i], processor, 10);
  }
  b.ship(factory, depot, 2000);
  b.report(shops[0], tables::Signal::kTakedown, 10);
  b.link(shops[0], shops[1], tables::LinkType::kDevice);
  const VertexId honest = b.add(EntityKind::kSeller), honest_payout = b.add(EntityKind::kAccount);
  const VertexId wholesaler = b.add(EntityKind::kWarehouse);
  b.ship(depot, honest, 100);
  b.ship(wholesaler, honest, 300);
  b.pay(honest, honest_payout, 500);
  b.pay(honest, processor, 10);
  const VertexId copier = b.add(EntityKind::kSeller);
  b.link(copier, shops[0], tables::LinkType::kImage);
  const VertexId hub = b.add(EntityKind::kWarehouse);
  b.ship(hub, shops[0], 20);
  for (int i = 0; i < 20; ++i) {
    const VertexId customer = b.add(EntityKind::kSeller);
    b.ship(hub, customer, 200);
    b.pay(customer, processor, 10);
  }
  // A second community, quiet: it stays whole.
  const VertexId quiet_a = b.add(EntityKind::kSeller), quiet_b = b.add(EntityKind::kSeller);
  b.link(quiet_a, quiet_b, tables::LinkType::kDevice);
  graph::MarketGraph g = b.build();
  std::vector<std::uint32_t> labels(g.num_entities(), 0);
  labels[quiet_a] = labels[quiet_b] = 1;
  const auto p = partition_of(labels);
  const EvidenceScores e = score_evidence(g, {}, 10);
  const NetworkCutOptions options;
  const std::vector<VertexId> payout_of = payout_owners(g, p, options.payout_share);
  CHECK(payout_of[payouts[2]] == shops[2]);
  CHECK(payout_of[collector] == kNoSeller);
  const community::Partition nets = cut_networks(g, p, e.positive, payout_of, options);
  const auto& n = nets.membership;
  for (VertexId v : {factory, depot, collector, shops[1], shops[2], payouts[0], payouts[1], payouts[2]}) {
    INFO(v);
    CHECK(n[v] == n[shops[0]]);
  }
  for (VertexId v : {honest, honest_payout, wholesaler, copier, hub, processor}) {
    INFO(v);
    CHECK(n[v] != n[shops[0]]);
  }
  CHECK(n[quiet_a] == n[quiet_b]);
  CHECK(n[quiet_a] != n[honest]);
  CHECK(nets.num_communities == 3);  // the ring, the community's rest, the quiet community
  NetworkCutOptions bad;
  bad.main_share = 0;
  CHECK(!validate(bad).is_ok());
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
