// `sourcetrace score`: evidence + communities → network risk and role hints:
// options → pipeline::score_networks (pipeline/score_stage.hpp) → exit code.
#include <fmt/core.h>

#include "commands.hpp"
#include "sourcetrace/cli/exit_code.hpp"
#include "sourcetrace/cli/progress.hpp"
#include "sourcetrace/pipeline/job.hpp"
#include "sourcetrace/pipeline/score_stage.hpp"

namespace sourcetrace::cli {

namespace {

struct ScoreOptions {
  std::string graph, communities, out, job, as_of, feedback;
  bool fit = false;  // learn the evidence weights from the outcomes first
};

int run_score(const ScoreOptions& o) {
  auto job = pipeline::load_job(o.job);
  if (!job.is_ok()) return report_failure(job.status());
  ProgressReporter progress("score");
  auto report = pipeline::score_networks(
      {o.graph, o.communities, o.out, o.as_of, o.fit, pipeline::feedback_journal_path(o.feedback)}, job.value(),
                                         [&](std::string_view what, double f) { progress.update(what, f); });
  if (!report.is_ok()) return report_failure(report.status());
  if (o.fit || job.value().fit) {
    std::string fit = report.value().fit_report;
    for (std::size_t at = fit.find('\n'); at != std::string::npos; at = fit.find('\n', at + 1)) fit.insert(at + 1, "  ");
    fmt::print(stderr, "score --fit: {}\n", fit);
  }
  progress.finish(report.value().summary);
  return kExitOk;
}

}  // namespace

void add_score_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ScoreOptions>();
  CLI::App* cmd = app.add_subcommand("score", "Score the detected networks with the evidence: risk, role hints, reasons");
  cmd->add_option("GRAPH", o->graph, "graph.h5 (from ingest)")->required();
  cmd->add_option("COMMUNITIES", o->communities, "The run file of `sourcetrace detect`")->required();
  cmd->add_option("--out", o->out, "The risk file to write (atomically)")->required();
  cmd->add_option("--job", o->job, "Job file (default: built-in values, as in jobs/default.toml)");
  cmd->add_option("--as-of", o->as_of, "Evidence date to score as of, YYYY-MM-DD (default: the newest in the data)");
  cmd->add_option("--feedback", o->feedback,
                  "The feedback journal (or the runs folder holding it) to take reports and verdicts from");
  cmd->add_flag("--fit", o->fit,
                "Learn the evidence weights from enforcement_confirmed vs test_buy_genuine outcomes, score with "
                "them and store the fit (a job can reuse it: [risk] weights_from)");
  cmd->callback([o, &exit_code] { exit_code = run_score(*o); });
}

}  // namespace sourcetrace::cli
