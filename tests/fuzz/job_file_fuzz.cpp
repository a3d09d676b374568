// Feeds the fuzzer's bytes, as one TOML file, to both readers of the
// command line's TOML files: load_job (job files, jobs/default.toml) and
// read_profile_file (`generate --profile`). Both are written by hand and
// handed around between teams, so any bytes must give a job, a market
// family, or a "file:line: ..." Status, never a crash. What they give must
// be usable: a job's parameters go into summary.json (so they must
// serialise), a family's draws into the generator (so they must pass
// check_profile).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "../../src/cli/profile_file.hpp"
#include "../support/test_env.hpp"
#include "sourcetrace/pipeline/job.hpp"

using namespace sourcetrace;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const testing::TempDir scratch;
  static const std::string path = scratch / "job.toml";
  testing::write_file(path, std::string(reinterpret_cast<const char*>(data), size));

  auto job = pipeline::load_job(path);
  if (job.is_ok()) {
    (void)job.value().parameters.dump();  // throws on a string that is not UTF-8
  } else if (job.status().message().rfind(path, 0) != 0) {
    std::abort();  // every complaint names the file
  }

  auto family = cli::read_profile_file(path, market::builtin_family());
  if (family.is_ok()) {
    if (!check_profile(market::draw_profile(family.value(), size)).is_ok()) std::abort();
  } else if (family.status().message().rfind(path, 0) != 0) {
    std::abort();
  }
  return 0;
}
