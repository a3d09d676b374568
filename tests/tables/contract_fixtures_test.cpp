// Every rule of the table contract, one fixture each (tests/fixtures, made
// by make_fixtures.py), run through the real binary in strict and lenient
// mode: exit code, `file:line: reason`, no output on failure, rejected.csv
// and the read = accepted + rejected count on lenient runs.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "../support/csv_rows.hpp"
#include "../support/test_env.hpp"
#include "sourcetrace/store/graph_file.hpp"

using namespace sourcetrace;
using namespace sourcetrace::testing;

namespace {

std::vector<std::string> fixture_cases(const std::string& kind) {
  std::vector<std::string> cases;
  for (const auto& f : fs::directory_iterator(source_path("tests/fixtures/" + kind))) {
    cases.push_back(f.path().filename().string());
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

template <typename T>
void require_same(const std::vector<T>& a, const std::vector<T>& b, const char* what) {
  INFO(what);
  REQUIRE(a == b);
}

void require_same_graph(const graph::MarketGraph& a, const graph::MarketGraph& b) {
  require_same(a.entities.tags, b.entities.tags, "entity kinds");
  require_same(a.entities.offsets, b.entities.offsets, "entity key offsets");
  REQUIRE(a.entities.bytes == b.entities.bytes);
  require_same(a.region, b.region, "regions");
  require_same(a.created_on, b.created_on, "created_on");
  REQUIRE(a.layers.size() == b.layers.size());
  for (std::size_t i = 0; i < a.layers.size(); ++i) {
    INFO("layer " << a.layers[i].name);
    for (auto [x, y] : {std::pair{&a.layers[i].adjacency, &b.layers[i].adjacency},
                        {&a.layers[i].flow, &b.layers[i].flow}}) {
      require_same(x->csr.offsets, y->csr.offsets, "offsets");
      require_same(x->csr.targets, y->csr.targets, "targets");
      require_same(x->csr.weights, y->csr.weights, "weights");
      require_same(x->events, y->events, "events");
    }
  }
  require_same(a.evidence.entity, b.evidence.entity, "evidence entity");
  require_same(a.evidence.signal, b.evidence.signal, "evidence signal");
  require_same(a.evidence.brand, b.evidence.brand, "evidence brand");
  require_same(a.evidence.day, b.evidence.day, "evidence day");
}

}  // namespace

TEST_CASE("tables: every broken contract rule stops a strict ingest with file:line: reason", "[tables][cli]") {
  for (const std::string& name : fixture_cases("bad")) {
    DYNAMIC_SECTION(name) {
      const std::string fixture = source_path("tests/fixtures/bad/" + name);
      auto expect = nlohmann::json::parse(read_file(fixture + "/expect.json"));
      TempDir tmp;
      make_fixture_dataset(fixture, tmp / "data");

      CommandResult strict = run_sourcetrace({"ingest", tmp / "data", "--out", tmp / "out/graph.h5"});
      INFO(strict.err);
      CHECK(strict.exit_code == expect["exit"].get<int>());
      CHECK(strict.err.find(expect["message"].get<std::string>()) != std::string::npos);
      CHECK(!fs::exists(tmp / "out/graph.h5"));
      CHECK(!fs::exists(tmp / "out/rejected.csv"));

      CommandResult lenient =
          run_sourcetrace({"ingest", tmp / "data", "--out", tmp / "lenient/graph.h5", "--lenient"});
      INFO(lenient.err);
      if (expect["lenient"] == "fatal") {
        // Whole-table problems stop a lenient run too.
        CHECK(lenient.exit_code == expect["exit"].get<int>());
        CHECK(lenient.err.find(expect["message"].get<std::string>()) != std::string::npos);
        CHECK(!fs::exists(tmp / "lenient/graph.h5"));
      } else {
        REQUIRE(lenient.exit_code == 0);
        auto rejected = read_csv_rows(tmp / "lenient/rejected.csv");
        REQUIRE(rejected.size() == 2);  // header + the one bad row
        CHECK(rejected[0] == std::vector<std::string>{"table", "line", "reason", "raw"});
        // "stock.csv:3: reason" → table stock, line 3, the reason.
        std::string message = expect["message"];
        std::string where = message.substr(0, message.find(": "));
        std::string reason = message.substr(message.find(": ") + 2);
        CHECK(where == rejected[1][0] + ".csv:" + rejected[1][1]);
        CHECK(rejected[1][2].find(reason) != std::string::npos);
        CHECK(!rejected[1][3].empty());

        // Nothing lost: per table, read = accepted + rejected.
        CommandResult info = run_sourcetrace({"info", tmp / "lenient/graph.h5", "--json"});
        REQUIRE(info.exit_code == 0);
        auto j = nlohmann::json::parse(info.out);
        std::uint64_t rejected_rows = 0;
        for (const auto& t : j["tables"]) {
          CHECK(t["rows_read"].get<std::uint64_t>() ==
                t["rows_accepted"].get<std::uint64_t>() + t["rows_rejected"].get<std::uint64_t>());
          rejected_rows += t["rows_rejected"].get<std::uint64_t>();
        }
        CHECK(rejected_rows == 1);
      }
    }
  }
}

TEST_CASE("tables: accepted variants of the contract give the same graph", "[tables][cli]") {
  TempDir tmp;
  make_fixture_dataset("", tmp / "base");
  REQUIRE(run_sourcetrace({"ingest", tmp / "base", "--out", tmp / "base.h5"}).exit_code == 0);
  auto base = store::read_graph_file(tmp / "base.h5");
  REQUIRE(base.is_ok());

  for (const std::string& name : fixture_cases("good")) {
    DYNAMIC_SECTION(name) {
      const std::string fixture = source_path("tests/fixtures/good/" + name);
      auto expect = nlohmann::json::parse(read_file(fixture + "/expect.json"));
      make_fixture_dataset(fixture, tmp / name);
      CommandResult r = run_sourcetrace({"ingest", tmp / name, "--out", tmp / (name + ".h5")});
      INFO(r.err);
      REQUIRE(r.exit_code == 0);
      auto g = store::read_graph_file(tmp / (name + ".h5"));
      REQUIRE(g.is_ok());
      if (expect["same_as_base"].get<bool>()) require_same_graph(g.value(), base.value());
    }
  }
}

TEST_CASE("tables: a lenient run with no bad rows still writes rejected.csv with its header", "[tables][cli]") {
  TempDir tmp;
  make_fixture_dataset("", tmp / "data");
  REQUIRE(run_sourcetrace({"ingest", tmp / "data", "--out", tmp / "out/graph.h5", "--lenient"}).exit_code == 0);
  CHECK(read_file(tmp / "out/rejected.csv") == "table,line,reason,raw\n");
}
