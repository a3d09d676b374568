// `sourcetrace submit` without a cluster: the plan is checked before
// anything is queued (bad keys and values named file:line), and --dry-run
// prints the chain with the plan's resources. The real submission runs in
// tests/slurm/submit_chain.py against a Slurm the test starts.
#include <catch2/catch.hpp>

#include "../support/test_env.hpp"

using namespace sourcetrace::testing;

namespace {

// A plan for the bundled sample, with `cluster` as its [cluster] section.
std::string plan_text(const std::string& cluster) {
  return "[cluster]\n" + cluster +
         "\n[paths]\n"
         "dataset = \"" + source_path("datasets/sample-market") + "\"\n"
         "job = \"" + source_path("jobs/default.toml") + "\"\n"
         "run_root = \"nightly\"\n"
         "runs = \"runs\"\n"
         "scripts = \"" + source_path("slurm") + "\"\n"
         "[brands]\nexport = [\"B001\", \"B002\"]\n";
}

}  // namespace

TEST_CASE("cli: submit --dry-run prints the chain with the plan's resources, queues nothing", "[cli][submit]") {
  TempDir tmp;
  write_file(tmp / "plan.toml", plan_text("ranks = 3\nthreads = 2\nmemory = \"4G\"\npartition = \"night\"\n"));
  CommandResult r = run_sourcetrace({"submit", tmp / "plan.toml", "--name", "n1", "--dry-run"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  for (const char* expected :
       {"--job-name=st-ingest.n1", "--ntasks=3 --cpus-per-task=2", "--partition=night", "--mem=4G",
        "\"--dependency=afterok:${ingest%%;*}\"", "\"--dependency=afterok:${score%%;*}\"", "--array=0-1",
        "B001 B002", "srun --mpi=", "--kill-on-invalid-dep=yes"}) {
    INFO(expected);
    CHECK(r.out.find(expected) != std::string::npos);
  }
  CHECK(r.out.find(tmp / "nightly/n1") != std::string::npos);  // run_root taken from the plan's folder
  CHECK_FALSE(fs::exists(tmp / "nightly"));
}

TEST_CASE("cli: submit names the plan's line for a bad key or value", "[cli][submit]") {
  TempDir tmp;
  struct Case {
    std::string cluster, expected;
  };
  for (const Case& c : std::vector<Case>{
           {"rank = 2", "plan.toml:2: [cluster] has no parameter 'rank'"},
           {"ranks = 0", "plan.toml:2: [cluster] ranks must be at least 1"},
           {"nodes = 4\nranks = 2", "ranks (2) must be at least nodes (4)"},
           {"memory = \"lots\"", "plan.toml:2: [cluster] memory \"lots\" is not a size"},
           {"time_limit = \"2h\"", "plan.toml:2: [cluster] time_limit \"2h\" is not a Slurm time"},
           {"sbatch_options = [\"-p x\"]", "is not a long sbatch option"},
       }) {
    INFO(c.cluster);
    write_file(tmp / "plan.toml", plan_text(c.cluster));
    CommandResult r = run_sourcetrace({"submit", tmp / "plan.toml", "--dry-run"});
    CHECK(r.exit_code != 0);
    CHECK(r.err.find(c.expected) != std::string::npos);
    CHECK(r.out.empty());
  }
  write_file(tmp / "plan.toml", plan_text(""));
  CommandResult bad_name = run_sourcetrace({"submit", tmp / "plan.toml", "--name", "a b", "--dry-run"});
  CHECK(bad_name.exit_code != 0);
  CHECK(bad_name.err.find("a run name is a folder name") != std::string::npos);
}
