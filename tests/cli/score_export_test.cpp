// detect → score → export on a generated market, through the real binary:
// networks.csv sorted by risk, members.csv one network per entity, the
// most suspect network is mostly a planted ring, --brand filters and
// ranks the brand's targets 1..k under the same opaque network ids.
#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "../support/csv_rows.hpp"
#include "../support/test_env.hpp"

using namespace sourcetrace;
using namespace sourcetrace::testing;


TEST_CASE("cli: score, targets and export list the planted rings first", "[cli][risk]") {
  TempDir tmp;
  const std::string run = tmp / "run";
  REQUIRE(run_sourcetrace({"generate", tmp / "m", "--sellers", "6000", "--seed", "4"}).exit_code == 0);
  REQUIRE(run_sourcetrace({"ingest", tmp / "m", "--out", run + "/graph.h5"}).exit_code == 0);
  REQUIRE(run_sourcetrace({"detect", run + "/graph.h5", "--out", run + "/communities.h5"}).exit_code == 0);
  CommandResult score = run_sourcetrace({"score", run + "/graph.h5", run + "/communities.h5", "--out", run + "/risk.h5"});
  INFO(score.err);
  REQUIRE(score.exit_code == 0);
  CHECK(score.out.rfind("score: ", 0) == 0);
  CommandResult track = run_sourcetrace({"track", run});
  INFO(track.err);
  REQUIRE(track.exit_code == 0);
  CHECK(track.out.rfind("track: a new chain: ", 0) == 0);
  CommandResult targets = run_sourcetrace({"targets", run + "/graph.h5", run + "/communities.h5",
                                           run + "/risk.h5", "--out", run + "/targets.h5"});
  INFO(targets.err);
  REQUIRE(targets.exit_code == 0);
  CommandResult exported = run_sourcetrace({"export", run, "--out", tmp / "out"});
  INFO(exported.err);
  REQUIRE(exported.exit_code == 0);

  auto networks = read_csv_rows(tmp / "out/networks.csv");
  auto members = read_csv_rows(tmp / "out/members.csv");
  REQUIRE(networks.size() >= 2);
  CHECK(networks[0] == std::vector<std::string>{"network", "risk", "members", "sellers", "warehouses",
                                                "accounts", "evidence", "brands", "reason", "first_seen",
                                                "lineage"});
  for (std::size_t i = 2; i < networks.size(); ++i) CHECK(std::stod(networks[i - 1][1]) >= std::stod(networks[i][1]));
  for (std::size_t i = 1; i < networks.size(); ++i) {
    CHECK(std::stod(networks[i][1]) >= 0.2);
    CHECK(!networks[i][8].empty());
  }

  // Each entity in one network; the top network is mostly a planted ring.
  std::set<std::string> seen;
  std::map<std::string, std::string> ring_of;
  for (const auto& row : read_csv_rows(tmp / "m/truth.csv")) ring_of[row[0] + ":" + row[1]] = row[2];
  std::map<std::string, int> top_rings;
  int top_members = 0;
  for (std::size_t i = 1; i < members.size(); ++i) {
    const std::string key = members[i][1] + ":" + members[i][2];
    CHECK(seen.insert(key).second);
    if (members[i][0] == networks[1][0]) {
      ++top_members;
      if (!ring_of[key].empty()) ++top_rings[ring_of[key]];
    }
  }
  int best = 0;
  for (const auto& [ring, count] : top_rings) best = std::max(best, count);
  CHECK(best * 2 >= top_members);

  // targets.csv: ranks increase; a network's impact never decreases down the list.
  auto target_rows = read_csv_rows(tmp / "out/targets.csv");
  REQUIRE(target_rows.size() >= 2);
  CHECK(target_rows[0] == std::vector<std::string>{"rank", "network", "kind", "id", "impact", "reason"});
  std::map<std::string, double> last_impact;
  for (std::size_t i = 1; i < target_rows.size(); ++i) {
    if (i > 1) CHECK(std::stoul(target_rows[i][0]) > std::stoul(target_rows[i - 1][0]));
    const double impact = std::stod(target_rows[i][4]);
    CHECK(impact >= last_impact[target_rows[i][1]]);
    CHECK(impact <= 1.0 + 1e-9);
    last_impact[target_rows[i][1]] = impact;
    CHECK(!target_rows[i][5].empty());
  }

  // --brand keeps only networks whose evidence names the brand.
  const std::string brand = networks[1][7].substr(0, networks[1][7].find(';'));
  REQUIRE(run_sourcetrace({"export", run, "--out", tmp / "brand", "--brand", brand}).exit_code == 0);
  auto branded = read_csv_rows(tmp / "brand/networks.csv");
  REQUIRE(branded.size() >= 2);
  for (std::size_t i = 1; i < branded.size(); ++i) CHECK(branded[i][7].find(brand) != std::string::npos);

  // Ids are opaque ("N" and 16 hex digits, no position) and the same in
  // the brand's files as in the full export.
  std::map<std::string, std::vector<std::string>> full_by_id;
  for (std::size_t i = 1; i < networks.size(); ++i) {
    CHECK(networks[i][0].size() == 17);
    CHECK(networks[i][0].find_first_not_of("0123456789abcdef", 1) == std::string::npos);
    CHECK(full_by_id.emplace(networks[i][0], networks[i]).second);
  }
  for (std::size_t i = 1; i < branded.size(); ++i) {
    REQUIRE(full_by_id.count(branded[i][0]) == 1);
    CHECK(full_by_id[branded[i][0]] == branded[i]);
  }
  // The brand's targets: the full list's rows of its networks, in order,
  // ranked 1..k (a global rank would count the targets it may not see).
  std::set<std::string> brand_networks;
  for (std::size_t i = 1; i < branded.size(); ++i) brand_networks.insert(branded[i][0]);
  std::vector<std::vector<std::string>> expected;
  for (std::size_t i = 1; i < target_rows.size(); ++i) {
    if (!brand_networks.count(target_rows[i][1])) continue;
    expected.push_back(target_rows[i]);
    expected.back()[0] = std::to_string(expected.size());
  }
  auto brand_targets = read_csv_rows(tmp / "brand/targets.csv");
  REQUIRE(brand_targets.size() >= 2);
  CHECK(brand_targets.size() - 1 < target_rows.size() - 1);  // the brand's are fewer
  CHECK(std::vector<std::vector<std::string>>(brand_targets.begin() + 1, brand_targets.end()) == expected);

  CHECK(run_sourcetrace({"export", tmp / "nope", "--out", tmp / "x"}).exit_code == 66);
  CHECK(run_sourcetrace({"score", run + "/graph.h5", run + "/communities.h5", "--out", tmp / "r.h5", "--as-of", "2025-13-01"}).exit_code == 64);
}
