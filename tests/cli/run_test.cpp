// `sourcetrace run` through the real binary: the chain's outputs equal the
// stages run by hand, summary.json and the manifest describe the run, a
// rerun skips what is current and redoes what changed, a killed run never
// looks complete and finishes when rerun, --lenient reaches ingest.
#include <signal.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>
#include <toml++/toml.h>

#include "../support/test_env.hpp"
#include "sourcetrace/store/run_manifest.hpp"

using namespace sourcetrace;
using namespace sourcetrace::testing;

namespace {

nlohmann::json read_json(const std::string& path) { return nlohmann::json::parse(read_file(path)); }

// stage name → ran?
std::map<std::string, bool> stages_ran(const std::string& run) {
  std::map<std::string, bool> ran;
  const nlohmann::json summary = read_json(run + "/summary.json");
  for (const auto& s : summary["stages"]) ran[s["stage"].get<std::string>()] = s["ran"].get<bool>();
  return ran;
}

CommandResult run_job(const std::string& dataset, const std::string& out, std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"run", dataset, "--out", out, "--job", source_path("jobs/default.toml")};
  args.insert(args.end(), more.begin(), more.end());
  return run_sourcetrace(args);
}

}  // namespace

TEST_CASE("cli: run chains the stages, writes summary.json and the manifest last", "[cli][run]") {
  TempDir tmp;
  REQUIRE(run_sourcetrace({"generate", tmp / "m", "--sellers", "3000", "--seed", "2"}).exit_code == 0);
  CommandResult r = run_job(tmp / "m", tmp / "run", {"--threads", "2"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("run: complete: 6 stages ran") != std::string::npos);

  // The same stages by hand give the same tables.
  const std::string job = source_path("jobs/default.toml"), hand = tmp / "hand";
  REQUIRE(run_sourcetrace({"ingest", tmp / "m", "--out", hand + "/graph.h5"}).exit_code == 0);
  REQUIRE(run_sourcetrace({"detect", hand + "/graph.h5", "--out", hand + "/communities.h5", "--job", job}).exit_code == 0);
  REQUIRE(run_sourcetrace({"score", hand + "/graph.h5", hand + "/communities.h5", "--out", hand + "/risk.h5", "--job", job})
              .exit_code == 0);
  REQUIRE(run_sourcetrace({"track", hand, "--job", job}).exit_code == 0);
  REQUIRE(run_sourcetrace({"targets", hand + "/graph.h5", hand + "/communities.h5", hand + "/risk.h5", "--out",
                           hand + "/targets.h5", "--job", job})
              .exit_code == 0);
  REQUIRE(run_sourcetrace({"export", hand, "--out", hand, "--job", job}).exit_code == 0);
  for (const char* table : {"/networks.csv", "/members.csv", "/targets.csv", "/changes.csv", "/alerts.csv"}) {
    INFO(table);
    CHECK(read_file(tmp / "run" + table) == read_file(hand + table));
  }

  const nlohmann::json summary = read_json(tmp / "run/summary.json");
  CHECK(summary["stages"].size() == 6);
  for (const auto& s : summary["stages"]) {
    CHECK(s["ran"] == true);
    CHECK(s["peak_rss_mb"].get<double>() > 0);
  }
  CHECK(summary["inputs"]["tables"].size() >= 6);
  CHECK(summary["seed"] == 1);
  CHECK(summary["parameters"]["detect"]["resolution"].get<double>() > 0);
  CHECK(summary["versions"]["engine"].get<std::string>().rfind("sourcetrace ", 0) == 0);
  const std::string networks = read_file(tmp / "run/networks.csv");
  CHECK(summary["written"]["networks.csv"].get<std::int64_t>() == std::count(networks.begin(), networks.end(), '\n') - 1);

  // The manifest lists every output and matches them; a changed byte is caught.
  auto manifest = store::read_run_manifest(tmp / "run");
  REQUIRE(manifest.is_ok());
  CHECK(manifest.value().files.size() == 11);
  CHECK(store::verify_run(tmp / "run").is_ok());
  write_file(tmp / "run/targets.csv", read_file(tmp / "run/targets.csv") + "\n");
  CHECK(store::verify_run(tmp / "run").code() == Status::Code::kCorrupt);
}

TEST_CASE("cli: run skips the stages that are current and reruns what changed", "[cli][run]") {
  TempDir tmp;
  REQUIRE(run_sourcetrace({"generate", tmp / "m", "--sellers", "2000", "--seed", "3"}).exit_code == 0);
  REQUIRE(run_job(tmp / "m", tmp / "run").exit_code == 0);
  const std::string targets = read_file(tmp / "run/targets.csv");

  CommandResult again = run_job(tmp / "m", tmp / "run");
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK(stages_ran(tmp / "run") ==
        std::map<std::string, bool>{{"ingest", false}, {"detect", false}, {"score", false}, {"track", false},
                                    {"targets", false}, {"export", true}});
  CHECK(read_file(tmp / "run/targets.csv") == targets);

  // Another job: the graph stands, everything after it is redone.
  write_file(tmp / "job.toml", "[detect]\ndensity = 0.001\n");
  REQUIRE(run_sourcetrace({"run", tmp / "m", "--out", tmp / "run", "--job", tmp / "job.toml"}).exit_code == 0);
  CHECK(stages_ran(tmp / "run") ==
        std::map<std::string, bool>{{"ingest", false}, {"detect", true}, {"score", true}, {"track", true},
                                    {"targets", true}, {"export", true}});

  // Changed data: ingest again (and detection, since the graph changed).
  const std::string evidence = read_file(tmp / "m/evidence.csv");
  const auto first_row_end = evidence.find('\n') + 1;
  write_file(tmp / "m/evidence.csv", evidence.substr(0, first_row_end) + evidence.substr(evidence.find('\n', first_row_end) + 1));
  REQUIRE(run_sourcetrace({"run", tmp / "m", "--out", tmp / "run", "--job", tmp / "job.toml"}).exit_code == 0);
  CHECK(stages_ran(tmp / "run") ==
        std::map<std::string, bool>{{"ingest", true}, {"detect", true}, {"score", true}, {"track", true},
                                    {"targets", true}, {"export", true}});
}

TEST_CASE("cli: editing one stage's parameters reruns that stage and what reads its output, nothing before",
          "[cli][run]") {
  TempDir tmp;
  REQUIRE(run_sourcetrace({"generate", tmp / "m", "--sellers", "2000", "--seed", "4"}).exit_code == 0);
  REQUIRE(run_sourcetrace({"run", tmp / "m", "--out", tmp / "run"}).exit_code == 0);  // the built-in defaults
  const std::string job = tmp / "job.toml";
  auto rerun_with = [&](const std::string& text) {
    write_file(job, text);
    CommandResult r = run_sourcetrace({"run", tmp / "m", "--out", tmp / "run", "--job", job});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return stages_ran(tmp / "run");
  };
  using Ran = std::map<std::string, bool>;
  auto ran = [](bool detect, bool score, bool track, bool targets) {
    return Ran{{"ingest", false}, {"detect", detect}, {"score", score}, {"track", track}, {"targets", targets},
               {"export", true}};
  };
  // The same values with a comment added.
  CHECK(rerun_with("# tonight's job\n") == ran(false, false, false, false));
  // jobs/default.toml, every value written out: the same values, nothing reruns.
  CHECK(rerun_with(read_file(source_path("jobs/default.toml"))) == ran(false, false, false, false));

  // [export] min_risk: read by track (changes lists the networks at or
  // above it), targets (it ranks them) and export, never by detect or score.
  CHECK(rerun_with("[export]\nmin_risk = 0.3\n") == ran(false, false, true, true));
  CHECK(read_file(tmp / "run/summary.json").find("its parameters changed ([targets], [export] min_risk)") !=
        std::string::npos);
  // [targets]: targets alone; [changes]: track alone.
  CHECK(rerun_with("[export]\nmin_risk = 0.3\n[targets]\nsource_cost = 2.0\n") == ran(false, false, false, true));
  CHECK(rerun_with("[export]\nmin_risk = 0.3\n[targets]\nsource_cost = 2.0\n[changes]\ngrown = 0.2\n") ==
        ran(false, false, true, false));
  // [risk]: score, and track and targets because the risks changed.
  CHECK(rerun_with("[export]\nmin_risk = 0.3\n[targets]\nsource_cost = 2.0\n[changes]\ngrown = 0.2\n[risk]\n"
                   "complaint = 0.5\n") == ran(false, true, true, true));
  // [detect]: detect, and the rest because the communities changed.
  CHECK(rerun_with("[export]\nmin_risk = 0.3\n[targets]\nsource_cost = 2.0\n[changes]\ngrown = 0.2\n[risk]\n"
                   "complaint = 0.5\n[detect]\ndensity = 0.001\n") == ran(true, true, true, true));
}

TEST_CASE("cli: a killed run is never complete and a rerun finishes it", "[cli][run][slow]") {
  TempDir tmp;
  REQUIRE(run_sourcetrace({"generate", tmp / "m", "--sellers", "20000", "--seed", "6"}).exit_code == 0);
  REQUIRE(run_job(tmp / "m", tmp / "reference").exit_code == 0);

  // Kill the run (SIGKILL, no chance to clean up) as soon as ingest is done.
  const std::string run = tmp / "run";
  pid_t pid = start_program({SOURCETRACE_BINARY, "run", tmp / "m", "--out", run, "--job", source_path("jobs/default.toml")},
                            tmp / "out", tmp / "err");
  REQUIRE(pid > 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!fs::exists(run + "/graph.h5") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFSIGNALED(status));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the orphaned stage is told to stop
  CHECK_FALSE(fs::exists(run + "/manifest.json"));
  CHECK_FALSE(fs::exists(run + "/targets.csv"));

  CommandResult rerun = run_job(tmp / "m", run);
  INFO(rerun.err);
  REQUIRE(rerun.exit_code == 0);
  CHECK(stages_ran(run)["ingest"] == false);
  CHECK(stages_ran(run)["detect"] == true);
  CHECK(store::verify_run(run).is_ok());
  for (const char* table : {"/networks.csv", "/members.csv", "/targets.csv"}) {
    INFO(table);
    CHECK(read_file(run + table) == read_file(tmp / "reference" + table));
  }
}

TEST_CASE("cli: run --lenient reaches ingest, and a strict rerun does not reuse a lenient graph", "[cli][run]") {
  TempDir tmp;
  make_fixture_dataset(source_path("tests/fixtures/bad/wrong_field_count"), tmp / "data");
  CommandResult strict = run_job(tmp / "data", tmp / "run");
  CHECK(strict.exit_code == 65);
  CHECK(strict.err.find("run stopped: the ingest stage failed") != std::string::npos);
  CHECK_FALSE(fs::exists(tmp / "run/manifest.json"));

  CommandResult lenient = run_job(tmp / "data", tmp / "run", {"--lenient"});
  INFO(lenient.err);
  REQUIRE(lenient.exit_code == 0);
  CHECK(fs::exists(tmp / "run/rejected.csv"));
  CHECK(fs::exists(tmp / "run/manifest.json"));
  std::uint64_t rejected = 0;
  const nlohmann::json summary = read_json(tmp / "run/summary.json");
  for (const auto& t : summary["inputs"]["tables"]) rejected += t["rejected"].get<std::uint64_t>();
  CHECK(rejected > 0);

  CommandResult strict_again = run_job(tmp / "data", tmp / "run");
  CHECK(strict_again.exit_code == 65);
  CHECK_FALSE(fs::exists(tmp / "run/manifest.json"));
}

TEST_CASE("cli: jobs/default.toml names every parameter with the built-in default", "[cli][run]") {
  TempDir tmp;
  make_fixture_dataset("", tmp / "data");
  CommandResult r = run_sourcetrace({"run", tmp / "data", "--out", tmp / "run"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const nlohmann::json used = read_json(tmp / "run/summary.json")["parameters"];
  const toml::table file = toml::parse_file(source_path("jobs/default.toml"));
  std::size_t keys = 0;
  for (const auto& [section, values] : used.items()) {
    INFO(section);
    const toml::table* table = file[section].as_table();
    REQUIRE(table != nullptr);
    CHECK(table->size() == values.size());
    for (const auto& [key, value] : values.items()) {
      INFO(key);
      const toml::node* node = table->get(key);
      REQUIRE(node != nullptr);
      ++keys;
      if (value.is_boolean()) CHECK(node->value<bool>() == value.get<bool>());
      else if (value.is_string()) CHECK(node->value<std::string>() == value.get<std::string>());
      // Exactly: a stage digest covers the values as used, so a value
      // written shorter than the built-in one reruns the stages reading it.
      else CHECK(node->value<double>().value_or(-1) == value.get<double>());
    }
  }
  CHECK(keys >= 30);
  CHECK(file.size() == used.size());
}

// The Slurm jobs each run part of the chain into one folder.
TEST_CASE("cli: run --stages runs the chain in parts, each needing the ones before", "[cli][run]") {
  TempDir tmp;
  const std::string sample = source_path("datasets/sample-market");
  CommandResult early = run_job(sample, tmp / "parts", {"--stages", "detect"});
  CHECK(early.exit_code != 0);
  CHECK(early.err.find("the ingest stage is not current") != std::string::npos);

  CommandResult ingest = run_job(sample, tmp / "parts", {"--stages", "ingest"});
  INFO(ingest.err);
  REQUIRE(ingest.exit_code == 0);
  CHECK(fs::exists(tmp / "parts/graph.h5"));
  CHECK_FALSE(fs::exists(tmp / "parts/communities.h5"));  // the later stages are the next jobs'

  REQUIRE(run_job(sample, tmp / "parts", {"--stages", "detect"}).exit_code == 0);
  CHECK(fs::exists(tmp / "parts/communities.h5"));
  CHECK_FALSE(fs::exists(tmp / "parts/risk.h5"));
  CHECK_FALSE(fs::exists(tmp / "parts/manifest.json"));

  CommandResult rest = run_job(sample, tmp / "parts", {"--stages", "score,track,targets,export"});
  INFO(rest.err);
  REQUIRE(rest.exit_code == 0);
  CHECK(rest.err.find("run: ingest: up to date, skipped") != std::string::npos);
  CHECK(rest.err.find("run: detect: up to date, skipped") != std::string::npos);
  CHECK(fs::exists(tmp / "parts/manifest.json"));

  REQUIRE(run_job(sample, tmp / "whole").exit_code == 0);
  for (const char* file : {"networks.csv", "members.csv", "targets.csv"}) {
    INFO(file);
    CHECK(read_file(tmp / (std::string("parts/") + file)) == read_file(tmp / (std::string("whole/") + file)));
  }
}
