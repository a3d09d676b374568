// The trap every counterfeit detector falls into: a legitimate multi-store
// business. Its stores are densely linked, stocked from one company
// warehouse and paid out to one company account — a ring's shape — and it
// drew wrong takedowns. Added to a generated market, it must rank below
// every planted ring in networks.csv (or not be listed at all).
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <fstream>
#include <map>
#include <set>

#include "../support/csv_rows.hpp"
#include "../support/test_env.hpp"

using namespace sourcetrace::testing;

namespace {

void append(const std::string& path, const std::string& rows) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << rows;
}

// The business: 8 stores, a company warehouse stocked by a wholesaler that
// also serves 30 other shops and a hub, payout accounts sweeping to one
// company account; 2 wrong takedowns and a complaint.
void add_business(const std::string& market, const std::vector<std::string>& other_shops) {
  std::string entities, links, stock, shipments, payments, evidence;
  int shipment = 0;
  auto ship = [&](const std::string& from, const std::string& to_kind, const std::string& to, int units) {
    shipments += fmt::format("SHT{:06d},warehouse,{},{},{},{},2026-09-{:02d}\n", ++shipment, from, to_kind, to, units,
                             1 + shipment % 28);
  };
  entities += "warehouse,W900001,DE-BE,2020-01-01\nwarehouse,W900002,DE-BE,2015-01-01\n";
  entities += "warehouse,W900003,DE-BE,2015-01-01\naccount,A900100,DE-BE,2020-01-01\n";
  ship("W900002", "warehouse", "W900001", 4000);  // wholesaler → company warehouse
  ship("W900002", "warehouse", "W900003", 9000);  // wholesaler → a hub
  for (const std::string& shop : other_shops) ship("W900002", "seller", shop, 300);
  for (int i = 1; i <= 8; ++i) {
    const std::string store = fmt::format("S9{:05d}", i), payout = fmt::format("A9{:05d}", i);
    entities += fmt::format("seller,{},DE-BE,2021-03-01\naccount,{},DE-BE,2021-03-01\n", store, payout);
    for (int j = i + 1; j <= 8; ++j) {
      links += fmt::format("{},S9{:05d},device,2026-06-01\n{},S9{:05d},address,2026-06-02\n", store, j, store, j);
    }
    stock += fmt::format("{},W900001,500,2026-08-01\n", store);
    for (int k = 0; k < 3; ++k) ship("W900001", "seller", store, 150);
    for (int k = 0; k < 3; ++k) payments += fmt::format("seller,{},account,{},800.00,2026-09-{:02d}\n", store, payout, 3 + k);
    for (int k = 0; k < 2; ++k) payments += fmt::format("account,{},account,A900100,1100.00,2026-09-{:02d}\n", payout, 10 + k);
  }
  evidence += "seller,S900001,takedown,B001,2026-10-01,B001\nseller,S900004,takedown,B002,2026-10-02,platform\n";
  evidence += "seller,S900006,complaint,B001,2026-10-03,platform\n";
  append(market + "/entities.csv", entities);
  append(market + "/seller_links.csv", links);
  append(market + "/stock.csv", stock);
  append(market + "/shipments.csv", shipments);
  append(market + "/payments.csv", payments);
  append(market + "/evidence.csv", evidence);
}

}  // namespace

TEST_CASE("cli: a legitimate multi-store business with wrong takedowns ranks below every planted ring",
          "[cli][risk][trap]") {
  TempDir tmp;
  const std::string market = tmp / "m", run = tmp / "run";
  REQUIRE(run_sourcetrace({"generate", market, "--sellers", "4000", "--seed", "8"}).exit_code == 0);
  std::map<std::string, std::string> ring_of;  // kind:id → ring
  std::vector<std::string> legit_shops;
  for (const auto& row : read_csv_rows(market + "/truth.csv")) {
    if (row[0] == "kind") continue;
    if (!row[2].empty()) ring_of[row[0] + ":" + row[1]] = row[2];
    if (row[2].empty() && row[0] == "seller" && legit_shops.size() < 30) legit_shops.push_back(row[1]);
  }
  add_business(market, legit_shops);
  CommandResult r = run_sourcetrace({"run", market, "--out", run, "--job", source_path("jobs/default.toml")});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);

  std::map<std::string, std::size_t> rank;  // network → row in networks.csv
  const auto networks = read_csv_rows(run + "/networks.csv");
  for (std::size_t i = 1; i < networks.size(); ++i) rank[networks[i][0]] = i;
  // Each ring's network: the listed network holding most of its members.
  std::map<std::string, std::map<std::string, int>> overlap;  // ring → network → members
  std::size_t trap_rank = networks.size();  // unlisted: below everything
  for (const auto& m : read_csv_rows(run + "/members.csv")) {
    if (m[0] == "network") continue;
    const std::string key = m[1] + ":" + m[2];
    if (auto ring = ring_of.find(key); ring != ring_of.end()) ++overlap[ring->second][m[0]];
    if (key.rfind("seller:S9", 0) == 0 && key.size() == 14) trap_rank = std::min(trap_rank, rank[m[0]]);
  }
  std::set<std::string> rings;
  for (const auto& [key, ring] : ring_of) rings.insert(ring);
  REQUIRE(rings.size() >= 6);
  for (const std::string& ring : rings) {
    INFO(ring << " (business ranked " << trap_rank << ")");
    REQUIRE(overlap.count(ring));
    const auto best = std::max_element(overlap[ring].begin(), overlap[ring].end(),
                                       [](const auto& a, const auto& b) { return a.second < b.second; });
    CHECK(rank[best->first] < trap_rank);
  }
}
