// Ingest: the small base dataset, counted by hand; edge lists.
#include <catch2/catch.hpp>

#include "../support/test_env.hpp"
#include "sourcetrace/ingest/ingest.hpp"
#include "sourcetrace/tables/contract.hpp"

using namespace sourcetrace;
using namespace sourcetrace::testing;

namespace {

graph::VertexId vertex(const graph::MarketGraph& g, EntityKind kind, std::string_view key) {
  for (graph::VertexId v = 0; v < g.num_entities(); ++v) {
    if (g.kind(v) == kind && g.key(v) == key) return v;
  }
  FAIL("no entity " << key);
  return 0;
}

float weight(const graph::Csr& csr, graph::VertexId u, graph::VertexId v) {
  auto nb = csr.neighbours(u);
  for (std::size_t k = 0; k < nb.size(); ++k) {
    if (nb[k] == v) return csr.neighbour_weights(u)[k];
  }
  return 0;
}

}  // namespace

TEST_CASE("ingest: the base dataset gives the entities, layers and evidence counted by hand",
          "[ingest][fast]") {
  TempDir tmp;
  make_fixture_dataset("", tmp / "data");
  auto r = ingest::ingest_market(tmp / "data", {});
  REQUIRE(r.is_ok());
  const graph::MarketGraph& g = r.value().graph;
  // S1 S2 W1 A1 (entities) + S3 W2 A2 F1.
  CHECK(g.num_entities() == 8);
  CHECK(g.key(0) == "S1");  // entities.csv comes first, in file order
  CHECK(g.kind(2) == EntityKind::kWarehouse);
  const auto s1 = vertex(g, EntityKind::kSeller, "S1"), s2 = vertex(g, EntityKind::kSeller, "S2"),
             w1 = vertex(g, EntityKind::kWarehouse, "W1"), a1 = vertex(g, EntityKind::kAccount, "A1"),
             f1 = vertex(g, EntityKind::kWarehouse, "F1");

  const graph::Layer* sellers = g.layer("seller");
  REQUIRE(sellers != nullptr);
  CHECK(sellers->adjacency.csr.num_arcs() == 4);           // S1-S2, S2-S3
  CHECK(weight(sellers->adjacency.csr, s1, s2) == 2.0f);   // two link events
  CHECK(weight(g.layer("warehouse")->adjacency.csr, s1, w1) == 15.5f);  // 10 + 5.5 units

  const graph::Layer* shipments = g.layer("shipment");
  REQUIRE(shipments->directed);
  CHECK(weight(shipments->flow.csr, w1, s1) == 25.0f);
  CHECK(weight(shipments->flow.csr, s1, w1) == 0.0f);      // direction kept
  CHECK(weight(shipments->adjacency.csr, s1, w1) == 25.0f);
  CHECK(weight(shipments->flow.csr, f1, w1) == 200.0f);
  CHECK(weight(g.layer("payment")->flow.csr, s1, a1) == Approx(100.25f));

  CHECK(g.evidence.size() == 3);
  CHECK(g.evidence.signal[2] == static_cast<std::uint8_t>(tables::Signal::kEnforcementConfirmed));
  CHECK(graph::dictionary_entry(g.brands, g.evidence.brand[0]) == "B1");
  CHECK(g.evidence.brand[1] == 0);  // the complaint names no brand
  CHECK(graph::dictionary_entry(g.regions, g.region[s1]) == "EU-W");
  CHECK(g.created_on[w1] == tables::kNoDay);

  const ingest::IngestReport& rep = r.value().report;
  CHECK(rep.tables.size() == 6);
  CHECK(rep.rows_read == 4 + 3 + 3 + 3 + 4 + 3);
  CHECK(rep.rows_rejected == 0);
}

TEST_CASE("ingest: the input digest covers only the contract tables read", "[ingest][fast]") {
  TempDir tmp;
  make_fixture_dataset("", tmp / "data");
  auto before = ingest::ingest_market(tmp / "data", {});
  write_file(tmp / "data/truth.csv", "kind,id,ring,role\nseller,S1,R1,storefront\n");
  write_file(tmp / "data/README.txt", "notes");
  auto with_truth = ingest::ingest_market(tmp / "data", {});
  REQUIRE(with_truth.is_ok());
  CHECK(before.value().report.input_digest == with_truth.value().report.input_digest);
  write_file(tmp / "data/stock.csv", read_file(tmp / "data/stock.csv") + "S9,W9,1,2025-01-01\n");
  auto changed = ingest::ingest_market(tmp / "data", {});
  CHECK(!(changed.value().report.input_digest == before.value().report.input_digest));
}

TEST_CASE("ingest: an edge list is one undirected layer, duplicates merged, loops dropped",
          "[ingest][fast]") {
  TempDir tmp;
  write_file(tmp / "plain.txt", "# comment\n% another\n1 2\n2 1\n2\t3\n3 3\n\n4 1\n");
  auto r = ingest::ingest_edge_list(tmp / "plain.txt", {});
  REQUIRE(r.is_ok());
  const graph::MarketGraph& g = r.value().graph;
  CHECK(g.source_kind == "edge_list");
  CHECK(g.num_entities() == 4);
  CHECK(g.key(0) == "1");
  const graph::Csr& csr = g.layers.at(0).adjacency.csr;
  CHECK(csr.num_arcs() == 6);            // 1-2, 2-3, 4-1
  CHECK(weight(csr, 0, 1) == 1.0f);      // listed twice, still weight 1
  CHECK(r.value().report.rows_read == 5);  // the self-loop is read, then dropped

  write_file(tmp / "weighted.txt", "a b 2.5\nb a 1.5\nb c 1\n");
  auto w = ingest::ingest_edge_list(tmp / "weighted.txt", {});
  REQUIRE(w.is_ok());
  CHECK(weight(w.value().graph.layers[0].adjacency.csr, 0, 1) == 4.0f);  // summed

  write_file(tmp / "bad.txt", "a b 1\nb c\n");
  auto bad = ingest::ingest_edge_list(tmp / "bad.txt", {});
  CHECK(bad.status().code() == Status::Code::kInvalidInput);
  CHECK(bad.status().message().find("bad.txt:2: has no weight, unlike the first edge (line 1)") !=
        std::string::npos);

  // A weight past what a 32-bit float holds would be infinite in the graph
  // (found by tests/fuzz/edge_list_fuzz): refused, naming the line.
  write_file(tmp / "huge.txt", "a b 1\nb c 1.e64\n");
  auto huge = ingest::ingest_edge_list(tmp / "huge.txt", {});
  CHECK(huge.status().code() == Status::Code::kInvalidInput);
  CHECK(huge.status().message().find("huge.txt:2: weight '1.e64' is above 1e+30") != std::string::npos);
}

TEST_CASE("ingest: karate from the bundled datasets", "[ingest][fast]") {
  auto r = ingest::ingest_edge_list(source_path("datasets/karate/edges.txt"), {});
  REQUIRE(r.is_ok());
  CHECK(r.value().graph.num_entities() == 34);
  CHECK(r.value().graph.layers[0].adjacency.csr.num_arcs() == 2 * 78);
}

TEST_CASE("ingest: evidence's optional report column is kept beside each row", "[ingest][fast]") {
  TempDir tmp;
  make_fixture_dataset(source_path("tests/fixtures/good/evidence_report_ids"), tmp / "data");
  auto r = ingest::ingest_market(tmp / "data", {});
  REQUIRE(r.is_ok());
  const graph::MarketGraph& g = r.value().graph;
  REQUIRE(g.evidence.report.size() == 3);
  CHECK(graph::dictionary_entry(g.reports, g.evidence.report[0]) == "B1:td-1");
  CHECK(g.evidence.report[1] == 0);  // none given
  CHECK(graph::dictionary_entry(g.reports, g.evidence.report[2]) == "c-77");
  // The base dataset has no such column: no row has a report id.
  make_fixture_dataset("", tmp / "base");
  auto b = ingest::ingest_market(tmp / "base", {});
  REQUIRE(b.is_ok());
  CHECK(b.value().graph.evidence.report == std::vector<std::uint32_t>(3, 0));
}
