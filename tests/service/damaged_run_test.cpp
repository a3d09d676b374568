// A published run whose stage file was damaged afterwards: RunSnapshot::load
// refuses it, naming the file (the manifest check, before HDF5 opens it),
// so `serve` keeps the run it has; publish refuses it too; `sourcetrace
// run` into the folder remakes the damaged stage (docs/integrity.md).
#include <catch2/catch.hpp>

#include "../support/test_env.hpp"
#include "sourcetrace/service/run_publication.hpp"
#include "sourcetrace/service/run_snapshot.hpp"

using namespace sourcetrace;
using namespace sourcetrace::service;
using namespace sourcetrace::testing;

namespace {

void flip_byte(const std::string& path, std::size_t offset) {
  std::string bytes = read_file(path);
  bytes.at(offset) = static_cast<char>(bytes.at(offset) ^ 0x20);
  write_file(path, bytes);
}

}  // namespace

TEST_CASE("service: a published run with a damaged stage file is refused by name", "[service][fast]") {
  TempDir tmp;
  REQUIRE(run_sourcetrace({"generate", tmp / "m", "--sellers", "800", "--seed", "9"}).exit_code == 0);
  CommandResult made = run_sourcetrace({"run", tmp / "m", "--out", tmp / "run", "--threads", "1"});
  INFO(made.err);
  REQUIRE(made.exit_code == 0);
  REQUIRE(publish_run(tmp / "run", tmp / "runs").is_ok());
  auto current = current_run(tmp / "runs");
  REQUIRE(current.is_ok());
  auto served = RunSnapshot::load(current.value());
  REQUIRE(served.is_ok());

  for (const char* name : {"graph.h5", "risk.h5", "targets.h5", "summary.json"}) {
    INFO(name);
    const std::string file = current.value() + "/" + name;
    const std::string pristine = read_file(file);
    // Anywhere in the file: its first bytes, its middle, its last byte.
    for (std::size_t offset : {std::size_t{9}, pristine.size() / 2, pristine.size() - 1}) {
      INFO("byte " << offset);
      flip_byte(file, offset);
      auto loaded = RunSnapshot::load(current.value());
      CHECK(loaded.status().code() == Status::Code::kCorrupt);
      CHECK(loaded.status().message().find(file) != std::string::npos);
      CHECK(loaded.status().message().find("changed or damaged since the run wrote it") != std::string::npos);
      CHECK(publish_run(tmp / "run", tmp / "runs2").code() == Status::Code::kCorrupt);
      write_file(file, pristine);
    }
  }
  // Intact again: it loads, and the snapshot taken before is unchanged.
  auto again = RunSnapshot::load(current.value());
  REQUIRE(again.is_ok());
  CHECK(again.value()->run_info({true, {}}).networks == served.value()->run_info({true, {}}).networks);

  // A rerun into the folder remakes the damaged stage file and completes
  // the run again (the others are current and skipped).
  flip_byte(tmp / "run/risk.h5", read_file(tmp / "run/risk.h5").size() / 2);
  CommandResult rerun = run_sourcetrace({"run", tmp / "m", "--out", tmp / "run", "--threads", "1"});
  INFO(rerun.err);
  REQUIRE(rerun.exit_code == 0);
  CHECK(rerun.err.find("score: runs (risk.h5 changed or was damaged since the run completed)") != std::string::npos);
  CHECK(rerun.err.find("detect: up to date") != std::string::npos);
  CHECK(RunSnapshot::load(tmp / "run").is_ok());
}
