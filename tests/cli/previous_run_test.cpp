// `sourcetrace run --previous` through the real binary: a second night on
// the same market, warm-started, keeps every network's id and first-seen
// date and lists no change; the previous run is a digested input of detect
// (its warm start) and track, never of ingest; a previous run that is not
// complete, or the run itself, is refused before anything runs.
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "../support/csv_rows.hpp"
#include "../support/test_env.hpp"

using namespace sourcetrace;
using namespace sourcetrace::testing;

namespace {

std::map<std::string, bool> stages_ran(const std::string& run) {
  std::map<std::string, bool> ran;
  const nlohmann::json summary = nlohmann::json::parse(read_file(run + "/summary.json"));
  for (const auto& s : summary["stages"]) {
    ran[s["stage"].get<std::string>()] = s["ran"].get<bool>();
  }
  return ran;
}

// networks.csv: id → first_seen.
std::map<std::string, std::string> first_seen(const std::string& run) {
  std::map<std::string, std::string> out;
  const auto rows = read_csv_rows(run + "/networks.csv");
  REQUIRE(rows.size() > 1);
  REQUIRE(rows[0][9] == "first_seen");
  for (std::size_t i = 1; i < rows.size(); ++i) out[rows[i][0]] = rows[i][9];
  return out;
}

}  // namespace

TEST_CASE("cli: run --previous on an unchanged market keeps every id and lists no change", "[cli][run]") {
  TempDir tmp;
  REQUIRE(run_sourcetrace({"generate", tmp / "m", "--sellers", "2000", "--seed", "5"}).exit_code == 0);
  CommandResult first = run_sourcetrace({"run", tmp / "m", "--out", tmp / "night1"});
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  const auto rows1 = read_csv_rows(tmp / "night1/changes.csv");
  REQUIRE(rows1.size() == 1);  // a chain's first run: a header, no changes
  CHECK(rows1[0] == std::vector<std::string>{"network", "change", "others", "members_before", "members_after",
                                             "risk_before", "risk_after", "new_evidence"});

  CommandResult second = run_sourcetrace({"run", tmp / "m", "--out", tmp / "night2", "--previous", tmp / "night1"});
  INFO(second.err);
  REQUIRE(second.exit_code == 0);
  CHECK(second.out.find("track: night 1 of the chain") != std::string::npos);
  const auto seen1 = first_seen(tmp / "night1"), seen2 = first_seen(tmp / "night2");
  CHECK(seen1 == seen2);  // the same ids, first seen the first night
  const auto changes = read_csv_rows(tmp / "night2/changes.csv");
  CHECK(changes.size() == seen2.size() + 1);
  for (std::size_t i = 1; i < changes.size(); ++i) {
    INFO(changes[i][0]);
    CHECK(changes[i][1] == "unchanged");
    CHECK(changes[i][3] == changes[i][4]);
    CHECK(changes[i][7] == "0");
    CHECK(seen2.contains(changes[i][0]));
  }
  CHECK(read_file(tmp / "night2/members.csv") == read_file(tmp / "night1/members.csv"));
  // A quiet night: no alert.
  const auto alerts = read_csv_rows(tmp / "night2/alerts.csv");
  CHECK(alerts == std::vector<std::vector<std::string>>{{"rank", "alert", "network", "kind", "id", "risk", "reason"}});

  // Run again: everything is current. Without --previous: detect (no
  // longer warm-started) and track rerun, never ingest.
  REQUIRE(run_sourcetrace({"run", tmp / "m", "--out", tmp / "night2", "--previous", tmp / "night1"}).exit_code == 0);
  CHECK(stages_ran(tmp / "night2").at("detect") == false);
  CHECK(stages_ran(tmp / "night2").at("track") == false);
  CommandResult unchained = run_sourcetrace({"run", tmp / "m", "--out", tmp / "night2"});
  INFO(unchained.err);
  REQUIRE(unchained.exit_code == 0);
  CHECK(unchained.err.find("run: detect: runs (its parameters changed ([combine], [detect]))") != std::string::npos);
  auto ran = stages_ran(tmp / "night2");
  CHECK(ran.at("ingest") == false);
  CHECK(ran.at("detect") == true);
  CHECK(ran.at("track") == true);
  CHECK(read_csv_rows(tmp / "night2/changes.csv").size() == 1);

  // A previous run that is not complete, or the run itself: refused at once.
  fs::remove(tmp / "night1/manifest.json");
  CommandResult incomplete = run_sourcetrace({"run", tmp / "m", "--out", tmp / "night3", "--previous", tmp / "night1"});
  CHECK(incomplete.exit_code != 0);
  CHECK(incomplete.err.find("not a complete run") != std::string::npos);
  CHECK_FALSE(fs::exists(tmp / "night3/graph.h5"));
  CommandResult itself = run_sourcetrace({"run", tmp / "m", "--out", tmp / "night2", "--previous", tmp / "night2"});
  CHECK(itself.exit_code != 0);
  CHECK(itself.err.find("is the run folder itself") != std::string::npos);
  CHECK(fs::exists(tmp / "night2/manifest.json"));  // refused before it touched the run
}
