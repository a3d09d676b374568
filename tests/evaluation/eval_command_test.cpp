// `sourcetrace eval` as a user runs it: a tiny run's exports, truth and
// dataset in, JSON out; missing and broken files refused with their name.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "../support/test_env.hpp"

using namespace sourcetrace::testing;

namespace {

// One ring R1: sources F1 F2 → distributor D1 → storefronts S1 S2,
// collector C1; legit seller L1.
//   members: budget 6; N1 holds 4, N2 crosses to 7 → precision 6/7, recall 1.
//   Jaccard: R1 vs N1 3/7, vs N2 3/6 = 0.5 → mean 0.5, found 1 (0.5 counts).
//   targets: k = 4 (2 sources, 1 distributor, 1 collector); F1 L1 S1 → 1/4.
//   supply cut: ks = 3, removed F1 L1 S1; D1→S1 30 cut (storefront),
//   D1→S2 10 not (F2 still feeds D1) → 30/40.
//   fresh: S2 (ring) taken in N2 → 1/1; controls L1 (taken in N1) and L2
//   (a multi-store business's, in no network) → 1/2.
void write_tiny_run(const TempDir& tmp) {
  fs::create_directories(tmp / "out");
  fs::create_directories(tmp / "data");
  write_file(tmp / "truth.csv",
             "kind,id,ring,role,group,fresh\n"
             "warehouse,F1,R1,source,,\nwarehouse,F2,R1,source,,\nwarehouse,D1,R1,distributor,,0\n"
             "seller,S1,R1,storefront,,\nseller,S2,R1,storefront,,1\naccount,C1,R1,collector,,\n"
             "seller,L1,,legit,,1\nseller,L2,,legit,multi_store,1\n");
  write_file(tmp / "out/networks.csv",
             "network,risk,members,sellers,warehouses,accounts,evidence,brands,reason\n"
             "N1,0.9,4,2,2,0,1,,shared warehouse\n"
             "N2,0.5,3,1,1,1,0,,\"payments, devices\"\n");
  write_file(tmp / "out/members.csv",
             "network,kind,id,role_hint,risk\n"
             "N1,warehouse,F1,source,0.9\nN1,warehouse,D1,distributor,0.9\nN1,seller,S1,storefront,0.8\n"
             "N1,seller,L1,storefront,0.2\n"
             "N2,warehouse,F2,source,0.5\nN2,seller,S2,storefront,0.5\nN2,account,C1,collector,0.4\n");
  write_file(tmp / "out/targets.csv",
             "rank,network,kind,id,impact,reason\n"
             "1,N1,warehouse,F1,0.5,only source\n2,N1,seller,L1,0.6,storefront\n3,N1,seller,S1,0.7,storefront\n");
  write_file(tmp / "data/shipments.csv",
             "shipment,origin_kind,origin,destination_kind,destination,units,shipped_on\n"
             "P1,warehouse,F1,warehouse,D1,10,2024-01-02\n"
             "P2,warehouse,F2,warehouse,D1,10,2024-01-03\n"
             "P3,warehouse,D1,seller,S1,20,2024-01-04\n"
             "P4,warehouse,D1,seller,S1,10,2024-01-05\n"
             "P5,warehouse,D1,seller,S2,10,2024-01-05\n"
             "P6,warehouse,F2,seller,L1,99,2024-01-06\n");
}

CommandResult eval(const TempDir& tmp) {
  return run_sourcetrace({"eval", tmp / "out", "--truth", tmp / "truth.csv", "--dataset", tmp / "data"});
}

}  // namespace

TEST_CASE("evaluation: eval prints every metric as JSON", "[evaluation][fast]") {
  TempDir tmp;
  write_tiny_run(tmp);
  CommandResult r = eval(tmp);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  nlohmann::json j = nlohmann::json::parse(r.out);
  CHECK(j["members_precision"].get<double>() == Approx(6.0 / 7.0));
  CHECK(j["members_recall"].get<double>() == Approx(1.0));
  CHECK(j["networks_taken"] == 2);
  CHECK(j["ring_entities"] == 6);
  CHECK(j["mean_ring_jaccard"].get<double>() == Approx(0.5));
  CHECK(j["rings"] == 1);
  CHECK(j["rings_found"].get<double>() == Approx(1.0));
  CHECK(j["targets_precision"].get<double>() == Approx(0.25));
  CHECK(j["k"] == 4);
  CHECK(j["supply_cut"].get<double>() == Approx(0.75));
  CHECK(j["ks"] == 3);
  CHECK(j["counterfeit_units"].get<double>() == Approx(40.0));
  CHECK(j["fresh_caught"].get<double>() == Approx(1.0));
  CHECK(j["fresh_ring_entities"] == 1);
  CHECK(j["fresh_controls_caught"].get<double>() == Approx(0.5));
  CHECK(j["fresh_controls"] == 2);
  CHECK(j["notes"].dump() == "[]");
  // The keys in the documented order.
  CHECK(r.out.find("\"members_precision\"") < r.out.find("\"counterfeit_units\""));
}

TEST_CASE("evaluation: eval reports null, with a note, where there is nothing to measure", "[evaluation][fast]") {
  TempDir tmp;
  write_tiny_run(tmp);
  write_file(tmp / "data/shipments.csv",
             "shipment,origin_kind,origin,destination_kind,destination,units,shipped_on\n"
             "P6,warehouse,F2,seller,L1,99,2024-01-06\n");
  CommandResult r = eval(tmp);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  nlohmann::json j = nlohmann::json::parse(r.out);
  CHECK(j["supply_cut"].is_null());
  CHECK(j["counterfeit_units"].get<double>() == 0.0);
  REQUIRE(j["notes"].size() == 1);
  CHECK(j["notes"][0].get<std::string>().rfind("supply_cut is null", 0) == 0);
}

TEST_CASE("evaluation: eval refuses missing and broken files, naming them", "[evaluation][fast]") {
  TempDir tmp;
  write_tiny_run(tmp);

  SECTION("missing members.csv: 66") {
    fs::remove(tmp / "out/members.csv");
    CommandResult r = eval(tmp);
    CHECK(r.exit_code == 66);
    CHECK(r.err.find("members.csv") != std::string::npos);
    CHECK(r.out.empty());
  }
  SECTION("missing truth: 66") {
    fs::remove(tmp / "truth.csv");
    CommandResult r = eval(tmp);
    CHECK(r.exit_code == 66);
    CHECK(r.err.find("truth.csv") != std::string::npos);
  }
  SECTION("missing shipments: 66") {
    fs::remove(tmp / "data/shipments.csv");
    CommandResult r = eval(tmp);
    CHECK(r.exit_code == 66);
    CHECK(r.err.find("shipments.csv") != std::string::npos);
  }
  SECTION("an entity in two networks: 65 with file and line") {
    write_file(tmp / "out/members.csv",
               "network,kind,id,role_hint,risk\nN1,warehouse,F1,source,0.9\nN2,warehouse,F1,source,0.5\n");
    CommandResult r = eval(tmp);
    CHECK(r.exit_code == 65);
    CHECK(r.err.find("members.csv:3: warehouse 'F1' is already a member of network 'N1'") != std::string::npos);
  }
  SECTION("a member of an unlisted network: 65") {
    write_file(tmp / "out/members.csv", "network,kind,id,role_hint,risk\nN9,warehouse,F1,source,0.9\n");
    CommandResult r = eval(tmp);
    CHECK(r.exit_code == 65);
    CHECK(r.err.find("members.csv:2: column 'network': not in networks.csv ('N9')") != std::string::npos);
  }
  SECTION("ranks out of order: 65") {
    write_file(tmp / "out/targets.csv",
               "rank,network,kind,id,impact,reason\n2,N1,warehouse,F1,0.5,x\n1,N1,seller,S1,0.6,y\n");
    CommandResult r = eval(tmp);
    CHECK(r.exit_code == 65);
    CHECK(r.err.find("targets.csv:3: column 'rank'") != std::string::npos);
  }
  SECTION("an unknown role in the truth: 65") {
    write_file(tmp / "truth.csv", "kind,id,ring,role\nwarehouse,F1,R1,factory\n");
    CommandResult r = eval(tmp);
    CHECK(r.exit_code == 65);
    CHECK(r.err.find("truth.csv:2: column 'role': unknown role") != std::string::npos);
  }
  SECTION("an unknown group in the truth: 65") {
    write_file(tmp / "truth.csv", "kind,id,ring,role,group\nseller,L1,,legit,chain\n");
    CommandResult r = eval(tmp);
    CHECK(r.exit_code == 65);
    CHECK(r.err.find("truth.csv:2: column 'group': unknown group") != std::string::npos);
  }
  SECTION("a truth without the optional columns: fresh figures null, with notes") {
    write_file(tmp / "truth.csv", "kind,id,ring,role\nwarehouse,F1,R1,source\nseller,S1,R1,storefront\n");
    CommandResult r = eval(tmp);
    REQUIRE(r.exit_code == 0);
    nlohmann::json j = nlohmann::json::parse(r.out);
    CHECK(j["fresh_caught"].is_null());
    CHECK(j["fresh_controls_caught"].is_null());
    const std::string notes = j["notes"].dump();
    CHECK(notes.find("fresh_caught is null") != std::string::npos);
    CHECK(notes.find("fresh_controls_caught is null") != std::string::npos);
  }
  SECTION("a missing column: 65") {
    write_file(tmp / "out/networks.csv", "risk\n0.9\n");
    CommandResult r = eval(tmp);
    CHECK(r.exit_code == 65);
    CHECK(r.err.find("networks.csv:1: missing required column 'network'") != std::string::npos);
  }
  SECTION("a broken shipments row: 65") {
    write_file(tmp / "data/shipments.csv",
               "shipment,origin_kind,origin,destination_kind,destination,units,shipped_on\n"
               "P1,warehouse,F1,warehouse,D1,-3,2024-01-02\n");
    CommandResult r = eval(tmp);
    CHECK(r.exit_code == 65);
    CHECK(r.err.find("shipments.csv:2:") != std::string::npos);
  }
}
