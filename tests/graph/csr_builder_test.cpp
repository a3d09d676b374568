// CsrBuilder and verify_csr: aggregation of repeated events into edges.
#include <catch2/catch.hpp>

#include "sourcetrace/graph/csr_builder.hpp"

using namespace sourcetrace::graph;

TEST_CASE("graph: repeated events become one weighted edge, both directions stored", "[graph][fast]") {
  CsrBuilder b;
  b.add(0, 1, 2.0f);
  b.add(1, 0, 3.0f);  // the same undirected edge
  b.add(1, 2, 1.0f);
  b.add(2, 2, 9.0f);  // self-loop: dropped
  AggregatedCsr g = b.build(4, /*symmetric=*/true);
  CHECK(verify_csr(g.csr, true, true).empty());
  CHECK(g.csr.num_vertices() == 4);
  CHECK(g.csr.num_arcs() == 4);
  REQUIRE(g.csr.degree(1) == 2);
  CHECK(g.csr.neighbours(1)[0] == 0);
  CHECK(g.csr.neighbour_weights(1)[0] == 5.0f);
  CHECK(g.events[g.csr.offsets[1]] == 2);
  CHECK(g.csr.degree(3) == 0);
}

TEST_CASE("graph: a directed build keeps direction", "[graph][fast]") {
  CsrBuilder b;
  b.add(0, 1, 2.0f);
  b.add(0, 1, 1.0f);
  b.add(1, 0, 7.0f);
  AggregatedCsr g = b.build(2, /*symmetric=*/false);
  CHECK(verify_csr(g.csr, false, true).empty());
  CHECK(g.csr.neighbour_weights(0)[0] == 3.0f);
  CHECK(g.csr.neighbour_weights(1)[0] == 7.0f);
  CHECK(g.events == std::vector<std::uint32_t>{2, 1});
}

TEST_CASE("graph: building in one go or after compactions gives the same graph", "[graph][fast]") {
  // Many events on few distinct edges force the builder to squish its buffer.
  CsrBuilder b(/*squish_at=*/5000);
  CsrBuilder once(/*squish_at=*/1u << 30);
  std::uint64_t x = 12345;
  for (int i = 0; i < 200'000; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    auto u = static_cast<VertexId>((x >> 33) % 100), v = static_cast<VertexId>((x >> 13) % 100);
    b.add(u, v, 0.5f);
    once.add(u, v, 0.5f);
  }
  CHECK(b.events_added() == 200'000);
  AggregatedCsr g = b.build(100, true);
  AggregatedCsr h = once.build(100, true);
  CHECK(verify_csr(g.csr, true, true).empty());
  CHECK(g.csr.offsets == h.csr.offsets);
  CHECK(g.csr.targets == h.csr.targets);
  CHECK(g.csr.weights == h.csr.weights);
  CHECK(g.events == h.events);
  std::uint64_t events = 0;
  double weight = 0;
  for (std::size_t k = 0; k < g.events.size(); ++k) {
    events += g.events[k];
    weight += g.csr.weights[k];
  }
  // Every non-loop event counted twice (both directions).
  CHECK(events % 2 == 0);
  CHECK(weight == Approx(0.5 * static_cast<double>(events)));
  CHECK(events > 2 * 190'000);  // about 1% are self-loops
}

TEST_CASE("graph: verify_csr finds broken invariants", "[graph][fast]") {
  Csr g;
  g.offsets = {0, 1, 1};
  g.targets = {1};
  g.weights = {1.0f};
  CHECK(verify_csr(g, false, true).empty());
  CHECK(verify_csr(g, true, true) == "arc 0->1 has no reverse");
  g.targets = {0};
  CHECK(verify_csr(g, false, true) == "vertex 0 has a self-loop");
  g.targets = {5};
  CHECK(verify_csr(g, false, false) == "vertex 0 has a neighbour out of range");
  g.offsets = {0, 2, 1};
  CHECK(!verify_csr(g, false, false).empty());
}
