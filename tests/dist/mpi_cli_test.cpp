// The binary as MPI ranks: `run` on 2 ranks gives the same outputs as one
// process, other commands refuse to run as ranks, a distributed detect
// stopped half-way leaves the previous communities.h5 as it was, and forced
// distributed levels give one node's networks and targets.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <thread>

#include "../support/test_env.hpp"
#include "sourcetrace/community/community_file.hpp"
#include "sourcetrace/community/compare.hpp"
#include "sourcetrace/evaluation/run_outputs.hpp"
#include "sourcetrace/store/graph_file.hpp"

using namespace sourcetrace;
using namespace sourcetrace::testing;

namespace {

std::vector<std::string> as_ranks(int ranks, std::vector<std::string> args) {
  ::setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  ::setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  std::vector<std::string> argv = {"mpirun", "--oversubscribe", "--bind-to", "none", "-np", std::to_string(ranks),
                                   SOURCETRACE_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

}  // namespace

TEST_CASE("dist: `run` as 2 MPI ranks writes the networks, members and targets of one process", "[dist][mpi]") {
  TempDir tmp;
  const std::string sample = source_path("datasets/sample-market");
  CommandResult one = run_sourcetrace({"run", sample, "--out", tmp / "one"});
  REQUIRE(one.exit_code == 0);
  CommandResult ranks = run_program(as_ranks(2, {"run", sample, "--out", tmp / "two", "--threads", "1"}));
  INFO(ranks.err);
  REQUIRE(ranks.exit_code == 0);
  CHECK(ranks.out.find("on 2 ranks") != std::string::npos);  // detect ran distributed
  for (const char* file : {"networks.csv", "members.csv", "targets.csv"}) {
    INFO(file);
    CHECK(read_file(tmp / (std::string("one/") + file)) == read_file(tmp / (std::string("two/") + file)));
  }
  CHECK(fs::exists(tmp / "two/manifest.json"));
}

TEST_CASE("dist: commands other than detect and run refuse to run as ranks", "[dist][mpi]") {
  TempDir tmp;
  CommandResult r = run_program(as_ranks(2, {"ingest", source_path("datasets/sample-market"), "--out", tmp / "g.h5"}));
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("`ingest` runs on one process") != std::string::npos);
  CHECK_FALSE(fs::exists(tmp / "g.h5"));
}

// A chained night: detect as 2 ranks, warm-started from the previous run's
// communities (mapped on rank 0), gives one node's partition, with and
// without distributed levels.
TEST_CASE("dist: a warm-started detect on 2 MPI ranks gives one node's partition", "[dist][mpi]") {
  TempDir tmp;
  REQUIRE(run_sourcetrace({"generate", tmp / "m", "--sellers", "3000", "--seed", "4", "--vary", "--nights", "2"})
              .exit_code == 0);
  REQUIRE(run_sourcetrace({"run", tmp / "m/night-0", "--out", tmp / "r0"}).exit_code == 0);
  REQUIRE(run_sourcetrace({"ingest", tmp / "m/night-1", "--out", tmp / "g.h5"}).exit_code == 0);
  CommandResult ranks = run_program(as_ranks(2, {"detect", tmp / "g.h5", "--out", tmp / "two.h5", "--previous",
                                                 tmp / "r0", "--threads", "1", "--partition-out", tmp / "two.tsv"}));
  INFO(ranks.err);
  REQUIRE(ranks.exit_code == 0);
  CHECK(ranks.out.find("on 2 ranks") != std::string::npos);
  CHECK(ranks.out.find("warm-started") != std::string::npos);
  CommandResult one = run_sourcetrace({"detect", tmp / "g.h5", "--out", tmp / "one.h5", "--previous", tmp / "r0",
                                       "--partition-out", tmp / "one.tsv"});
  REQUIRE(one.exit_code == 0);
  CHECK(read_file(tmp / "two.tsv") == read_file(tmp / "one.tsv"));

  // Above the gather size the first distributed level starts from it.
  CommandResult ranks_rounds = run_program(
      as_ranks(2, {"detect", tmp / "g.h5", "--out", tmp / "two-r.h5", "--previous", tmp / "r0", "--threads", "1",
                   "--gather-below", "500", "--partition-out", tmp / "two-r.tsv"}));
  INFO(ranks_rounds.err);
  REQUIRE(ranks_rounds.exit_code == 0);
  CHECK(ranks_rounds.out.find("warm-started") != std::string::npos);
  CHECK(ranks_rounds.out.find(" 0 distributed levels") == std::string::npos);
  CommandResult one_rounds = run_sourcetrace({"detect", tmp / "g.h5", "--out", tmp / "one-r.h5", "--previous",
                                              tmp / "r0", "--gather-below", "500", "--partition-out",
                                              tmp / "one-r.tsv"});
  REQUIRE(one_rounds.exit_code == 0);
  CHECK(one_rounds.out.find("warm-started") != std::string::npos);
  CHECK(read_file(tmp / "two-r.tsv") == read_file(tmp / "one-r.tsv"));
}

// mpirun 4.1 holds a SIGTERM until its ranks end on their own, so the test
// kills the ranks themselves, as a lost node or `scancel` does.
TEST_CASE("dist: a distributed detect stopped half-way leaves the previous output intact", "[dist][mpi]") {
  TempDir tmp;
  REQUIRE(run_sourcetrace({"ingest", "--edge-list", source_path("datasets/lfr-n100k-mu0.40/edges.txt.gz"), "--out",
                           tmp / "lfr.h5"})
              .exit_code == 0);
  const std::string out = tmp / "communities.h5";
  REQUIRE(run_sourcetrace({"detect", tmp / "lfr.h5", "--out", out}).exit_code == 0);
  std::string before = read_file(out);
  int stopped = 0;
  for (int delay_ms : {0, 250, 500}) {
    const pid_t launcher = start_program(as_ranks(2, {"detect", tmp / "lfr.h5", "--out", out, "--threads", "1",
                                                      "--gather-below", "1000", "--seed",
                                                      std::to_string(delay_ms + 1)}),
                                         tmp / "stdout", tmp / "stderr");
    REQUIRE(launcher > 0);
    std::vector<pid_t> ranks;
    for (int i = 0; i < 500 && ranks.size() < 2; ++i) {  // at most 5 s for mpirun to start its ranks
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      ranks = children_of(launcher);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    for (pid_t rank : ranks) ::kill(rank, SIGKILL);
    int status = 0;
    ::waitpid(launcher, &status, 0);
    auto record = community::read_communities_file(out);
    REQUIRE(record.is_ok());  // never a half-written file under the final name
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      CHECK(record.value().options.seed == static_cast<std::uint64_t>(delay_ms + 1));  // it finished first
      before = read_file(out);
    } else {
      ++stopped;
      CHECK(read_file(out) == before);
    }
  }
  INFO("runs stopped before they finished: " << stopped);
  CHECK(stopped >= 1);  // the first is killed as soon as its ranks exist, long before it can write
}

// Distributed levels are one node's round levels (community/round_leiden.hpp)
// spread over ranks: the same partition as one node with the same options,
// bit for bit. And those levels lose nothing against one node's ordinary
// Leiden in the engine's own terms: the run's networks and targets score as
// well against the planted truth, and the ring entities are grouped alike
// (NMI over all entities is no measure of that on a market: two seeds of
// one node agree only to ~0.66 there, because many legitimate sellers sit
// between equally good communities).
TEST_CASE("dist: forced distributed levels give one node's partition, networks and targets on a generated market", "[dist][mpi]") {
  TempDir tmp;
  REQUIRE(run_sourcetrace({"generate", tmp / "market", "--sellers", "20000", "--seed", "5"}).exit_code == 0);
  const std::string job = source_path("jobs/default.toml");
  REQUIRE(run_sourcetrace({"run", tmp / "market", "--out", tmp / "one", "--job", job}).exit_code == 0);

  fs::create_directories(tmp / "ranks");
  fs::copy_file(tmp / "one/graph.h5", tmp / "ranks/graph.h5");
  CommandResult detect = run_program(as_ranks(2, {"detect", tmp / "ranks/graph.h5", "--out",
                                                  tmp / "ranks/communities.h5", "--job", job, "--threads", "1",
                                                  "--gather-below", "1000"}));
  INFO(detect.err);
  REQUIRE(detect.exit_code == 0);
  CHECK(detect.out.find("4 distributed levels") != std::string::npos);
  // One node, same options: the same partition, whatever the rank count.
  REQUIRE(run_sourcetrace({"detect", tmp / "ranks/graph.h5", "--out", tmp / "same.h5", "--job", job,
                           "--gather-below", "1000"})
              .exit_code == 0);
  {
    auto same = community::read_communities_file(tmp / "same.h5");
    auto ranked = community::read_communities_file(tmp / "ranks/communities.h5");
    REQUIRE(same.is_ok());
    REQUIRE(ranked.is_ok());
    CHECK(same.value().hierarchy.back().partition.membership == ranked.value().hierarchy.back().partition.membership);
    REQUIRE(same.value().hierarchy.size() == ranked.value().hierarchy.size());
    for (std::size_t level = 0; level < same.value().hierarchy.size(); ++level) {
      CHECK(same.value().hierarchy[level].modularity == ranked.value().hierarchy[level].modularity);
    }
    CHECK(ranked.value().round_levels == 4);
    CHECK(ranked.value().resolution_used == same.value().resolution_used);  // density resolved alike
  }
  const std::string g = tmp / "ranks/graph.h5", c = tmp / "ranks/communities.h5", r = tmp / "ranks/risk.h5";
  REQUIRE(run_sourcetrace({"score", g, c, "--out", r, "--job", job}).exit_code == 0);
  REQUIRE(run_sourcetrace({"track", tmp / "ranks", "--job", job}).exit_code == 0);
  REQUIRE(run_sourcetrace({"targets", g, c, r, "--out", tmp / "ranks/targets.h5", "--job", job}).exit_code == 0);
  REQUIRE(run_sourcetrace({"export", tmp / "ranks", "--out", tmp / "ranks", "--job", job}).exit_code == 0);

  auto eval = [&](const std::string& run) {
    CommandResult e = run_sourcetrace({"eval", run, "--truth", tmp / "market/truth.csv", "--dataset", tmp / "market"});
    REQUIRE(e.exit_code == 0);
    return nlohmann::json::parse(e.out);
  };
  const nlohmann::json one = eval(tmp / "one"), ranks = eval(tmp / "ranks");
  for (const char* metric : {"members_precision", "members_recall", "mean_ring_jaccard", "rings_found",
                             "targets_precision", "supply_cut"}) {
    INFO(metric << ": one node " << one[metric] << ", ranks " << ranks[metric]);
    CHECK(ranks[metric].get<double>() >= one[metric].get<double>() - 0.02);
  }

  // NMI over the planted ring entities (measured 0.99 here).
  auto graph = store::read_graph_entities(g);
  REQUIRE(graph.is_ok());
  auto truth = evaluation::read_truth(tmp / "market/truth.csv");
  REQUIRE(truth.is_ok());
  const evaluation::TruthIndex index(std::move(truth.value()));
  auto a = community::read_communities_file(tmp / "one/communities.h5");
  auto b = community::read_communities_file(c);
  REQUIRE(a.is_ok());
  REQUIRE(b.is_ok());
  const auto& pa = a.value().hierarchy.back().partition.membership;
  const auto& pb = b.value().hierarchy.back().partition.membership;
  std::vector<std::uint32_t> ra, rb;
  for (graph::VertexId v = 0; v < graph.value().num_entities(); ++v) {
    const evaluation::TruthEntry* entry =
        index.find({graph.value().kind(v), std::string(graph.value().key(v))});
    if (entry != nullptr && !entry->ring.empty()) {
      ra.push_back(pa[v]);
      rb.push_back(pb[v]);
    }
  }
  REQUIRE(ra.size() > 1000);
  CHECK(community::normalized_mutual_information(ra, rb) >= 0.95);
}
