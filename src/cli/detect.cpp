// `sourcetrace detect`: graph.h5 → communities.h5 (and a TSV): options →
// pipeline::detect_communities (pipeline/detect_stage.hpp) → exit code.
// Started as more than one MPI rank (mpirun, srun), every rank runs it and
// the ranks detect together.
#include <optional>

#include "commands.hpp"
#include "sourcetrace/cli/exit_code.hpp"
#include "sourcetrace/cli/progress.hpp"
#include "sourcetrace/community/leiden.hpp"
#include "sourcetrace/dist/mpi_session.hpp"
#include "sourcetrace/pipeline/detect_stage.hpp"
#include "sourcetrace/pipeline/job.hpp"

namespace sourcetrace::cli {

namespace {

struct DetectOptions {
  std::string graph;
  std::string out;
  std::string job;
  std::string partition_out;
  std::string previous;
  std::string write_combined;
  int threads = 0;
  std::optional<std::string> algorithm;
  std::optional<double> resolution, density;
  std::optional<std::uint64_t> seed;
  bool deterministic = false, no_deterministic = false;
  // Override the job's [detect] gather_below and rounds.
  std::optional<std::uint64_t> gather_below;
  std::optional<int> rounds;
};

int run_detect(const DetectOptions& o) {
  auto loaded = pipeline::load_job(o.job);
  if (!loaded.is_ok()) return report_failure(loaded.status());
  pipeline::Job job = std::move(loaded).value();
  if (o.deterministic && o.no_deterministic) {
    return report_failure(Status::invalid_argument("--deterministic and --no-deterministic contradict each other"));
  }
  pipeline::DetectOverrides overrides;
  if (o.algorithm) {
    overrides.method = *o.algorithm == "louvain" ? community::LeidenOptions::Method::kLouvain
                                                 : community::LeidenOptions::Method::kLeiden;
  }
  overrides.resolution = o.resolution;
  overrides.density = o.density;
  overrides.seed = o.seed;
  if (o.deterministic) overrides.deterministic = true;
  if (o.no_deterministic) overrides.deterministic = false;
  overrides.gather_below = o.gather_below;
  overrides.rounds = o.rounds;
  if (Status s = pipeline::prepare_detect(o.graph, overrides, job); !s.is_ok()) return report_failure(s);

  // Under MPI only rank 0 shows progress and reports; every rank exits alike.
  const dist::MpiSession* mpi = dist::MpiSession::current();
  const bool root = mpi == nullptr || mpi->rank() == 0;
  std::optional<ProgressReporter> progress;
  if (root) progress.emplace("detect");
  auto report = pipeline::detect_communities({o.graph, o.out, o.partition_out, o.previous, o.write_combined}, job,
                                             [&](std::string_view what, double fraction) {
                                               if (progress) progress->update(what, fraction);
                                             });
  if (!report.is_ok()) return root ? report_failure(report.status()) : exit_code_for(report.status());
  if (progress) progress->finish(report.value().summary);
  return kExitOk;
}

}  // namespace

int run_detect_stage(const std::string& graph, const std::string& out, const std::string& job,
                     const std::string& previous, int threads) {
  DetectOptions o;
  o.graph = graph;
  o.out = out;
  o.job = job;
  o.previous = previous;
  o.threads = threads;
  set_threads(threads);
  return run_detect(o);
}

void add_detect_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<DetectOptions>();
  CLI::App* cmd = app.add_subcommand("detect", "Find the communities of graph.h5's combined graph");
  cmd->add_option("GRAPH", o->graph, "The graph file (from `sourcetrace ingest`)")->required();
  cmd->add_option("--out", o->out, "The run file to write (atomically)")->required();
  cmd->add_option("--job", o->job, "Job file (default: built-in values, as in jobs/default.toml)");
  cmd->add_option("--threads", o->threads, "Threads (0: all cores)")->capture_default_str();
  cmd->add_option("--algorithm", o->algorithm, "leiden (default) or louvain")
      ->check(CLI::IsMember({"leiden", "louvain"}));
  cmd->add_option("--resolution", o->resolution, "Modularity resolution (default 1; clears the job's density)");
  cmd->add_option("--density", o->density,
                  "Resolution per unit of arc weight, the same in a market of any size (default: the job's [detect] "
                  "density for a market, 0 = modularity for a plain graph)");
  cmd->add_option("--seed", o->seed, "Seed for tie-breaking (default 1)");
  cmd->add_flag("--deterministic", o->deterministic,
                "Same partition for any thread count (the default, unless the job file says otherwise)");
  cmd->add_flag("--no-deterministic", o->no_deterministic,
                "Let threads move vertices as they go: faster, the result varies from run to run");
  cmd->add_option("--previous", o->previous,
                  "Warm-start from this complete run's communities, mapped onto this graph's entities (new ones "
                  "alone), unless the job's [detect] warm_start is false");
  cmd->add_option("--partition-out", o->partition_out,
                  "Also write the final partition as TSV: key<TAB>community, one line per vertex");
  cmd->add_option("--write-combined", o->write_combined,
                  "Also write the combined graph detect runs on as a Matrix Market file (symmetric, 1-based, "
                  "weighted), for other community-detection tools (bench/detect.py); one node only");
  cmd->add_option("--gather-below", o->gather_below,
                  "Levels with more vertices move in rounds, with the same result on one node and on any number "
                  "of MPI ranks; ranks gather the graph onto rank 0 below it (default 4194304, or the job's)");
  cmd->add_option("--rounds", o->rounds,
                  "Rounds per local-moving pass on those levels (MPI ranks exchange after each), 1-255 "
                  "(default 8, or the job's)");
  cmd->callback([o, &exit_code] {
    set_threads(o->threads);
    exit_code = run_detect(*o);
  });
}

}  // namespace sourcetrace::cli
