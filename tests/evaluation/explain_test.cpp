// eval --explain on a hand-made truth and run: each ring is built to meet a
// different fate, and each network that is no ring to be a different thing,
// so a wrong decision order or threshold names the wrong failure.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "../support/test_env.hpp"
#include "sourcetrace/evaluation/explain.hpp"
#include "sourcetrace/evaluation/run_outputs.hpp"

using namespace sourcetrace::evaluation;
using sourcetrace::EntityKind;
using sourcetrace::risk::Role;

namespace {

EntityKey seller(const std::string& id) { return {EntityKind::kSeller, id}; }

// One entity of the hand-made run: its truth, community and cut network.
struct Placed {
  std::string id, ring;
  std::uint32_t community, network;
  LookAlike group = LookAlike::kNone;
};

// Six rings of four sellers each, R1 … R6, and legitimate sellers l…, m…:
//   R1 exported whole as N1                               → found
//   R2 inside N2 with six legitimate sellers (4 of 10)    → merged
//   R3 c1 in N3, c2 in N4, c3 and c4 in unexported pieces → split
//   R4 cut whole as X6 with l9, never exported            → below_min_risk
//   R5 one community; e1 e2 in its rest, e3 e4 in two small lines → not_cut_out
//   R6 one seller in each of four communities             → scattered
// N5 holds a hub and its sellers, N6 a multi-store business.
std::vector<Placed> hand_made_run() {
  std::vector<Placed> p;
  for (int i = 1; i <= 4; ++i) p.push_back({"a" + std::to_string(i), "R1", 0, 0});
  for (int i = 1; i <= 4; ++i) p.push_back({"b" + std::to_string(i), "R2", 1, 1});
  for (int i = 1; i <= 6; ++i) p.push_back({"l" + std::to_string(i), "", 1, 1});
  p.push_back({"c1", "R3", 2, 2});
  p.push_back({"l7", "", 2, 2});
  p.push_back({"c2", "R3", 3, 3});
  p.push_back({"l8", "", 3, 3});
  p.push_back({"c3", "R3", 4, 4});
  p.push_back({"c4", "R3", 5, 5});
  for (int i = 1; i <= 4; ++i) p.push_back({"d" + std::to_string(i), "R4", 6, 6});
  p.push_back({"l9", "", 6, 6});
  p.push_back({"e1", "R5", 7, 7});
  p.push_back({"e2", "R5", 7, 7});
  p.push_back({"e3", "R5", 7, 8});
  p.push_back({"e4", "R5", 7, 9});
  for (std::uint32_t i = 1; i <= 4; ++i) p.push_back({"f" + std::to_string(i), "R6", 7 + i, 9 + i});
  p.push_back({"l10", "", 12, 14, LookAlike::kHub});
  for (int i = 11; i <= 13; ++i) p.push_back({"l" + std::to_string(i), "", 12, 14});
  for (int i = 1; i <= 3; ++i) p.push_back({"m" + std::to_string(i), "", 13, 15, LookAlike::kMultiStore});
  return p;
}

}  // namespace

TEST_CASE("evaluation: explain names the stage at which each ring was lost", "[evaluation][fast]") {
  const std::vector<Placed> placed = hand_made_run();
  std::vector<TruthEntry> entries;
  RunInternals in;
  in.network_name = {"N1", "N2", "N3", "N4", "X4", "X5", "X6", "X7", "X8", "X9",
                     "X10", "X11", "X12", "X13", "N5", "N6"};
  in.network_risk.assign(in.network_name.size(), 0.5);
  in.network_risk[6] = 0.1;
  in.network_is_rest.assign(in.network_name.size(), false);
  in.network_is_rest[7] = true;
  for (const Placed& x : placed) {
    entries.push_back({seller(x.id), x.ring, x.ring.empty() ? Role::kLegit : Role::kStorefront, x.group, false});
    in.entity.push_back(seller(x.id));
    in.community.push_back(x.community);
    in.network.push_back(x.network);
    in.has_evidence.push_back(x.id == "a1" || x.id == "d2");
  }
  const TruthIndex truth(entries);
  // Exported in this order (most suspect first): N1 … N6, the members of
  // cut networks of the same name.
  std::vector<OutputNetwork> exported;
  for (const std::string name : {"N1", "N2", "N3", "N4", "N5", "N6"}) {
    OutputNetwork n{name, {}};
    for (std::size_t v = 0; v < placed.size(); ++v) {
      if (in.network_name[in.network[v]] == name) n.members.push_back(seller(placed[v].id));
    }
    exported.push_back(n);
  }

  const Explanation x = explain(truth, exported, in);
  REQUIRE(x.rings.size() == 6);
  CHECK(x.rings[0].ring == "R1");
  CHECK(x.rings[0].fate == RingFate::kFound);
  CHECK(x.rings[0].piece.name == "N1");
  CHECK(x.rings[0].best_jaccard == Approx(1.0));
  CHECK(x.rings[0].with_evidence == 1);

  CHECK(x.rings[1].fate == RingFate::kMerged);
  CHECK(x.rings[1].piece.name == "N2");
  CHECK(x.rings[1].piece.legit == 6);
  CHECK(x.rings[1].best_jaccard == Approx(0.4));

  CHECK(x.rings[2].fate == RingFate::kSplit);
  CHECK(x.rings[2].pieces == 2);

  CHECK(x.rings[3].fate == RingFate::kBelowMinRisk);
  CHECK(x.rings[3].piece.name == "X6");
  CHECK(x.rings[3].piece.risk == Approx(0.1));
  CHECK(x.rings[3].piece.legit == 1);
  CHECK_FALSE(x.rings[3].piece.exported);

  CHECK(x.rings[4].fate == RingFate::kNotCutOut);
  CHECK(x.rings[4].piece.name == "community 7");
  CHECK(x.rings[4].in_rest == 2);
  CHECK(x.rings[4].pieces == 2);

  CHECK(x.rings[5].fate == RingFate::kScattered);
  CHECK(x.rings[5].pieces == 4);

  for (int f = 0; f < kRingFates; ++f) CHECK(x.fates[f] == 1);

  // Every exported network is taken (24 ring entities, 25 members in all);
  // all but N1 match no ring.
  CHECK(x.networks_taken == 6);
  REQUIRE(x.networks.size() == 5);
  CHECK(x.networks[0].network == "N2");
  CHECK(x.networks[0].what == "legitimate sellers with 4 ring entities");
  CHECK(x.networks[1].network == "N3");
  CHECK(x.networks[1].what.rfind("part of ring R3", 0) == 0);
  CHECK(x.networks[3].network == "N5");
  CHECK(x.networks[3].what == "hub community");
  CHECK(x.networks[4].network == "N6");
  CHECK(x.networks[4].what == "legitimate multi-store business");

  const std::string text = format_explanation(x);
  CHECK(text.find("R4 (4 entities, 4 storefronts, 1 with evidence): below_min_risk: X6 holds 4 of 4") !=
        std::string::npos);
  CHECK(text.find("R5 (4 entities, 4 storefronts, 0 with evidence): not_cut_out: community 7 holds 4 of 4") !=
        std::string::npos);
}

TEST_CASE("evaluation: eval --explain reads a run folder and refuses one without stage files",
          "[evaluation][fast]") {
  using namespace sourcetrace::testing;
  TempDir tmp;
  const fs::path data = tmp / "market", run = tmp / "run";
  REQUIRE(run_sourcetrace({"generate", data, "--sellers", "2000", "--seed", "3"}).exit_code == 0);
  CommandResult ran = run_sourcetrace({"run", data, "--out", run});
  INFO(ran.err);
  REQUIRE(ran.exit_code == 0);
  CommandResult text = run_sourcetrace({"eval", run, "--truth", data / "truth.csv", "--dataset", data, "--explain"});
  INFO(text.err);
  REQUIRE(text.exit_code == 0);
  CHECK(text.out.rfind("rings: 4 — found ", 0) == 0);
  CHECK(text.out.find("R0001 (") != std::string::npos);
  CommandResult json =
      run_sourcetrace({"eval", run, "--truth", data / "truth.csv", "--dataset", data, "--explain", "--json"});
  REQUIRE(json.exit_code == 0);
  const nlohmann::json j = nlohmann::json::parse(json.out);
  CHECK(j["explain"]["rings"].size() == 4);
  CHECK(j["members_precision"].is_number());

  fs::remove(run / "risk.h5");
  CommandResult missing = run_sourcetrace({"eval", run, "--truth", data / "truth.csv", "--dataset", data, "--explain"});
  CHECK(missing.exit_code == 66);
  CHECK(missing.err.find("risk.h5: no such file") != std::string::npos);
}
