// `generate --nights` and a chain of runs over them, through the real
// binary: each night is a complete dataset with its planted events, the
// same bytes every time; a dismantled ring is gone from every table; run
// night after night with --previous, the fresh storefronts of known rings
// raise early warnings and legitimate growth raises no alert.
#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "../support/csv_rows.hpp"
#include "../support/test_env.hpp"

using namespace sourcetrace;
using namespace sourcetrace::testing;

TEST_CASE("cli: generate --nights writes complete nights with their planted events, and runs chain over them",
          "[cli][run]") {
  TempDir tmp;
  CommandResult made = run_sourcetrace({"generate", tmp / "m", "--sellers", "6000", "--seed", "3", "--vary",
                                        "--nights", "2"});
  INFO(made.err);
  REQUIRE(made.exit_code == 0);
  CHECK(read_csv_rows(tmp / "m/night-0/events.csv").size() == 1);  // night 0: nothing planted yet
  const auto events = read_csv_rows(tmp / "m/night-1/events.csv");
  REQUIRE(events.size() > 1);
  CHECK(events[0] == std::vector<std::string>{"night", "event", "ring", "kind", "id"});
  std::map<std::string, std::set<std::string>> by_event;  // event → kind:id
  std::set<std::string> dismantled_rings;
  for (std::size_t i = 1; i < events.size(); ++i) {
    CHECK(events[i][0] == "1");
    by_event[events[i][1]].insert(events[i][3] + ":" + events[i][4]);
    if (events[i][1] == "dismantled") dismantled_rings.insert(events[i][2]);
  }
  for (const char* kind : {"new_evidence", "fresh_storefront", "dismantled", "new_ring", "legit_growth"}) {
    INFO(kind);
    CHECK(by_event.contains(kind));
  }
  CHECK(dismantled_rings.size() == 1);
  // The dismantled ring is gone from every table; the new entities are in truth.csv.
  for (const char* table : {"entities", "seller_links", "stock", "payments", "shipments", "evidence", "truth"}) {
    const std::string text = read_file(tmp / ("m/night-1/" + std::string(table) + ".csv"));
    for (const std::string& gone : by_event["dismantled"]) {
      const std::string id = gone.substr(gone.find(':') + 1);
      for (const std::string& around : {"," + id + ",", "\n" + id + ",", "," + id + "\n"}) {
        CHECK(text.find(around) == std::string::npos);
      }
    }
  }
  std::set<std::string> truth;
  for (const auto& row : read_csv_rows(tmp / "m/night-1/truth.csv")) truth.insert(row[0] + ":" + row[1]);
  for (const std::string& fresh : by_event["fresh_storefront"]) CHECK(truth.contains(fresh));

  // The same bytes again.
  REQUIRE(run_sourcetrace({"generate", tmp / "again", "--after", tmp / "m/night-0", "--seed", "3"}).exit_code == 0);
  for (const char* table : {"events", "evidence", "shipments", "truth"}) {
    INFO(table);
    CHECK(read_file(tmp / ("again/" + std::string(table) + ".csv")) ==
          read_file(tmp / ("m/night-1/" + std::string(table) + ".csv")));
  }

  // Runs night after night.
  REQUIRE(run_sourcetrace({"run", tmp / "m/night-0", "--out", tmp / "r0"}).exit_code == 0);
  CommandResult second = run_sourcetrace({"run", tmp / "m/night-1", "--out", tmp / "r1", "--previous", tmp / "r0"});
  INFO(second.err);
  REQUIRE(second.exit_code == 0);
  const auto alerts = read_csv_rows(tmp / "r1/alerts.csv");
  REQUIRE(alerts.size() > 1);
  std::size_t early = 0;
  for (std::size_t i = 1; i < alerts.size(); ++i) {
    CHECK(alerts[i][0] == std::to_string(i));
    const std::string entity = alerts[i][3] + ":" + alerts[i][4];
    CHECK_FALSE(by_event["legit_growth"].contains(entity));
    if (alerts[i][1] == "early_warning" && by_event["fresh_storefront"].contains(entity)) ++early;
  }
  CHECK(early >= 1);
  const auto changes = read_csv_rows(tmp / "r1/changes.csv");
  CHECK(changes.size() > 1);
  CHECK(second.out.find("warm-started") != std::string::npos);

  // The warm start gives the same partition on any number of threads.
  for (const char* threads : {"1", "2"}) {
    CommandResult d = run_sourcetrace({"detect", tmp / "r1/graph.h5", "--out", tmp / ("warm-" + std::string(threads) + ".h5"),
                                       "--previous", tmp / "r0", "--threads", threads, "--partition-out",
                                       tmp / ("warm-" + std::string(threads) + ".tsv")});
    INFO(d.err);
    REQUIRE(d.exit_code == 0);
    CHECK(d.out.find("warm-started") != std::string::npos);
  }
  CHECK(read_file(tmp / "warm-1.tsv") == read_file(tmp / "warm-2.tsv"));
}
