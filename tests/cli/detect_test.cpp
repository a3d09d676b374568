// `sourcetrace detect` as a user runs it: communities.h5, the TSV, job files,
// determinism across thread counts, atomic output.
#include <catch2/catch.hpp>
#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../support/test_env.hpp"
#include "sourcetrace/community/community_file.hpp"
#include "sourcetrace/community/verify_partition.hpp"
#include "sourcetrace/graph/combined_graph.hpp"
#include "sourcetrace/store/graph_file.hpp"
#include "sourcetrace/store/run_file.hpp"

using namespace sourcetrace;
using namespace sourcetrace::testing;

TEST_CASE("cli: detect writes communities.h5 and a canonical partition TSV", "[cli][community]") {
  TempDir tmp;
  REQUIRE(run_sourcetrace({"ingest", "--edge-list", source_path("datasets/football/edges.txt"), "--out",
                           tmp / "g.h5"})
              .exit_code == 0);
  CommandResult r = run_sourcetrace(
      {"detect", tmp / "g.h5", "--out", tmp / "run/communities.h5", "--partition-out", tmp / "p.tsv"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.rfind("detect: ", 0) == 0);
  CHECK(r.out.find("modularity 0.60") != std::string::npos);

  auto record = community::read_communities_file(tmp / "run/communities.h5");
  REQUIRE(record.is_ok());
  const community::LeidenLevel& last = record.value().hierarchy.back();
  auto g = store::read_graph_file(tmp / "g.h5");
  CHECK(community::verify_partition(g.value().layers[0].adjacency.csr, last.partition, last.modularity).empty());
  CHECK(record.value().graph_path == tmp / "g.h5");
  CHECK(record.value().graph_digest.size() == 32);

  // TSV: key<TAB>community per vertex, communities numbered by first vertex.
  std::istringstream tsv(read_file(tmp / "p.tsv"));
  std::string line;
  std::uint32_t next = 0, lines = 0;
  while (std::getline(tsv, line)) {
    auto tab = line.find('\t');
    REQUIRE(tab != std::string::npos);
    CHECK(line.substr(0, tab) == g.value().key(lines));
    std::uint32_t c = static_cast<std::uint32_t>(std::stoul(line.substr(tab + 1)));
    CHECK(c <= next);
    if (c == next) ++next;
    CHECK(c == last.partition.membership[lines]);
    ++lines;
  }
  CHECK(lines == 115);

  CommandResult info = run_sourcetrace({"info", tmp / "run/communities.h5", "--json"});
  CHECK(info.exit_code == 0);
  CHECK(info.out.find("\"algorithm\": \"leiden\"") != std::string::npos);
}

TEST_CASE("cli: detect on a market is deterministic across thread counts and reruns", "[cli][community]") {
  TempDir tmp;
  REQUIRE(run_sourcetrace({"generate", tmp / "m", "--sellers", "4000", "--seed", "2"}).exit_code == 0);
  REQUIRE(run_sourcetrace({"ingest", tmp / "m", "--out", tmp / "g.h5"}).exit_code == 0);
  std::string first;
  for (const char* threads : {"1", "2", "4", "8", "2"}) {
    INFO("threads " << threads);
    std::string tsv = tmp / (std::string("p") + threads + ".tsv");
    CommandResult r = run_sourcetrace(
        {"detect", tmp / "g.h5", "--out", tmp / "r.h5", "--threads", threads, "--partition-out", tsv});
    REQUIRE(r.exit_code == 0);
    std::string bytes = read_file(tsv);
    CHECK(bytes.rfind("seller:", 0) == 0);  // market keys are kind:id
    if (first.empty()) first = bytes;
    CHECK(bytes == first);
  }
}

TEST_CASE("cli: detect --write-combined writes the graph it partitions as Matrix Market", "[cli][community]") {
  TempDir tmp;
  REQUIRE(run_sourcetrace({"generate", tmp / "m", "--sellers", "1000", "--seed", "3"}).exit_code == 0);
  REQUIRE(run_sourcetrace({"ingest", tmp / "m", "--out", tmp / "g.h5"}).exit_code == 0);
  CommandResult r =
      run_sourcetrace({"detect", tmp / "g.h5", "--out", tmp / "r.h5", "--write-combined", tmp / "c.mtx"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);

  auto market = store::read_graph_file(tmp / "g.h5");
  REQUIRE(market.is_ok());
  const graph::Csr combined = graph::combine_layers(market.value(), graph::CombineOptions{});
  std::istringstream in(read_file(tmp / "c.mtx"));
  std::string line;
  std::getline(in, line);
  CHECK(line == "%%MatrixMarket matrix coordinate real symmetric");
  std::getline(in, line);
  CHECK(line.rfind("% the combined graph", 0) == 0);
  std::uint64_t rows = 0, cols = 0, entries = 0;
  in >> rows >> cols >> entries;
  CHECK(rows == combined.num_vertices());
  CHECK(cols == combined.num_vertices());
  // Every entry is an arc of the graph with its weight, in the lower
  // triangle; together they are every undirected edge once.
  std::uint64_t read = 0, self_loops = 0, mismatched = 0;
  std::uint32_t row = 0, col = 0;
  float weight = 0;
  while (in >> row >> col >> weight) {
    ++read;
    const graph::VertexId v = row - 1, u = col - 1;
    self_loops += u == v;
    const auto targets = combined.neighbours(v);
    const auto it = std::lower_bound(targets.begin(), targets.end(), u);
    if (col > row || it == targets.end() || *it != u ||
        combined.neighbour_weights(v)[static_cast<std::size_t>(it - targets.begin())] != weight) {
      ++mismatched;
    }
  }
  CHECK(read == entries);
  CHECK(mismatched == 0);
  CHECK(2 * read - self_loops == combined.num_arcs());
}

TEST_CASE("cli: job files: the default file equals the built-in defaults; bad ones are refused", "[cli][fast]") {
  TempDir tmp;
  REQUIRE(run_sourcetrace({"ingest", "--edge-list", source_path("datasets/karate/edges.txt"), "--out",
                           tmp / "g.h5"})
              .exit_code == 0);
  REQUIRE(run_sourcetrace({"detect", tmp / "g.h5", "--out", tmp / "a.h5", "--partition-out", tmp / "a.tsv"})
              .exit_code == 0);
  REQUIRE(run_sourcetrace({"detect", tmp / "g.h5", "--out", tmp / "b.h5", "--partition-out", tmp / "b.tsv",
                           "--job", source_path("jobs/default.toml")})
              .exit_code == 0);
  CHECK(read_file(tmp / "a.tsv") == read_file(tmp / "b.tsv"));

  write_file(tmp / "typo.toml", "[detect]\nresolutoin = 2.0\n");
  CommandResult typo = run_sourcetrace({"detect", tmp / "g.h5", "--out", tmp / "c.h5", "--job", tmp / "typo.toml"});
  CHECK(typo.exit_code == 64);
  CHECK(typo.err.find("typo.toml:2: [detect] has no parameter 'resolutoin'") != std::string::npos);
  CHECK(!fs::exists(tmp / "c.h5"));

  write_file(tmp / "bad.toml", "[combine]\nhub_degree = -3\n");
  CHECK(run_sourcetrace({"detect", tmp / "g.h5", "--out", tmp / "c.h5", "--job", tmp / "bad.toml"}).exit_code == 64);
  write_file(tmp / "broken.toml", "[detect\n");
  CHECK(run_sourcetrace({"detect", tmp / "g.h5", "--out", tmp / "c.h5", "--job", tmp / "broken.toml"}).exit_code == 64);
  CHECK(run_sourcetrace({"detect", tmp / "g.h5", "--out", tmp / "c.h5", "--resolution", "0"}).exit_code == 64);
  CHECK(run_sourcetrace({"detect", tmp / "nope.h5", "--out", tmp / "c.h5"}).exit_code == 66);

  // A higher resolution from the command line gives more communities.
  CommandResult fine = run_sourcetrace({"detect", tmp / "g.h5", "--out", tmp / "d.h5", "--resolution", "3"});
  CHECK(fine.exit_code == 0);
  auto fine_record = community::read_communities_file(tmp / "d.h5");
  auto coarse_record = community::read_communities_file(tmp / "a.h5");
  REQUIRE(fine_record.is_ok());
  REQUIRE(coarse_record.is_ok());
  CHECK(fine_record.value().hierarchy.back().partition.num_communities >
        coarse_record.value().hierarchy.back().partition.num_communities);
}

TEST_CASE("cli: detect moves levels above gather_below in rounds, from the job or the flag, and records it",
          "[cli][community]") {
  TempDir tmp;
  REQUIRE(run_sourcetrace({"generate", tmp / "m", "--sellers", "4000", "--seed", "2"}).exit_code == 0);
  REQUIRE(run_sourcetrace({"ingest", tmp / "m", "--out", tmp / "g.h5"}).exit_code == 0);
  write_file(tmp / "rounds.toml", "[detect]\ngather_below = 500\nrounds = 4\n");
  CommandResult by_job = run_sourcetrace({"detect", tmp / "g.h5", "--out", tmp / "a.h5", "--job", tmp / "rounds.toml",
                                          "--partition-out", tmp / "a.tsv", "--threads", "1"});
  INFO(by_job.err);
  REQUIRE(by_job.exit_code == 0);
  CHECK(by_job.out.find("in rounds)") != std::string::npos);
  CommandResult by_flag = run_sourcetrace({"detect", tmp / "g.h5", "--out", tmp / "b.h5", "--gather-below", "500",
                                           "--rounds", "4", "--partition-out", tmp / "b.tsv", "--threads", "2"});
  REQUIRE(by_flag.exit_code == 0);
  CHECK(read_file(tmp / "a.tsv") == read_file(tmp / "b.tsv"));  // and the thread count changes nothing

  auto record = community::read_communities_file(tmp / "a.h5");
  REQUIRE(record.is_ok());
  CHECK(record.value().gather_below == 500);
  CHECK(record.value().rounds == 4);
  CHECK(record.value().round_levels >= 1);
  auto g = store::read_graph_file(tmp / "g.h5");
  REQUIRE(g.is_ok());
  const community::LeidenLevel& last = record.value().hierarchy.back();
  const graph::Csr combined = graph::combine_layers(g.value(), {});
  // Modularity at the resolution the job's density gave this graph.
  CHECK(record.value().options.density == Approx(3e-4));
  CHECK(record.value().resolution_used > 1.0);
  const std::string verdict =
      community::verify_partition(combined, last.partition, last.modularity, record.value().resolution_used);
  INFO(verdict);
  CHECK(verdict.empty());

  // The default: a graph this small never moves in rounds.
  REQUIRE(run_sourcetrace({"detect", tmp / "g.h5", "--out", tmp / "c.h5"}).exit_code == 0);
  auto plain = community::read_communities_file(tmp / "c.h5");
  REQUIRE(plain.is_ok());
  CHECK(plain.value().round_levels == 0);

  write_file(tmp / "bad.toml", "[detect]\nrounds = 0\n");
  CommandResult bad = run_sourcetrace({"detect", tmp / "g.h5", "--out", tmp / "d.h5", "--job", tmp / "bad.toml"});
  CHECK(bad.exit_code == 64);
  CHECK(bad.err.find("rounds must be between 1 and 255") != std::string::npos);
  CHECK(run_sourcetrace({"detect", tmp / "g.h5", "--out", tmp / "d.h5", "--rounds", "300"}).exit_code == 64);
  CHECK(!fs::exists(tmp / "d.h5"));
}
