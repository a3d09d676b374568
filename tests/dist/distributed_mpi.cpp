// Distributed detection on real MPI ranks (run by ctest under
// `mpirun --oversubscribe -np 2` and `-np 4`): each rank's share of
// graph.h5 equals the serial graph's rows; a small graph gives exactly the
// single-node partition; with distributed levels forced, modularity stays
// within 0.01 of one node's, NMI to it is ≥ 0.95 on LFR, and on a market it
// differs from one node's no more than another seed's result does. Every
// test is collective: all ranks run the same cases in the same order.
#define CATCH_CONFIG_RUNNER
#include <mpi.h>

#include <catch2/catch.hpp>
#include <optional>

#include "../support/test_env.hpp"
#include "sourcetrace/community/compare.hpp"
#include "sourcetrace/community/leiden.hpp"
#include "sourcetrace/community/round_leiden.hpp"
#include "sourcetrace/community/verify_partition.hpp"
#include "sourcetrace/dist/distributed_leiden.hpp"
#include "sourcetrace/dist/graph_slice.hpp"
#include "sourcetrace/graph/combined_graph.hpp"
#include "sourcetrace/ingest/ingest.hpp"
#include "sourcetrace/market/generator.hpp"
#include "sourcetrace/store/graph_file.hpp"

using namespace sourcetrace;
using namespace sourcetrace::testing;

namespace {

int rank_of_world() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

// graph.h5 files made once by rank 0 in a folder every rank can read.
class SharedGraphs {
 public:
  static SharedGraphs& get() {
    static SharedGraphs g;
    return g;
  }
  // A generated market of `sellers` (seed 3).
  std::string market(std::uint64_t sellers) {
    return make("market-" + std::to_string(sellers), [&](const std::string& out) {
      const std::string dir = path_ + "/market-data-" + std::to_string(sellers);
      market::GeneratorOptions o;
      o.sellers = sellers;
      o.seed = 3;
      REQUIRE(market::generate_market(dir, o).is_ok());
      auto r = ingest::ingest_market(dir, {});
      REQUIRE(r.is_ok());
      REQUIRE(store::write_graph_file(out, r.value().graph, ingest::provenance_of(dir, r.value().report)).is_ok());
    });
  }
  // A bundled edge list (datasets/NAME/edges.txt[.gz]).
  std::string edge_list(const std::string& name, bool gz) {
    return make(name, [&](const std::string& out) {
      const std::string edges = source_path("datasets/" + name + (gz ? "/edges.txt.gz" : "/edges.txt"));
      auto r = ingest::ingest_edge_list(edges, {});
      REQUIRE(r.is_ok());
      REQUIRE(store::write_graph_file(out, r.value().graph, ingest::provenance_of(edges, r.value().report)).is_ok());
    });
  }

 private:
  SharedGraphs() {
    std::string path;
    if (rank_of_world() == 0) {
      dir_.emplace();
      path = dir_->path();
    }
    int length = static_cast<int>(path.size());
    MPI_Bcast(&length, 1, MPI_INT, 0, MPI_COMM_WORLD);
    path.resize(static_cast<std::size_t>(length));
    MPI_Bcast(path.data(), length, MPI_CHAR, 0, MPI_COMM_WORLD);
    path_ = path;
  }
  template <typename Make>
  std::string make(const std::string& name, Make&& build) {
    const std::string out = path_ + "/" + name + ".h5";
    if (rank_of_world() == 0 && !std::filesystem::exists(out)) build(out);
    MPI_Barrier(MPI_COMM_WORLD);
    return out;
  }

  std::optional<TempDir> dir_;  // on rank 0, which removes it at exit
  std::string path_;
};

// The serial combined graph, as `detect` on one node builds it.
graph::Csr serial_graph(const std::string& path) {
  auto g = store::read_graph_file(path);
  REQUIRE(g.is_ok());
  return graph::combine_layers(g.value(), {});
}

struct DistributedResult {
  community::Partition partition;  // rank 0 only
  double modularity = 0;
  dist::DistributedTimings timings;
};

DistributedResult detect_distributed(const std::string& path, std::uint64_t gather_vertices,
                                     community::LeidenOptions leiden = {},
                                     const std::vector<graph::VertexId>& start = {}) {
  auto g = dist::read_combined_slice(MPI_COMM_WORLD, path, {});
  REQUIRE(g.is_ok());
  dist::DistributedOptions o;
  o.leiden = leiden;
  o.gather_vertices = gather_vertices;
  dist::DistributedLeiden detector(g.value(), o);
  if (rank_of_world() == 0 && !start.empty()) detector.start_from(start);
  REQUIRE(detector.run().is_ok());
  DistributedResult r;
  r.timings = detector.timings();
  if (rank_of_world() == 0) {
    REQUIRE(!detector.hierarchy().empty());
    r.partition = detector.hierarchy().back().partition;
    r.modularity = detector.hierarchy().back().modularity;
  }
  return r;
}

// Every rank's rows, in global ids, equal the serial graph's, bit for bit.
void check_rows(const std::string& path) {
  const graph::Csr serial = serial_graph(path);
  auto g = dist::read_combined_slice(MPI_COMM_WORLD, path, {});
  REQUIRE(g.is_ok());
  const dist::DistributedGraph& d = g.value();
  REQUIRE(d.ranges().num_vertices() == serial.num_vertices());
  std::uint64_t mismatched = 0, arcs = d.local().num_arcs(), all_arcs = 0;
  for (graph::VertexId v = 0; v < d.owned(); ++v) {
    const graph::VertexId global = d.first() + v;
    auto nb = d.local().neighbours(v);
    auto wt = d.local().neighbour_weights(v);
    if (nb.size() != serial.degree(global)) {
      ++mismatched;
      continue;
    }
    for (std::size_t k = 0; k < nb.size(); ++k) {
      mismatched += d.global_id(nb[k]) != serial.neighbours(global)[k] ||
                    wt[k] != serial.neighbour_weights(global)[k];
    }
  }
  CHECK(mismatched == 0);
  MPI_Allreduce(&arcs, &all_arcs, 1, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
  CHECK(all_arcs == serial.num_arcs());
}

}  // namespace

TEST_CASE("dist: each rank reads its rows of a market's combined graph, equal to the serial rows") {
  check_rows(SharedGraphs::get().market(4000));
}

TEST_CASE("dist: each rank reads its rows of a plain edge list, equal to the serial rows") {
  check_rows(SharedGraphs::get().edge_list("football", false));
}

TEST_CASE("dist: a graph under the gather size gives exactly the single-node partition") {
  const std::string path = SharedGraphs::get().market(4000);
  DistributedResult d = detect_distributed(path, dist::DistributedOptions{}.gather_vertices);
  CHECK(d.timings.round_levels == 0);
  if (rank_of_world() == 0) {
    const graph::Csr g = serial_graph(path);
    community::Leiden one(g, {});
    REQUIRE(one.run().is_ok());
    CHECK(d.partition.membership == one.partition().membership);
    CHECK(d.modularity == one.modularity());
  }
}

// One node's twin of the distributed levels, with the same options.
community::Partition one_node_rounds(const graph::Csr& g, std::uint64_t gather_vertices) {
  community::RoundLeidenOptions o;
  o.gather_vertices = gather_vertices;
  community::RoundLeiden one(g, o);
  REQUIRE(one.run().is_ok());
  CHECK(one.round_levels() >= 1);
  return one.partition();
}

TEST_CASE("dist: LFR with distributed levels: one node's partition; modularity within 0.01 and NMI >= 0.95 of Leiden") {
  const std::string path = SharedGraphs::get().edge_list("lfr-n100k-mu0.40", true);
  DistributedResult d = detect_distributed(path, 1000);
  CHECK(d.timings.round_levels >= 1);
  if (rank_of_world() == 0) {
    const graph::Csr g = serial_graph(path);
    CHECK(d.partition.membership == one_node_rounds(g, 1000).membership);
    community::Leiden one(g, {});
    REQUIRE(one.run().is_ok());
    INFO("distributed Q " << d.modularity << ", Leiden Q " << one.modularity());
    CHECK(std::abs(d.modularity - one.modularity()) <= 0.01);
    const double nmi = community::normalized_mutual_information(d.partition.membership, one.partition().membership);
    INFO("NMI " << nmi);
    CHECK(nmi >= 0.95);
    // Connected communities, a partition the verifier accepts.
    CHECK(community::split_disconnected(g, d.partition).num_communities == d.partition.num_communities);
    CHECK(community::verify_partition(g, d.partition, d.modularity, 1.0).empty());
  }
}

TEST_CASE("dist: a market with distributed levels: one node's partition, modularity within 0.01 of Leiden") {
  const std::string path = SharedGraphs::get().market(20000);
  DistributedResult d = detect_distributed(path, 500);
  CHECK(d.timings.round_levels >= 1);
  if (rank_of_world() == 0) {
    const graph::Csr g = serial_graph(path);
    CHECK(d.partition.membership == one_node_rounds(g, 500).membership);
    community::Leiden one(g, {});
    REQUIRE(one.run().is_ok());
    CHECK(std::abs(d.modularity - one.modularity()) <= 0.01);
    CHECK(community::split_disconnected(g, d.partition).num_communities == d.partition.num_communities);
  }
}

TEST_CASE("dist: a warm start with distributed levels gives one node's warm-started partition") {
  const std::string path = SharedGraphs::get().market(20000);
  const graph::Csr g = serial_graph(path);  // every rank: the start is made alike, given on rank 0 only
  const community::Partition cold = one_node_rounds(g, 500);
  // Yesterday's communities, every tenth vertex new today.
  std::vector<graph::VertexId> start = cold.membership;
  graph::VertexId fresh = cold.num_communities;
  for (std::size_t v = 0; v < start.size(); v += 10) start[v] = fresh++;
  DistributedResult d = detect_distributed(path, 500, {}, start);
  CHECK(d.timings.round_levels >= 1);
  if (rank_of_world() == 0) {
    community::RoundLeidenOptions o;
    o.gather_vertices = 500;
    community::RoundLeiden one(g, o);
    one.start_from(start);
    REQUIRE(one.run().is_ok());
    CHECK(one.warm_started());
    CHECK(d.partition.membership == one.partition().membership);
    CHECK(d.modularity == one.modularity());
    CHECK(d.partition.membership != cold.membership);  // the start changed the path taken
  }
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  Catch::Session session;
  // Only rank 0 reports; a failure on any rank fails the run.
  if (rank_of_world() != 0) session.configData().outputFilename = "%debug";
  int failed = session.run(argc, argv);
  int any = 0;
  MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  MPI_Finalize();
  return any == 0 ? 0 : 1;
}
