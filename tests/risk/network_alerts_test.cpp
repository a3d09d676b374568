// Network alerts on a small planted night: each kind fires where it
// should (a fresh storefront joining a suspect ring, a new suspect
// network, growth, a risk that rose, new evidence), ranked by risk; a
// quiet night fires nothing; nothing fires below the minimum risk.
#include <catch2/catch.hpp>
#include <algorithm>

#include "sourcetrace/risk/network_alerts.hpp"

using namespace sourcetrace;
using namespace sourcetrace::risk;

namespace {

struct Night {
  graph::MarketGraph graph;
  std::vector<std::uint32_t> network_of;
  std::vector<double> weight, risk;

  NightNetworks view() const { return {&graph.entities, network_of, weight, risk.size()}; }
  graph::VertexId vertex(std::string_view key) const {
    for (graph::VertexId v = 0; v < graph.num_entities(); ++v) {
      if (graph.key(v) == key) return v;
    }
    FAIL("no entity " << key);
    return 0;
  }
  void evidence(std::string_view key, tables::Day day) {
    graph.evidence.entity.push_back(vertex(key));
    graph.evidence.signal.push_back(0);
    graph.evidence.brand.push_back(0);
    graph.evidence.day.push_back(day);
    graph.evidence.reporter.push_back(0);
  }
};

// Sellers by network; `opened` gives some of them a created_on date.
Night night(const std::vector<std::vector<std::string>>& networks, std::vector<double> risk,
            const std::vector<std::pair<std::string, tables::Day>>& opened = {}) {
  Night n;
  for (std::size_t c = 0; c < networks.size(); ++c) {
    for (const std::string& key : networks[c]) {
      n.graph.entities.tags.push_back(static_cast<std::uint8_t>(EntityKind::kSeller));
      n.graph.entities.bytes += key;
      n.graph.entities.offsets.push_back(n.graph.entities.bytes.size());
      n.graph.created_on.push_back(tables::kNoDay);
      n.graph.region.push_back(0);
      n.network_of.push_back(static_cast<std::uint32_t>(c));
      n.weight.push_back(1.0);
    }
  }
  for (const auto& [key, day] : opened) n.graph.created_on[n.vertex(key)] = day;
  n.risk = std::move(risk);
  return n;
}

std::vector<NetworkState> states(const Night& n) {
  std::vector<NetworkState> out(n.risk.size());
  for (std::uint32_t c : n.network_of) ++out[c].members;
  for (std::size_t c = 0; c < n.risk.size(); ++c) out[c].risk = n.risk[c];
  return out;
}

// Tonight's alerts against `before`, as the track stage draws them.
std::vector<Alert> alerts(const Night& before, const Night& after, const AlertOptions& options = {}) {
  const Succession first = start_chain(before.view(), "k", 100);
  const Succession s = continue_chain(before.view(), first.networks, first.chain, after.view(), 110, LineageOptions{});
  std::vector<std::uint32_t> fresh_evidence(after.risk.size(), 0);
  for (std::size_t i = 0; i < after.graph.evidence.size(); ++i) {
    if (after.graph.evidence.day[i] > 100) ++fresh_evidence[after.network_of[after.graph.evidence.entity[i]]];
  }
  const auto changes = network_changes(s, first.networks, states(before), states(after), fresh_evidence, 0.2, {});
  return network_alerts({&after.graph, after.network_of, after.risk, &s, first.networks, before.network_of, changes,
                         110, 100, 0.2, ChangeOptions{}},
                        options);
}

}  // namespace

TEST_CASE("alerts: each kind fires on a planted night, ranked by risk", "[risk][alerts]") {
  const std::vector<std::string> a{"a1", "a2", "a3", "a4", "a5"}, b{"b1", "b2", "b3", "b4", "b5"};
  const Night before = night({a, b, {"l1", "l2", "l3"}}, {0.8, 0.3, 0.05});
  // Tonight: A gains a6, new to the market, opened 3 days before the run,
  // and two new reports; B's risk rose; N is a new suspect network; the
  // legitimate L grew a lot but stays below the minimum risk; l4 opened
  // yesterday, joined L.
  std::vector<std::string> a_tonight = a;
  a_tonight.push_back("a6");
  Night after = night({a_tonight, b, {"n1", "n2", "n3", "n4"}, {"l1", "l2", "l3", "l4", "l5", "l6"}},
                      {0.8, 0.5, 0.6, 0.05}, {{"a6", 107}, {"a1", 20}, {"l4", 109}});
  after.evidence("a2", 105);
  after.evidence("a3", 108);
  after.evidence("b1", 90);  // before the previous run: not new

  const std::vector<Alert> got = alerts(before, after);
  REQUIRE(got.size() == 5);
  // A (risk 0.8): the early warning on a6 first, then grown, then new evidence.
  CHECK(got[0].kind == AlertKind::kEarlyWarning);
  CHECK(got[0].entity == after.vertex("a6"));
  CHECK(got[0].reason.find("seller a6 opened 1970-04-18 (3 days before 1970-04-21)") != std::string::npos);
  CHECK(got[1].kind == AlertKind::kGrown);
  CHECK(got[1].reason == "1 entity new to the market joined since 1970-04-11 (6 members, 5 before)");
  CHECK(got[2].kind == AlertKind::kNewEvidence);
  CHECK(got[2].reason == "2 new evidence rows since 1970-04-11");
  for (int i : {0, 1, 2}) CHECK(got[i].network == got[0].network);
  // N (0.6): new. B (0.5): its risk rose by 0.2.
  CHECK(got[3].kind == AlertKind::kNewNetwork);
  CHECK(got[3].reason == "a new network of 4 members at risk 0.60");
  CHECK(got[4].kind == AlertKind::kRiskRose);
  CHECK(got[4].reason == "risk rose from 0.30 to 0.50 since 1970-04-11");
  CHECK(got[4].entity == Alert::kNoEntity);

  // A smaller rise than risk_rise, a fresh window that a6 is outside of.
  AlertOptions strict;
  strict.risk_rise = 0.25;
  strict.fresh_days = 2;
  const std::vector<Alert> fewer = alerts(before, after, strict);
  CHECK(fewer.size() == 3);
  CHECK(std::none_of(fewer.begin(), fewer.end(), [](const Alert& x) {
    return x.kind == AlertKind::kEarlyWarning || x.kind == AlertKind::kRiskRose;
  }));
}

TEST_CASE("alerts: a quiet night fires nothing", "[risk][alerts]") {
  const Night before = night({{"a1", "a2", "a3"}, {"b1", "b2"}}, {0.8, 0.1}, {{"a3", 99}});
  Night after = night({{"a1", "a2", "a3"}, {"b1", "b2"}}, {0.8, 0.1}, {{"a3", 99}});
  after.evidence("a1", 95);  // dated before the previous run
  CHECK(alerts(before, after).empty());
  // A fresh member already there last night is no news either (a3, opened
  // 11 days before tonight's run, within a 14-day window).
  AlertOptions wide;
  wide.fresh_days = 30;
  CHECK(alerts(before, after, wide).empty());
}

TEST_CASE("alerts: options out of range are refused", "[risk][alerts]") {
  CHECK(validate(AlertOptions{}).is_ok());
  CHECK_FALSE(validate(AlertOptions{-1, 0.1}).is_ok());
  CHECK_FALSE(validate(AlertOptions{14, 0}).is_ok());
}
