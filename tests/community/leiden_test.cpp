// Leiden on the reference graphs (bounds reached here by python-igraph's
// Leiden) and on small graphs with a known answer. The verifier checks
// every result; deterministic mode must not depend on the thread count.
#include <omp.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "../support/test_env.hpp"
#include "sourcetrace/community/compare.hpp"
#include "sourcetrace/community/leiden.hpp"
#include "sourcetrace/community/modularity.hpp"
#include "sourcetrace/community/round_leiden.hpp"
#include "sourcetrace/community/verify_partition.hpp"
#include "sourcetrace/ingest/ingest.hpp"
#include "sourcetrace/tables/edge_list_reader.hpp"

using namespace sourcetrace;
using namespace sourcetrace::community;
using namespace sourcetrace::testing;

namespace {

struct Reference {
  graph::MarketGraph graph;
  std::vector<std::uint32_t> labels;  // ground truth per vertex
};

Reference load(const std::string& name, bool gz = false) {
  const std::string dir = source_path("datasets/" + name);
  auto r = ingest::ingest_edge_list(dir + (gz ? "/edges.txt.gz" : "/edges.txt"), {});
  REQUIRE(r.is_ok());
  Reference ref{std::move(r.value().graph), {}};
  // labels.txt: "vertex label" lines, read with the project's own reader.
  std::unordered_map<std::string, std::uint32_t> label_of;
  tables::TableStats stats;
  Status s = tables::read_edge_list(
      dir + (gz ? "/labels.txt.gz" : "/labels.txt"),
      [&](const tables::EdgeListRow& row) -> const char* {
        label_of[std::string(row.u)] = static_cast<std::uint32_t>(std::stoul(std::string(row.v)));
        return nullptr;
      },
      tables::reject_strictly, stats);
  REQUIRE(s.is_ok());
  for (graph::VertexId v = 0; v < ref.graph.num_entities(); ++v) {
    ref.labels.push_back(label_of.at(std::string(ref.graph.key(v))));
  }
  return ref;
}

Leiden detect(const graph::Csr& g, LeidenOptions o = {}) {
  Leiden leiden(g, o);
  REQUIRE(leiden.run().is_ok());
  INFO("verifier");
  CHECK(verify_partition(g, leiden.partition(), leiden.modularity(), o.resolution).empty());
  for (const LeidenLevel& level : leiden.hierarchy()) {
    CHECK(level.partition.membership.size() == g.num_vertices());
  }
  return leiden;
}

// Runs `partition_of()` with each thread count and checks every partition
// equals the first; the thread count is restored afterwards.
template <typename F>
void check_same_for_threads(std::initializer_list<int> thread_counts, F&& partition_of) {
  const int saved = omp_get_max_threads();
  std::vector<Partition> results;
  for (int threads : thread_counts) {
    omp_set_num_threads(threads);
    results.push_back(partition_of());
  }
  omp_set_num_threads(saved);
  for (const Partition& p : results) CHECK(p.membership == results[0].membership);
}

graph::Csr make_graph(graph::VertexId n, const std::vector<std::tuple<int, int, float>>& edges) {
  std::vector<graph::EdgeEvents> e;
  for (auto [u, v, w] : edges) e.push_back({static_cast<graph::VertexId>(u), static_cast<graph::VertexId>(v), w, 1});
  return graph::build_csr(e, n, true).csr;
}

}  // namespace

TEST_CASE("community: karate, football and email-Eu-core reach igraph's Leiden quality", "[community]") {
  Reference karate = load("karate");
  Leiden k = detect(karate.graph.layers[0].adjacency.csr);
  CHECK(k.modularity() >= 0.415);

  Reference football = load("football");
  Leiden f = detect(football.graph.layers[0].adjacency.csr);
  CHECK(f.modularity() >= 0.600);
  CHECK(normalized_mutual_information(f.partition().membership, football.labels) >= 0.85);

  Reference email = load("email-Eu-core");
  Leiden e = detect(email.graph.layers[0].adjacency.csr);
  CHECK(e.modularity() >= 0.41);
}

TEST_CASE("community: LFR 100k reaches Q >= 0.59 and NMI >= 0.94 to the planted communities",
          "[community][slow]") {
  Reference lfr = load("lfr-n100k-mu0.40", true);
  Leiden l = detect(lfr.graph.layers[0].adjacency.csr);
  CHECK(l.modularity() >= 0.59);
  CHECK(normalized_mutual_information(l.partition().membership, lfr.labels) >= 0.94);
}

TEST_CASE("community: deterministic mode gives the same partition for 1, 2, 4 and 8 threads",
          "[community]") {
  Reference email = load("email-Eu-core");
  const graph::Csr& g = email.graph.layers[0].adjacency.csr;
  check_same_for_threads({1, 2, 4, 8, 2}, [&] { return detect(g).partition(); });
}

// Round levels (the schedule MPI ranks share): verified like Leiden, the
// same for any thread count, as good as Leiden on graphs with a known
// answer, and exactly Leiden when the graph is under the gather size.
RoundLeiden detect_in_rounds(const graph::Csr& g, std::uint64_t gather_vertices) {
  RoundLeidenOptions o;
  o.gather_vertices = gather_vertices;
  RoundLeiden r(g, o);
  REQUIRE(r.run().is_ok());
  CHECK(verify_partition(g, r.partition(), r.modularity(), 1.0).empty());
  CHECK(split_disconnected(g, r.partition()).num_communities == r.partition().num_communities);
  return r;
}

TEST_CASE("community: round levels give the same partition for 1, 2 and 4 threads, as good as Leiden",
          "[community]") {
  Reference email = load("email-Eu-core");
  const graph::Csr& g = email.graph.layers[0].adjacency.csr;
  check_same_for_threads({1, 2, 4}, [&] {
    RoundLeiden r = detect_in_rounds(g, 100);
    CHECK(r.round_levels() >= 1);
    CHECK(r.modularity() >= 0.41);
    return r.partition();
  });

  Reference football = load("football");
  const graph::Csr& fg = football.graph.layers[0].adjacency.csr;
  RoundLeiden f = detect_in_rounds(fg, 20);
  CHECK(f.round_levels() >= 1);
  CHECK(f.modularity() >= 0.59);
  CHECK(normalized_mutual_information(f.partition().membership, football.labels) >= 0.85);
}

TEST_CASE("community: under the gather size, round levels are Leiden exactly", "[community]") {
  Reference football = load("football");
  const graph::Csr& g = football.graph.layers[0].adjacency.csr;
  RoundLeiden r = detect_in_rounds(g, g.num_vertices());
  CHECK(r.round_levels() == 0);
  Leiden l = detect(g);
  CHECK(r.partition().membership == l.partition().membership);
  CHECK(r.modularity() == l.modularity());
}

// A previous night's partition as a warm start sees it: yesterday's
// communities, with every tenth vertex new today (alone, a fresh label).
std::vector<graph::VertexId> yesterday(const Partition& p) {
  std::vector<graph::VertexId> start = p.membership;
  graph::VertexId fresh = p.num_communities;
  for (std::size_t v = 0; v < start.size(); v += 10) start[v] = fresh++;
  return start;
}

TEST_CASE("community: a warm start above the gather size starts the first round level, the same for any thread count",
          "[community]") {
  Reference email = load("email-Eu-core");
  const graph::Csr& g = email.graph.layers[0].adjacency.csr;
  const RoundLeiden cold = detect_in_rounds(g, 100);
  const std::vector<graph::VertexId> start = yesterday(cold.partition());
  check_same_for_threads({1, 2, 4}, [&] {
    RoundLeidenOptions o;
    o.gather_vertices = 100;
    RoundLeiden warm(g, o);
    warm.start_from(start);
    REQUIRE(warm.run().is_ok());
    CHECK(warm.warm_started());
    CHECK(warm.round_levels() >= 1);
    CHECK(verify_partition(g, warm.partition(), warm.modularity(), 1.0).empty());
    CHECK(split_disconnected(g, warm.partition()).num_communities == warm.partition().num_communities);
    INFO("warm Q " << warm.modularity() << ", cold Q " << cold.modularity());
    CHECK(warm.modularity() >= cold.modularity() - 0.005);
    return warm.partition();
  });
  // The first level starts from the warm start, not from singletons: a
  // start that is already an answer is kept close (round moving from it
  // may still merge a few communities, at no loss of modularity).
  RoundLeidenOptions o;
  o.gather_vertices = 100;
  RoundLeiden again(g, o);
  again.start_from(cold.partition().membership);
  REQUIRE(again.run().is_ok());
  const Partition& first = again.hierarchy().front().partition;
  CHECK(first.num_communities < cold.hierarchy().front().partition.num_communities);
  CHECK(normalized_mutual_information(first.membership, cold.partition().membership) >= 0.85);
  CHECK(again.modularity() >= cold.modularity() - 0.005);
  RoundLeiden wrong(g, o);
  wrong.start_from(std::vector<graph::VertexId>(5, 0));
  CHECK(wrong.run().code() == Status::Code::kInvalidArgument);
}

TEST_CASE("community: round-level options are checked", "[community]") {
  graph::Csr g;
  RoundLeidenOptions o;
  o.rounds = 0;
  CHECK_FALSE(RoundLeiden(g, o).run().is_ok());
  o.rounds = 256;
  CHECK_FALSE(RoundLeiden(g, o).run().is_ok());
}

TEST_CASE("community: weights too heavy to sum exactly in rounds are refused, not summed wrongly", "[community]") {
  std::vector<std::tuple<int, int, float>> edges;
  for (int a = 0; a < 5; ++a)
    for (int b = a + 1; b < 5; ++b) edges.emplace_back(a, b, 1e12f);
  const graph::Csr g = make_graph(5, edges);
  RoundLeidenOptions o;
  o.gather_vertices = 2;
  Status s = RoundLeiden(g, o).run();
  CHECK(s.code() == Status::Code::kInvalidArgument);
  CHECK(s.message().find("scale the weights down") != std::string::npos);
  o.gather_vertices = 5;  // Leiden alone: doubles, no limit
  CHECK(RoundLeiden(g, o).run().is_ok());
}

TEST_CASE("community: the fast (non-deterministic) mode and Louvain are verified too", "[community]") {
  Reference football = load("football");
  const graph::Csr& g = football.graph.layers[0].adjacency.csr;
  LeidenOptions fast;
  fast.deterministic = false;
  CHECK(detect(g, fast).modularity() >= 0.59);
  LeidenOptions louvain;
  louvain.method = LeidenOptions::Method::kLouvain;
  CHECK(detect(g, louvain).modularity() >= 0.58);
}

TEST_CASE("community: two cliques joined by a bridge are two communities", "[community][fast]") {
  std::vector<std::tuple<int, int, float>> edges;
  for (int a = 0; a < 5; ++a)
    for (int b = a + 1; b < 5; ++b) {
      edges.emplace_back(a, b, 1.0f);
      edges.emplace_back(a + 5, b + 5, 1.0f);
    }
  edges.emplace_back(4, 5, 1.0f);
  Leiden l = detect(make_graph(10, edges));
  CHECK(l.partition().num_communities == 2);
  CHECK(l.partition().membership == std::vector<CommunityId>{0, 0, 0, 0, 0, 1, 1, 1, 1, 1});
}

TEST_CASE("community: a ring of cliques at the resolution limit", "[community][fast]") {
  // 30 five-cliques in a ring: at γ = 1 modularity prefers merging pairs of
  // cliques (Fortunato & Barthélemy 2007); a higher resolution separates them.
  std::vector<std::tuple<int, int, float>> edges;
  const int cliques = 30, size = 5;
  for (int c = 0; c < cliques; ++c) {
    for (int a = 0; a < size; ++a)
      for (int b = a + 1; b < size; ++b) edges.emplace_back(c * size + a, c * size + b, 1.0f);
    edges.emplace_back(c * size, ((c + 1) % cliques) * size + 1, 1.0f);
  }
  graph::Csr g = make_graph(cliques * size, edges);
  std::vector<CommunityId> one_per_clique(cliques * size);
  for (int v = 0; v < cliques * size; ++v) one_per_clique[v] = v / size;
  const double q_cliques = modularity(g, one_per_clique, cliques);

  Leiden l = detect(g);
  CHECK(l.modularity() >= q_cliques - 1e-12);
  CHECK(l.partition().num_communities < cliques);  // the resolution limit shows

  LeidenOptions fine;
  fine.resolution = 3.0;
  Leiden r = detect(g, fine);
  CHECK(r.partition().membership == canonical_partition(one_per_clique).membership);
}

TEST_CASE("community: isolated vertices, self-loops, zero weights, empty graph", "[community][fast]") {
  // Vertices 3 and 4 are isolated; 5 has only a self-loop; 6-7 a zero-weight edge.
  graph::Csr g = make_graph(8, {{0, 1, 1.0f}, {1, 2, 1.0f}, {0, 2, 1.0f}, {6, 7, 0.0f}});
  Leiden l = detect(g);
  CHECK(l.partition().membership.size() == 8);
  CHECK(l.partition().membership[0] == l.partition().membership[2]);
  CHECK(l.partition().membership[3] != l.partition().membership[4]);
  CHECK(l.partition().membership[6] != l.partition().membership[7]);

  graph::Csr loops;
  loops.offsets = {0, 2, 4, 5};
  loops.targets = {0, 1, 0, 1, 2};  // 0 and 1 have self-loops, joined; 2 only a self-loop
  loops.weights = {4.0f, 1.0f, 1.0f, 4.0f, 2.0f};
  Leiden s = detect(loops);
  CHECK(s.partition().membership[2] != s.partition().membership[0]);

  graph::Csr empty;
  Leiden e = detect(empty);
  CHECK(e.partition().membership.empty());
  CHECK(e.modularity() == 0.0);

  LeidenOptions bad;
  bad.resolution = 0;
  Leiden b(g, bad);
  CHECK(b.run().code() == Status::Code::kInvalidArgument);
}

TEST_CASE("community: NMI and ARI on known cases", "[community][fast]") {
  std::vector<std::uint32_t> a{0, 0, 0, 1, 1, 1}, same{5, 5, 5, 2, 2, 2}, one(6, 0),
      other{0, 1, 0, 1, 0, 1};
  CHECK(normalized_mutual_information(a, same) == Approx(1.0));
  CHECK(adjusted_rand_index(a, same) == Approx(1.0));
  CHECK(normalized_mutual_information(a, one) == Approx(0.0));
  CHECK(normalized_mutual_information(one, one) == Approx(1.0));
  CHECK(adjusted_rand_index(a, other) < 0.0);  // worse than chance
  // Hand computation: a = {0,0,1,1}, b = {0,0,0,1}: I = 0.2158, H(a)=0.6931, H(b)=0.5623.
  std::vector<std::uint32_t> x{0, 0, 1, 1}, y{0, 0, 0, 1};
  CHECK(normalized_mutual_information(x, y) == Approx(2 * 0.215761 / (0.693147 + 0.562335)).epsilon(1e-4));
  CHECK(adjusted_rand_index(x, y) == Approx(0.0));
}
