// OutputFile: the final name holds the old bytes until publish, an
// unpublished file leaves nothing, and a publish sweeps away the temporary
// files of writers that were killed (never those of a live writer).
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "../support/test_env.hpp"
#include "sourcetrace/tables/output_file.hpp"

using namespace sourcetrace;
using namespace sourcetrace::testing;

namespace {

// The id of a process that has ended (and been reaped).
pid_t ended_process() {
  const pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  return pid;
}

}  // namespace

TEST_CASE("tables: an output file replaces the old one only when published", "[tables][fast]") {
  TempDir tmp;
  write_file(tmp / "a.csv", "old\n");
  {
    auto out = tables::OutputFile::create(tmp / "a.csv");
    REQUIRE(out.is_ok());
    REQUIRE(out.value()->write("new\n").is_ok());
    CHECK(read_file(tmp / "a.csv") == "old\n");
  }  // dropped unpublished: its temporary file goes with it
  CHECK(read_file(tmp / "a.csv") == "old\n");
  CHECK(std::distance(fs::directory_iterator(tmp.path()), fs::directory_iterator()) == 1);

  auto out = tables::OutputFile::create(tmp / "a.csv");
  REQUIRE(out.value()->write("new\n").is_ok());
  REQUIRE(out.value()->publish().is_ok());
  CHECK(read_file(tmp / "a.csv") == "new\n");
}

TEST_CASE("tables: publishing removes the temporary files of killed writers, not of live ones", "[tables][fast]") {
  TempDir tmp;
  const std::string killed = tmp / (".a.csv.tmp-" + std::to_string(ended_process()));
  const std::string live = tmp / ".a.csv.tmp-1";  // init never ends
  const std::string other = tmp / (".b.csv.tmp-" + std::to_string(ended_process()));
  for (const std::string& path : {killed, live, other}) write_file(path, "half");

  auto out = tables::OutputFile::create(tmp / "a.csv");
  REQUIRE(out.value()->write("whole\n").is_ok());
  REQUIRE(out.value()->publish().is_ok());
  CHECK_FALSE(fs::exists(killed));
  CHECK(fs::exists(live));
  CHECK(fs::exists(other));  // another file's: left to its own publish
  CHECK(read_file(tmp / "a.csv") == "whole\n");
}
