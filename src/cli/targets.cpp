// `sourcetrace targets`: per suspected network, the greedy source-
// elimination ranking on its supply flow, merged into one global list:
// options → pipeline::rank_targets (pipeline/targets_stage.hpp) → exit code.
#include "commands.hpp"
#include "sourcetrace/cli/exit_code.hpp"
#include "sourcetrace/cli/progress.hpp"
#include "sourcetrace/pipeline/job.hpp"
#include "sourcetrace/pipeline/targets_stage.hpp"

namespace sourcetrace::cli {

namespace {

struct TargetsOptions {
  std::string graph, communities, risk, out, job;
};

int run_targets(const TargetsOptions& o) {
  auto job = pipeline::load_job(o.job);
  if (!job.is_ok()) return report_failure(job.status());
  ProgressReporter progress("targets");
  auto report = pipeline::rank_targets({o.graph, o.communities, o.risk, o.out}, job.value(),
                                       [&](std::string_view what, double f) { progress.update(what, f); });
  if (!report.is_ok()) return report_failure(report.status());
  progress.finish(report.value().summary);
  return kExitOk;
}

}  // namespace

void add_targets_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<TargetsOptions>();
  CLI::App* cmd = app.add_subcommand("targets", "Rank source-elimination targets in every suspected network");
  cmd->add_option("GRAPH", o->graph, "graph.h5 (from ingest)")->required();
  cmd->add_option("COMMUNITIES", o->communities, "The run file of `sourcetrace detect`")->required();
  cmd->add_option("RISK", o->risk, "The file of `sourcetrace score`")->required();
  cmd->add_option("--out", o->out, "The targets file to write (atomically)")->required();
  cmd->add_option("--job", o->job, "Job file (its [export] min_risk picks the networks)");
  cmd->callback([o, &exit_code] { exit_code = run_targets(*o); });
}

}  // namespace sourcetrace::cli
