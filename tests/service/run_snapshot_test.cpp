// RunSnapshot on a real run (generate + run through the binary): refuses
// an unfinished run; its answers agree with the run's own CSV exports;
// paging, limits and paths; and a brand's scope never reveals a network
// that does not name the brand — not in a list, a neighbour, a path or a
// target.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "../support/csv_rows.hpp"
#include "../support/test_env.hpp"
#include "sourcetrace/service/run_snapshot.hpp"

using namespace sourcetrace;
using namespace sourcetrace::service;
using namespace sourcetrace::testing;

namespace {

// One run for every test here: generating and running takes a second.
struct RunFixture {
  TempDir tmp;
  std::string run = tmp / "run";
  std::shared_ptr<const RunSnapshot> snapshot;
  RunFixture() {
    REQUIRE(run_sourcetrace({"generate", tmp / "m", "--sellers", "3000", "--seed", "2"}).exit_code == 0);
    CommandResult r = run_sourcetrace({"run", tmp / "m", "--out", run, "--job", source_path("jobs/default.toml")});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    auto loaded = RunSnapshot::load(run);
    INFO(loaded.status().message());
    REQUIRE(loaded.is_ok());
    snapshot = loaded.value();
  }
};

const RunFixture& fixture() {
  static RunFixture f;
  return f;
}

const Scope kInvestigator{true, {}};

std::string key(const api::EntityRef& e) { return e.kind + ":" + e.id; }
std::string fixed4(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", x);
  return text;
}
std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ";") + s;
  return out;
}

// Every visible network, most suspect first.
std::vector<api::NetworkSummary> all_networks(const RunSnapshot& s, const Scope& scope, api::NetworkFilter filter = {}) {
  std::vector<api::NetworkSummary> all;
  for (int offset = 0;; offset += 1000) {
    api::NetworkPage page = s.list_networks(scope, filter, offset, 1000, {});
    all.insert(all.end(), page.networks.begin(), page.networks.end());
    if (page.networks.size() < 1000) break;
  }
  return all;
}

std::vector<api::Neighbour> all_neighbours(const RunSnapshot& s, const Scope& scope, const api::EntityRef& e) {
  std::vector<api::Neighbour> all;
  for (int offset = 0;; offset += 1000) {
    api::EntityDetail d = s.entity(scope, e, offset, 1000, {});
    all.insert(all.end(), d.neighbours.begin(), d.neighbours.end());
    if (d.neighbours.size() < 1000) break;
  }
  return all;
}

api::BadRequest bad_request_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const api::BadRequest& e) {
    return e;
  }
  FAIL("no BadRequest");
  return {};
}

}  // namespace

TEST_CASE("service: only a complete run loads", "[service]") {
  const RunFixture& f = fixture();
  TempDir tmp;
  const std::string copy = tmp / "run";
  std::filesystem::copy(f.run, copy, std::filesystem::copy_options::recursive);
  REQUIRE(RunSnapshot::load(copy).is_ok());
  std::filesystem::remove(copy + "/manifest.json");
  auto refused = RunSnapshot::load(copy);
  REQUIRE(!refused.is_ok());
  CHECK(refused.status().message().find("not a complete run") != std::string::npos);
  CHECK(!RunSnapshot::load(tmp / "nothing-here").is_ok());
}

TEST_CASE("service: run info comes from the manifest and summary.json", "[service]") {
  const RunFixture& f = fixture();
  const api::RunInfo info = f.snapshot->run_info(kInvestigator);
  const auto summary = nlohmann::json::parse(read_file(f.run + "/summary.json"));
  const auto manifest = nlohmann::json::parse(read_file(f.run + "/manifest.json"));
  CHECK(info.run == "run");
  CHECK(info.created == manifest["created"].get<std::string>());
  CHECK(info.engine == manifest["engine"].get<std::string>());
  CHECK(info.engine_build == manifest["engine_build"].get<std::string>());
  CHECK(info.dataset_digest == summary["inputs"]["dataset_digest"].get<std::string>());
  CHECK(nlohmann::json::parse(info.parameters_json) == summary["parameters"]);
  CHECK(info.networks == summary["counts"]["networks_scored"].get<std::int64_t>());
  CHECK(info.entities == f.snapshot->num_entities());
  CHECK(!info.published.empty());
}

TEST_CASE("service: networks are listed by risk, paged and filtered as networks.csv lists them", "[service]") {
  const RunFixture& f = fixture();
  const RunSnapshot& s = *f.snapshot;
  const auto all = all_networks(s, kInvestigator);
  REQUIRE(all.size() == s.num_networks());
  for (std::size_t i = 1; i < all.size(); ++i) {
    CHECK((all[i - 1].risk > all[i].risk || (all[i - 1].risk == all[i].risk && all[i - 1].network < all[i].network)));
  }
  // Pages of 7 make up the same list; totals count all pages.
  std::vector<std::string> paged;
  for (int offset = 0; offset < static_cast<int>(all.size()); offset += 7) {
    api::NetworkPage page = s.list_networks(kInvestigator, {}, offset, 7, {});
    CHECK(page.total == static_cast<std::int64_t>(all.size()));
    CHECK(page.offset == offset);
    for (const auto& n : page.networks) paged.push_back(n.network);
  }
  REQUIRE(paged.size() == all.size());
  for (std::size_t i = 0; i < all.size(); ++i) CHECK(paged[i] == all[i].network);
  CHECK(s.list_networks(kInvestigator, {}, static_cast<int>(all.size()) + 5, 10, {}).networks.empty());
  CHECK(s.list_networks(kInvestigator, {}, 0, 0, {}).total == static_cast<std::int64_t>(all.size()));

  // min_risk as the job's [export] min_risk: exactly networks.csv.
  const auto summary = nlohmann::json::parse(read_file(f.run + "/summary.json"));
  api::NetworkFilter suspects;
  suspects.min_risk = summary["parameters"]["export"]["min_risk"].get<double>();
  const auto listed = all_networks(s, kInvestigator, suspects);
  const auto rows = read_csv_rows(f.run + "/networks.csv");
  REQUIRE(listed.size() == rows.size() - 1);
  REQUIRE(listed.size() >= 3);
  for (std::size_t i = 0; i < listed.size(); ++i) {
    const api::NetworkSummary& n = listed[i];
    CHECK(std::vector<std::string>{n.network, fixed4(n.risk), std::to_string(n.members), std::to_string(n.sellers),
                                   std::to_string(n.warehouses), std::to_string(n.accounts),
                                   std::to_string(n.evidence), joined(n.brands), n.reason, n.first_seen,
                                   n.lineage} == rows[i + 1]);
  }

  // Brand and member-count filters.
  const std::string brand = listed[0].brands.at(0);
  api::NetworkFilter by_brand;
  by_brand.brand = brand;
  std::size_t naming = 0;
  for (const auto& n : all) naming += std::count(n.brands.begin(), n.brands.end(), brand);
  const auto branded = all_networks(s, kInvestigator, by_brand);
  CHECK(branded.size() == naming);
  for (const auto& n : branded) CHECK(std::count(n.brands.begin(), n.brands.end(), brand) == 1);
  by_brand.brand = "no-such-brand";
  CHECK(s.list_networks(kInvestigator, by_brand, 0, 10, {}).total == 0);
  api::NetworkFilter sized;
  sized.min_members = 40;
  sized.max_members = 60;
  std::size_t in_range = 0;
  for (const auto& n : all) in_range += n.members >= 40 && n.members <= 60;
  const auto sized_list = all_networks(s, kInvestigator, sized);
  CHECK(sized_list.size() == in_range);
  for (const auto& n : sized_list) CHECK((n.members >= 40 && n.members <= 60));

  // Limits.
  Limits limits;
  limits.max_page = 50;
  api::BadRequest e = bad_request_of([&] { (void)s.list_networks(kInvestigator, {}, 0, 51, limits); });
  CHECK(e.parameter == "limit");
  CHECK(e.limit == 50);
  CHECK(e.message.find("50") != std::string::npos);
  CHECK(bad_request_of([&] { (void)s.list_networks(kInvestigator, {}, 0, -1, limits); }).parameter == "limit");
  CHECK(bad_request_of([&] { (void)s.list_networks(kInvestigator, {}, -1, 10, limits); }).parameter == "offset");
  CHECK(s.list_networks(kInvestigator, {}, 0, 50, limits).networks.size() == std::min<std::size_t>(50, all.size()));
}

TEST_CASE("service: a network's detail agrees with members.csv and targets.csv", "[service]") {
  const RunFixture& f = fixture();
  const RunSnapshot& s = *f.snapshot;
  std::map<std::string, std::vector<std::vector<std::string>>> members, targets;
  const auto member_rows = read_csv_rows(f.run + "/members.csv");
  for (std::size_t i = 1; i < member_rows.size(); ++i) members[member_rows[i][0]].push_back(member_rows[i]);
  const auto target_rows = read_csv_rows(f.run + "/targets.csv");
  for (std::size_t i = 1; i < target_rows.size(); ++i) targets[target_rows[i][1]].push_back(target_rows[i]);
  const auto networks = read_csv_rows(f.run + "/networks.csv");
  for (std::size_t row = 1; row < networks.size(); ++row) {
    const std::string& id = networks[row][0];
    INFO(id);
    const api::NetworkDetail d = s.network(kInvestigator, id, {});
    CHECK(d.summary.network == id);
    CHECK(fixed4(d.summary.risk) == networks[row][1]);
    REQUIRE(d.members.size() == members[id].size());
    for (std::size_t i = 0; i < d.members.size(); ++i) {
      const api::Member& m = d.members[i];
      CHECK(std::vector<std::string>{id, m.entity.kind, m.entity.id, m.role_hint, fixed4(m.risk)} == members[id][i]);
    }
    REQUIRE(d.targets.size() == targets[id].size());
    for (std::size_t i = 0; i < d.targets.size(); ++i) {
      const api::Target& t = d.targets[i];
      CHECK(std::vector<std::string>{std::to_string(t.rank), t.network, t.entity.kind, t.entity.id, fixed4(t.impact),
                                     t.reason} == targets[id][i]);
    }
    int evidence_rows = 0;
    for (const auto& e : d.evidence) evidence_rows += e.rows;
    CHECK(evidence_rows == d.summary.evidence);

    // Edges inside, per layer: from the members' neighbour lists.
    std::set<std::string> inside;
    for (const auto& m : d.members) inside.insert(key(m.entity));
    std::map<std::string, std::int64_t> arcs;
    for (const auto& m : d.members) {
      for (const auto& n : all_neighbours(s, kInvestigator, m.entity)) arcs[n.layer] += inside.count(key(n.entity));
    }
    REQUIRE(d.layers.size() == 4);
    const std::vector<std::string> order{"seller", "warehouse", "payment", "shipment"};
    for (std::size_t l = 0; l < 4; ++l) {
      CHECK(d.layers[l].layer == order[l]);
      CHECK(d.layers[l].edges * 2 == arcs[order[l]]);
    }
  }
  // Ids that are no network's: the old positional form, another id's
  // neighbour, the right form in capitals, not an id at all.
  std::string neighbour = networks[1][0];
  neighbour.back() = neighbour.back() == '0' ? '1' : '0';
  std::string capitals = networks[1][0];
  for (char& c : capitals) c = static_cast<char>(std::toupper(c));
  for (const std::string bad : {std::string("N00000"), std::string("N99999"), neighbour, capitals,
                                networks[1][0] + "0", std::string("bogus"), std::string("")}) {
    if (bad == networks[1][0]) continue;  // an id of digits only has no capitals
    CHECK_THROWS_AS(s.network(kInvestigator, bad, {}), api::NotFound);
  }
  // Every target row of targets.csv is there by rank.
  for (std::size_t i = 1; i < target_rows.size(); ++i) {
    const api::Target t = s.target(kInvestigator, std::stoi(target_rows[i][0]));
    CHECK(t.network == target_rows[i][1]);
    CHECK(t.entity.id == target_rows[i][3]);
  }
  CHECK_THROWS_AS(s.target(kInvestigator, 0), api::NotFound);
  CHECK_THROWS_AS(s.target(kInvestigator, 1000000), api::NotFound);
  const api::TargetPage page = s.targets(kInvestigator, 2, 5, {});
  CHECK(page.total >= static_cast<std::int64_t>(target_rows.size() - 1));
  REQUIRE(page.targets.size() == 5);
  CHECK(page.targets[0].rank == s.targets(kInvestigator, 0, 3, {}).targets[2].rank);
  CHECK(bad_request_of([&] { (void)s.targets(kInvestigator, 0, 1001, {}); }).limit == 1000);
}

TEST_CASE("service: an entity's neighbours come by layer, paged, each a real edge both ways", "[service]") {
  const RunFixture& f = fixture();
  const RunSnapshot& s = *f.snapshot;
  // A distributor of the most suspect network: a warehouse with links in several layers.
  const auto top = s.list_networks(kInvestigator, {}, 0, 1, {}).networks.at(0);
  const api::NetworkDetail d = s.network(kInvestigator, top.network, {});
  api::EntityRef busiest;
  std::int64_t most = -1;
  for (const auto& m : d.members) {
    const auto e = s.entity(kInvestigator, m.entity, 0, 0, {});
    CHECK(e.network == top.network);
    CHECK(e.role_hint == m.role_hint);
    CHECK(e.risk == m.risk);
    if (e.neighbours_total > most) {
      most = e.neighbours_total;
      busiest = m.entity;
    }
  }
  REQUIRE(most >= 5);
  const auto all = all_neighbours(s, kInvestigator, busiest);
  REQUIRE(static_cast<std::int64_t>(all.size()) == most);
  std::vector<std::string> paged;
  for (int offset = 0; offset < most; offset += 3) {
    const auto page = s.entity(kInvestigator, busiest, offset, 3, {});
    CHECK(page.neighbours_total == most);
    CHECK(page.neighbours_offset == offset);
    for (const auto& n : page.neighbours) paged.push_back(n.layer + "/" + key(n.entity));
  }
  REQUIRE(paged.size() == all.size());
  const std::vector<std::string> order{"seller", "warehouse", "payment", "shipment"};
  std::set<std::string> seen;
  for (std::size_t i = 0; i < all.size(); ++i) {
    CHECK(paged[i] == all[i].layer + "/" + key(all[i].entity));
    CHECK(seen.insert(paged[i]).second);
    if (i > 0) {
      const auto a = std::find(order.begin(), order.end(), all[i - 1].layer);
      const auto b = std::find(order.begin(), order.end(), all[i].layer);
      CHECK(a <= b);
    }
    // Symmetric: the neighbour lists this entity in the same layer with the same weight.
    bool back = false;
    for (const auto& n : all_neighbours(s, kInvestigator, all[i].entity)) {
      back = back || (key(n.entity) == key(busiest) && n.layer == all[i].layer && n.weight == all[i].weight);
    }
    CHECK(back);
  }
  CHECK_THROWS_AS(s.entity(kInvestigator, {}, 0, 10, {}), api::BadRequest);
  api::EntityRef missing;
  missing.kind = "seller";
  missing.id = "no-such-seller";
  CHECK_THROWS_AS(s.entity(kInvestigator, missing, 0, 10, {}), api::NotFound);
  missing.kind = "vertex";
  CHECK(bad_request_of([&] { (void)s.entity(kInvestigator, missing, 0, 10, {}); }).parameter == "kind");
  CHECK(bad_request_of([&] { (void)s.entity(kInvestigator, busiest, 0, 1001, {}); }).parameter == "neighbours_limit");
  CHECK(bad_request_of([&] { (void)s.entity(kInvestigator, busiest, -2, 10, {}); }).parameter == "neighbours_offset");
}

namespace {

// Checks that `r` holds shortest paths from a to b of r.hops steps, each
// step a real edge named by the first layer linking its ends, all distinct.
void check_paths(const RunSnapshot& s, const Scope& scope, const api::PathResult& r, const api::EntityRef& a,
                 const api::EntityRef& b) {
  std::set<std::string> distinct;
  for (const api::Path& p : r.paths) {
    REQUIRE(static_cast<int>(p.steps.size()) == r.hops);
    CHECK(key(p.steps.front().tail) == key(a));
    CHECK(key(p.steps.back().head) == key(b));
    std::string text;
    for (std::size_t i = 0; i < p.steps.size(); ++i) {
      const api::PathStep& step = p.steps[i];
      if (i > 0) CHECK(key(step.tail) == key(p.steps[i - 1].head));
      text += key(step.tail) + ">";
      // The first listing of the head among the tail's neighbours is in the
      // first layer linking them (lists go by layer).
      const auto neighbours = all_neighbours(s, scope, step.tail);
      const auto first = std::find_if(neighbours.begin(), neighbours.end(),
                                      [&](const api::Neighbour& n) { return key(n.entity) == key(step.head); });
      REQUIRE(first != neighbours.end());
      CHECK(first->layer == step.layer);
      CHECK(first->weight == step.weight);
    }
    CHECK(distinct.insert(text).second);
  }
}

// Hops of the shortest path from a to b through what `scope` sees, by a
// plain BFS over the service's own neighbour lists; -1 when none.
int bfs_hops(const RunSnapshot& s, const Scope& scope, const api::EntityRef& a, const api::EntityRef& b, int max) {
  std::map<std::string, int> dist{{key(a), 0}};
  std::vector<api::EntityRef> frontier{a};
  for (int d = 0; d < max && !frontier.empty(); ++d) {
    std::vector<api::EntityRef> next;
    for (const auto& u : frontier) {
      for (const auto& n : all_neighbours(s, scope, u)) {
        if (dist.emplace(key(n.entity), d + 1).second) next.push_back(n.entity);
      }
    }
    if (dist.count(key(b))) return dist[key(b)];
    frontier = std::move(next);
  }
  return dist.count(key(b)) ? dist[key(b)] : -1;
}

}  // namespace

TEST_CASE("service: paths inside a ring are real, shortest and bounded", "[service]") {
  const RunFixture& f = fixture();
  const RunSnapshot& s = *f.snapshot;
  const auto top = s.list_networks(kInvestigator, {}, 0, 1, {}).networks.at(0);
  const api::NetworkDetail d = s.network(kInvestigator, top.network, {});
  // From its first source to its last collector (or the last member).
  api::EntityRef a = d.members.front().entity, b = d.members.back().entity;
  for (const auto& m : d.members) {
    if (m.role_hint == "source") {
      a = m.entity;
      break;
    }
  }
  for (const auto& m : d.members) {
    if (m.role_hint == "collector") b = m.entity;
  }
  REQUIRE(key(a) != key(b));
  const api::PathResult r = s.paths(kInvestigator, a, b, 6, 16, {});
  REQUIRE(r.hops >= 1);
  REQUIRE(!r.paths.empty());
  CHECK(r.hops == bfs_hops(s, kInvestigator, a, b, 6));
  CHECK(r.visited >= r.hops + 1);
  check_paths(s, kInvestigator, r, a, b);
  // Deterministic, and the first paths are the same with fewer asked.
  const api::PathResult again = s.paths(kInvestigator, a, b, 6, 16, {});
  CHECK(again == r);
  const api::PathResult one = s.paths(kInvestigator, a, b, 6, 1, {});
  REQUIRE(one.paths.size() == 1);
  CHECK(one.paths[0] == r.paths[0]);
  // Reversed: the same number of paths.
  CHECK(s.paths(kInvestigator, b, a, 6, 16, {}).paths.size() == r.paths.size());

  // max_hops bounds the length.
  const api::PathResult short_of = s.paths(kInvestigator, a, b, r.hops - 1, 16, {});
  CHECK(short_of.paths.empty());
  CHECK(short_of.hops == 0);
  CHECK(s.paths(kInvestigator, a, b, r.hops, 16, {}).hops == r.hops);
  const api::PathResult self = s.paths(kInvestigator, a, a, 3, 4, {});
  CHECK(self.hops == 0);
  REQUIRE(self.paths.size() == 1);
  CHECK(self.paths[0].steps.empty());

  // Limits: the parameter and the bound are named.
  Limits limits;
  api::BadRequest e = bad_request_of([&] { (void)s.paths(kInvestigator, a, b, 7, 16, limits); });
  CHECK(e.parameter == "max_hops");
  CHECK(e.limit == 6);
  e = bad_request_of([&] { (void)s.paths(kInvestigator, a, b, 3, 17, limits); });
  CHECK(e.parameter == "max_paths");
  CHECK(e.limit == 16);
  CHECK(bad_request_of([&] { (void)s.paths(kInvestigator, a, b, -1, 16, limits); }).parameter == "max_hops");
  CHECK(bad_request_of([&] { (void)s.paths(kInvestigator, a, b, 3, -1, limits); }).parameter == "max_paths");
  limits.max_visited = 2;
  const api::PathResult gave_up = s.paths(kInvestigator, a, b, 6, 16, limits);
  CHECK(gave_up.paths.empty());
  CHECK(gave_up.visited > 2);
  limits.max_visited = 200000;
  limits.deadline = std::chrono::steady_clock::now() - std::chrono::milliseconds(1);
  CHECK_THROWS_AS(s.paths(kInvestigator, a, b, 6, 16, limits), api::ServerBusy);
  api::EntityRef missing = a;
  missing.id = "no-such-entity";
  CHECK_THROWS_AS(s.paths(kInvestigator, a, missing, 6, 16, {}), api::NotFound);
}

TEST_CASE("service: a brand's scope never reveals a network that does not name its brands", "[service]") {
  const RunFixture& f = fixture();
  const RunSnapshot& s = *f.snapshot;
  const auto everything = all_networks(s, kInvestigator);
  CHECK(everything.size() == s.num_networks());
  // The top network's first brand; some networks must not name it.
  const std::string brand = everything.at(0).brands.at(0);
  const Scope scope{false, {brand, "no-such-brand"}};
  std::set<std::string> visible, hidden;
  for (const auto& n : everything) {
    (std::count(n.brands.begin(), n.brands.end(), brand) ? visible : hidden).insert(n.network);
  }
  REQUIRE(!hidden.empty());
  REQUIRE(visible.size() >= 1);

  // Lists and direct lookups.
  const auto listed = all_networks(s, scope);
  CHECK(listed.size() == visible.size());
  CHECK(s.list_networks(scope, {}, 0, 1, {}).total == static_cast<std::int64_t>(visible.size()));
  for (const auto& n : listed) CHECK(visible.count(n.network) == 1);
  // A hidden network's id is refused exactly like an id nobody has.
  auto refusal = [&](const std::string& id) {
    try {
      (void)s.network(scope, id, {});
    } catch (const api::NotFound& e) {
      return e.message;
    }
    return std::string("found");
  };
  for (const std::string& id : hidden) CHECK(refusal(id) == "no network " + id);
  CHECK(refusal("N0123456789abcdef") == "no network N0123456789abcdef");
  // Ids are the same whoever asks, and a brand's list is the
  // investigator's list of its networks, in the same order.
  for (const std::string& id : visible) CHECK(s.network(scope, id, {}).summary == s.network(kInvestigator, id, {}).summary);
  std::vector<std::string> expected_order;
  for (const auto& n : everything) {
    if (visible.count(n.network)) expected_order.push_back(n.network);
  }
  std::vector<std::string> order;
  for (const auto& n : listed) order.push_back(n.network);
  CHECK(order == expected_order);

  // Entities: a hidden network's member is not found; a visible one's
  // neighbours are only visible entities, and its total counts only them.
  std::map<std::string, std::string> network_of;
  std::vector<api::EntityRef> visible_members;
  for (const auto& n : everything) {
    for (const auto& m : s.network(kInvestigator, n.network, {}).members) {
      network_of[key(m.entity)] = n.network;
      if (visible.count(n.network)) visible_members.push_back(m.entity);
    }
  }
  int hidden_checked = 0;
  for (const auto& [entity, network] : network_of) {
    if (!hidden.count(network) || ++hidden_checked > 50) continue;
    api::EntityRef ref;
    ref.kind = entity.substr(0, entity.find(':'));
    ref.id = entity.substr(entity.find(':') + 1);
    CHECK_THROWS_AS(s.entity(scope, ref, 0, 10, {}), api::NotFound);
    CHECK_THROWS_AS(s.paths(scope, visible_members.front(), ref, 6, 16, {}), api::NotFound);
    CHECK_THROWS_AS(s.paths(scope, ref, visible_members.front(), 6, 16, {}), api::NotFound);
  }
  CHECK(hidden_checked > 0);
  int with_hidden_neighbour = 0;
  for (const auto& m : visible_members) {
    const auto seen = all_neighbours(s, scope, m);
    std::size_t expected = 0;
    for (const auto& n : all_neighbours(s, kInvestigator, m)) {
      const bool shown = visible.count(network_of[key(n.entity)]) == 1;
      expected += shown;
      with_hidden_neighbour += !shown;
    }
    CHECK(seen.size() == expected);
    CHECK(s.entity(scope, m, 0, 1, {}).neighbours_total == static_cast<std::int64_t>(expected));
    for (const auto& n : seen) CHECK(visible.count(network_of[key(n.entity)]) == 1);
  }
  CHECK(with_hidden_neighbour > 0);  // the test means something

  // Paths between visible members never step on a hidden entity, and are
  // never shorter than the investigator's.
  int compared = 0;
  for (std::size_t i = 0; i + 7 < visible_members.size() && compared < 20; i += 7, ++compared) {
    const auto& a = visible_members[i];
    const auto& b = visible_members[visible_members.size() - 1 - i];
    if (key(a) == key(b)) continue;
    const api::PathResult mine = s.paths(scope, a, b, 6, 16, {});
    const api::PathResult all = s.paths(kInvestigator, a, b, 6, 16, {});
    if (!mine.paths.empty()) CHECK(mine.hops >= all.hops);
    CHECK(mine.hops == std::max(0, bfs_hops(s, scope, a, b, 6)));
    check_paths(s, scope, mine, a, b);
    for (const auto& p : mine.paths) {
      for (const auto& step : p.steps) CHECK(visible.count(network_of[key(step.head)]) == 1);
    }
  }

  // Targets: only visible networks', in the global order, ranked 1..k over
  // those alone (a global rank would tell how many are hidden before it).
  const api::TargetPage all_targets = s.targets(kInvestigator, 0, 1000, {});
  std::int64_t expected_targets = 0;
  for (api::Target t : all_targets.targets) {
    if (!visible.count(t.network)) continue;
    t.rank = static_cast<std::int32_t>(++expected_targets);
    CHECK(s.target(scope, t.rank) == t);
  }
  CHECK_THROWS_AS(s.target(scope, static_cast<int>(expected_targets) + 1), api::NotFound);
  const api::TargetPage mine = s.targets(scope, 0, 1000, {});
  CHECK(mine.total == expected_targets);
  for (std::size_t i = 0; i < mine.targets.size(); ++i) {
    CHECK(visible.count(mine.targets[i].network) == 1);
    CHECK(mine.targets[i].rank == static_cast<std::int32_t>(i + 1));
  }
  // A visible network's own targets carry the brand's ranks too.
  for (const std::string& id : visible) {
    for (const api::Target& t : s.network(scope, id, {}).targets) CHECK(s.target(scope, t.rank) == t);
  }
  // And the run's totals are the brand's.
  const api::RunInfo info = s.run_info(scope);
  CHECK(info.networks == static_cast<std::int64_t>(visible.size()));
  std::int64_t members = 0;
  for (const auto& n : listed) members += n.members;
  CHECK(info.entities == members);
  CHECK(info.entities < s.run_info(kInvestigator).entities);

  // A token with no known brand sees nothing; an investigator everything.
  const Scope nobody{false, {"no-such-brand"}};
  CHECK(s.list_networks(nobody, {}, 0, 10, {}).total == 0);
  CHECK(s.targets(nobody, 0, 10, {}).total == 0);
  CHECK_THROWS_AS(s.entity(nobody, visible_members.front(), 0, 10, {}), api::NotFound);
  CHECK(s.targets(kInvestigator, 0, 0, {}).total == static_cast<std::int64_t>(all_targets.targets.size()));
}

// Not run by default: loads the run in $SOURCETRACE_SNAPSHOT_RUN, reports
// the resident memory before and after and a few query times
// (`SOURCETRACE_SNAPSHOT_RUN=RUN sourcetrace_tests "[.memory]"`).
// Two nights of a market run as a chain: changes and alerts as the CSVs
// list them, and for a brand as `export --brand` lists them.
TEST_CASE("service: changes and alerts of a chained run, for everyone and for a brand", "[service]") {
  TempDir tmp;
  REQUIRE(run_sourcetrace({"generate", tmp / "m", "--sellers", "6000", "--seed", "3", "--vary", "--nights", "2"})
              .exit_code == 0);
  REQUIRE(run_sourcetrace({"run", tmp / "m/night-0", "--out", tmp / "r0"}).exit_code == 0);
  REQUIRE(run_sourcetrace({"run", tmp / "m/night-1", "--out", tmp / "r1", "--previous", tmp / "r0"}).exit_code == 0);
  auto loaded = RunSnapshot::load(tmp / "r1");
  REQUIRE(loaded.is_ok());
  const RunSnapshot& s = *loaded.value();

  auto change_rows = [](const api::ChangePage& page) {
    std::vector<std::vector<std::string>> out;
    for (const api::NetworkChange& c : page.changes) {
      out.push_back({c.network, c.change, joined(c.others), std::to_string(c.members_before),
                     std::to_string(c.members_after), fixed4(c.risk_before), fixed4(c.risk_after),
                     std::to_string(c.new_evidence)});
    }
    return out;
  };
  auto alert_rows = [](const api::AlertPage& page) {
    std::vector<std::vector<std::string>> out;
    for (const api::Alert& a : page.alerts) {
      out.push_back({std::to_string(a.rank), a.alert, a.network, a.entity.kind, a.entity.id, fixed4(a.risk), a.reason});
    }
    return out;
  };
  auto csv_body = [](const std::string& path) {
    auto rows = read_csv_rows(path);
    rows.erase(rows.begin());
    return rows;
  };
  const api::ChangePage changes = s.changes(kInvestigator, 0, 1000, {});
  CHECK(changes.previous_run == "r0");
  CHECK(changes.total == static_cast<std::int64_t>(changes.changes.size()));
  REQUIRE(changes.total > 0);
  CHECK(change_rows(changes) == csv_body(tmp / "r1/changes.csv"));
  const api::AlertPage alerts = s.alerts(kInvestigator, 0, 1000, {});
  REQUIRE(alerts.total > 0);
  CHECK(alert_rows(alerts) == csv_body(tmp / "r1/alerts.csv"));
  // Paged: the second item alone is the second of the whole list.
  CHECK(change_rows(s.changes(kInvestigator, 1, 1, {})) ==
        std::vector<std::vector<std::string>>{change_rows(changes)[1]});
  CHECK_THROWS_AS(s.alerts(kInvestigator, -1, 10, {}), api::BadRequest);
  CHECK_THROWS_AS(s.changes(kInvestigator, 0, 100000, {}), api::BadRequest);
  // A network's detail carries its change.
  const api::NetworkDetail detail = s.network(kInvestigator, changes.changes[0].network, {});
  REQUIRE(detail.changes.size() == 1);
  CHECK(detail.changes[0].change == changes.changes[0].change);

  // A brand: what its export lists, ranks 1..k, nothing of networks it cannot see.
  const std::string brand = [&] {
    for (const auto& row : csv_body(tmp / "r1/networks.csv")) {
      if (!row[7].empty()) return row[7].substr(0, row[7].find(';'));
    }
    return std::string();
  }();
  REQUIRE_FALSE(brand.empty());
  REQUIRE(run_sourcetrace({"export", tmp / "r1", "--out", tmp / "brand", "--brand", brand}).exit_code == 0);
  const Scope scope{false, {brand}};
  CHECK(change_rows(s.changes(scope, 0, 1000, {})) == csv_body(tmp / "brand/changes.csv"));
  const api::AlertPage brand_alerts = s.alerts(scope, 0, 1000, {});
  CHECK(alert_rows(brand_alerts) == csv_body(tmp / "brand/alerts.csv"));
  CHECK(brand_alerts.total <= alerts.total);
  std::set<std::string> seen;
  for (const auto& n : all_networks(s, scope)) seen.insert(n.network);
  for (const api::NetworkChange& c : s.changes(scope, 0, 1000, {}).changes) {
    CHECK(seen.contains(c.network));
    for (const std::string& other : c.others) CHECK(seen.contains(other));
  }
  for (const api::Alert& a : brand_alerts.alerts) CHECK(seen.contains(a.network));
  // A brand naming nothing sees no change and no alert.
  const Scope nobody{false, {"no-such-brand"}};
  CHECK(s.changes(nobody, 0, 10, {}).total == 0);
  CHECK(s.alerts(nobody, 0, 10, {}).total == 0);
}

TEST_CASE("service: snapshot memory and query times on a large run", "[.memory]") {
  const char* run = std::getenv("SOURCETRACE_SNAPSHOT_RUN");
  if (run == nullptr) {
    WARN("set SOURCETRACE_SNAPSHOT_RUN to a run folder to measure");
    return;
  }
  auto status_kb = [](const std::string& field) {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
      if (line.rfind(field, 0) == 0) return std::stol(line.substr(field.size()));
    }
    return 0L;
  };
  auto rss_kb = [&] { return status_kb("VmRSS:"); };
  const long before = rss_kb();
  const auto start = std::chrono::steady_clock::now();
  auto loaded = RunSnapshot::load(run);
  REQUIRE(loaded.is_ok());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const long after = rss_kb();
  const RunSnapshot& s = *loaded.value();
  WARN("entities " << s.num_entities() << ", networks " << s.num_networks() << ", load " << seconds << " s; RSS "
                   << before / 1024 << " MiB before, " << after / 1024 << " MiB after; held " << s.bytes() / 1048576
                   << " MiB = " << static_cast<double>(s.bytes()) / s.num_entities() << " B/entity; RSS growth "
                   << (after - before) * 1024.0 / s.num_entities() << " B/entity; peak RSS while loading "
                   << status_kb("VmHWM:") / 1024 << " MiB");

  // Query times: each call repeated, the mean in microseconds.
  auto micros = [](int repeat, const std::function<void()>& call) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < repeat; ++i) call();
    return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / repeat;
  };
  const auto top = s.list_networks(kInvestigator, {}, 0, 1, {}).networks.at(0);
  const api::NetworkDetail d = s.network(kInvestigator, top.network, {});
  const api::EntityRef a = d.members.front().entity, b = d.members.back().entity;
  const Scope brand{false, {top.brands.at(0)}};
  api::PathResult far;
  api::EntityRef first_seller;
  first_seller.kind = "seller";
  first_seller.id = s.network(kInvestigator, all_networks(s, kInvestigator).back().network, {}).members.front().entity.id;
  WARN("list_networks(100) " << micros(200, [&] { (void)s.list_networks(kInvestigator, {}, 0, 100, {}); })
       << " us, brand scope " << micros(200, [&] { (void)s.list_networks(brand, {}, 0, 100, {}); })
       << " us; network " << micros(50, [&] { (void)s.network(kInvestigator, top.network, {}); })
       << " us; entity " << micros(1000, [&] { (void)s.entity(kInvestigator, a, 0, 100, {}); })
       << " us; paths in a ring " << micros(100, [&] { (void)s.paths(kInvestigator, a, b, 6, 16, {}); })
       << " us (brand scope " << micros(100, [&] { (void)s.paths(brand, a, b, 6, 16, {}); })
       << " us); paths across the market "
       << micros(10, [&] { far = s.paths(kInvestigator, first_seller, a, 6, 16, {}); }) << " us ("
       << far.visited << " visited, " << far.hops << " hops); targets(100) "
       << micros(200, [&] { (void)s.targets(kInvestigator, 0, 100, {}); }) << " us");
}
