// The command line as a user meets it: help, version, exit codes, summaries,
// generate → ingest → info, determinism, truth never read, kill -9.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "../support/test_env.hpp"
#include "sourcetrace/store/graph_file.hpp"
#include "sourcetrace/store/h5_file.hpp"

using namespace sourcetrace;
using namespace sourcetrace::testing;

TEST_CASE("cli: --help on every subcommand, --version, usage errors exit 64", "[cli][fast]") {
  CommandResult top = run_sourcetrace({"--help"});
  CHECK(top.exit_code == 0);
  // Every subcommand the top help lists, and only those: a new one joins
  // this list or the test fails.
  const std::vector<std::string> subcommands = {"run",  "generate", "ingest", "detect",  "score", "track",
                                                "targets", "export", "info",  "eval",    "serve", "publish",
                                                "query",   "report", "token", "audit",  "submit", "case"};
  std::vector<std::string> listed;
  const std::size_t from = top.out.find("Subcommands:");
  REQUIRE(from != std::string::npos);
  std::istringstream lines(top.out.substr(from));
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("  ", 0) == 0 && line.size() > 2 && line[2] != ' ') listed.push_back(line.substr(2, line.find(' ', 2) - 2));
  }
  CHECK(listed == subcommands);
  for (const std::string& sub : subcommands) {
    INFO(sub);
    CommandResult help = run_sourcetrace({sub, "--help"});
    CHECK(help.exit_code == 0);
    CHECK(help.out.find("Usage") != std::string::npos);
    // Without its arguments: a usage error, with a message.
    CommandResult bare = run_sourcetrace({sub});
    CHECK(bare.exit_code == 64);
    CHECK_FALSE(bare.err.empty());
  }
  CommandResult version = run_sourcetrace({"--version"});
  CHECK(version.exit_code == 0);
  CHECK(version.out.find("sourcetrace 0.") != std::string::npos);
  CHECK(run_sourcetrace({}).exit_code == 64);
  CHECK(run_sourcetrace({"frobnicate"}).exit_code == 64);
  CHECK(run_sourcetrace({"ingest", "x"}).exit_code == 64);  // --out missing
  CHECK(run_sourcetrace({"generate", "/tmp/x", "--sellers", "-5"}).exit_code == 64);
}

TEST_CASE("cli: missing inputs exit 66, unwritable outputs 73, with a message", "[cli][fast]") {
  TempDir tmp;
  CommandResult r = run_sourcetrace({"ingest", tmp / "nope", "--out", tmp / "g.h5"});
  CHECK(r.exit_code == 66);
  CHECK(r.err.find("nope: no such dataset folder") != std::string::npos);
  CHECK(run_sourcetrace({"info", tmp / "nope.h5"}).exit_code == 66);
  CHECK(run_sourcetrace({"ingest", "--edge-list", tmp / "nope.txt", "--out", tmp / "g.h5"}).exit_code == 66);

  make_fixture_dataset("", tmp / "data");
  write_file(tmp / "file", "");
  CommandResult blocked = run_sourcetrace({"ingest", tmp / "data", "--out", tmp / "file/sub/g.h5"});
  CHECK(blocked.exit_code == 73);
}

TEST_CASE("cli: ingest and info print one-line summaries; info --json is complete", "[cli][fast]") {
  TempDir tmp;
  CommandResult r = run_sourcetrace(
      {"ingest", "--edge-list", source_path("datasets/football/edges.txt"), "--out", tmp / "f.h5"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.rfind("ingest: 613 rows read", 0) == 0);
  CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);

  CommandResult info = run_sourcetrace({"info", tmp / "f.h5", "--json"});
  REQUIRE(info.exit_code == 0);
  auto j = nlohmann::json::parse(info.out);
  CHECK(j["format"] == "sourcetrace.graph");
  CHECK(j["version"] == 2);
  CHECK(j["entities"]["total"] == 115);
  CHECK(j["layers"][0]["edges"] == 613);
  CHECK(j["layers"][0]["degree"]["max"] == 12);
  CHECK(j["input_digest"].get<std::string>().size() == 32);

  CommandResult text = run_sourcetrace({"info", tmp / "f.h5"});
  CHECK(text.exit_code == 0);
  CHECK(text.out.find("layer edges") != std::string::npos);
}

TEST_CASE("cli: generate is deterministic and the engine never reads truth.csv", "[cli][market]") {
  TempDir tmp;
  for (const char* dir : {"a", "b"}) {
    CommandResult g = run_sourcetrace({"generate", tmp / dir, "--sellers", "3000", "--seed", "7", "--gzip"});
    INFO(g.err);
    REQUIRE(g.exit_code == 0);
  }
  for (const char* table : {"entities", "seller_links", "stock", "payments", "shipments", "evidence", "truth"}) {
    INFO(table);
    std::string name = std::string(table) + ".csv.gz";
    REQUIRE(fs::exists(tmp / ("a/" + name)));
    CHECK(read_file(tmp / ("a/" + name)) == read_file(tmp / ("b/" + name)));
  }

  REQUIRE(run_sourcetrace({"ingest", tmp / "a", "--out", tmp / "with.h5"}).exit_code == 0);
  fs::remove(tmp / "b/truth.csv.gz");
  REQUIRE(run_sourcetrace({"ingest", tmp / "b", "--out", tmp / "without.h5"}).exit_code == 0);
  store::GraphProvenance pa, pb;
  auto a = store::read_graph_file(tmp / "with.h5", &pa);
  auto b = store::read_graph_file(tmp / "without.h5", &pb);
  REQUIRE(a.is_ok());
  REQUIRE(b.is_ok());
  CHECK(pa.input_digest == pb.input_digest);
  CHECK(a.value().entities.bytes == b.value().entities.bytes);
  for (std::size_t i = 0; i < a.value().layers.size(); ++i) {
    CHECK(a.value().layers[i].adjacency.csr.targets == b.value().layers[i].adjacency.csr.targets);
    CHECK(a.value().layers[i].adjacency.csr.weights == b.value().layers[i].adjacency.csr.weights);
  }
  CHECK(a.value().evidence.entity == b.value().evidence.entity);
}

TEST_CASE("cli: a killed ingest leaves the last good graph.h5 intact", "[cli][slow]") {
  TempDir tmp;
  REQUIRE(run_sourcetrace({"generate", tmp / "big", "--sellers", "150000", "--seed", "3"}).exit_code == 0);
  make_fixture_dataset("", tmp / "small");
  const std::string out = tmp / "out/graph.h5";
  REQUIRE(run_sourcetrace({"ingest", tmp / "small", "--out", out}).exit_code == 0);
  std::string good = read_file(out);

  int killed_mid_run = 0;
  for (int delay_ms : {30, 100, 250, 500, 900, 1500}) {
    pid_t pid = start_program({SOURCETRACE_BINARY, "ingest", tmp / "big", "--out", out},
                              tmp / "stdout", tmp / "stderr");
    REQUIRE(pid > 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    ::kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) {
      ++killed_mid_run;
      // Untouched, or, when the kill came after the new file was renamed
      // into place (on a loaded machine it can), the whole new graph.
      const std::string now = read_file(out);
      if (now != good) {
        REQUIRE(store::read_graph_file(out).is_ok());
        good = now;
      }
    } else {
      REQUIRE(WEXITSTATUS(status) == 0);  // it finished first: the new file is whole
      REQUIRE(store::read_graph_file(out).is_ok());
      good = read_file(out);
    }
    CHECK(store::read_graph_file(out).is_ok());
  }
  CHECK(killed_mid_run >= 2);
}
