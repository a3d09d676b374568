// `sourcetrace export`: a run folder's results as the contract's output
// tables, through pipeline::export_tables (pipeline/export_tables.hpp);
// with --brand, what that brand's token sees in the query service.
#include <fmt/core.h>

#include "commands.hpp"
#include "sourcetrace/cli/exit_code.hpp"
#include "sourcetrace/cli/progress.hpp"
#include "sourcetrace/pipeline/export_tables.hpp"
#include "sourcetrace/pipeline/job.hpp"

namespace sourcetrace::cli {

namespace {

struct ExportOptions {
  std::string run, out, job, brand;
};

int run_export(const ExportOptions& o) {
  auto job = pipeline::load_job(o.job);
  if (!job.is_ok()) return report_failure(job.status());
  ProgressReporter progress("export");
  progress.update("reading " + o.run, 0.0);
  auto written = pipeline::export_tables(pipeline::RunFolder{o.run}, {o.out, job.value().min_risk, o.brand});
  if (!written.is_ok()) return report_failure(written.status());
  progress.finish(fmt::format("export: {} networks at or above risk {:.2f}{}, {} members, {} targets, {} changes, {} alerts -> {}",
                              written.value().networks, job.value().min_risk,
                              o.brand.empty() ? "" : " naming brand " + o.brand, written.value().members,
                              written.value().targets, written.value().changes,
                              written.value().alerts, o.out));
  return kExitOk;
}

}  // namespace

void add_export_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ExportOptions>();
  CLI::App* cmd = app.add_subcommand("export", "Write a run folder's results as networks.csv, members.csv, targets.csv, changes.csv and alerts.csv");
  cmd->add_option("RUN", o->run, "Run folder with graph.h5, communities.h5, risk.h5 and targets.h5")->required();
  cmd->add_option("--out", o->out, "Folder for the CSV files")->required();
  cmd->add_option("--job", o->job, "Job file (its [export] min_risk)");
  cmd->add_option("--brand", o->brand, "Only the networks whose evidence names this brand");
  cmd->callback([o, &exit_code] { exit_code = run_export(*o); });
}

}  // namespace sourcetrace::cli
