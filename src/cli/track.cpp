// `sourcetrace track`: a run's networks → lineage.h5 (ids continued from
// the previous run, first-seen dates, lineage, changes).
#include <fmt/core.h>

#include <filesystem>

#include "commands.hpp"
#include "sourcetrace/cli/exit_code.hpp"
#include "sourcetrace/cli/progress.hpp"
#include "sourcetrace/pipeline/job.hpp"
#include "sourcetrace/pipeline/track_stage.hpp"

namespace sourcetrace::cli {

namespace {

struct TrackOptions {
  std::string run, previous, job;
};

int run_track(const TrackOptions& o) {
  auto job = pipeline::load_job(o.job);
  if (!job.is_ok()) return report_failure(job.status());
  ProgressReporter progress("track");
  progress.update(o.previous.empty() ? "minting ids" : "matching networks to " + o.previous, 0.0);
  const pipeline::RunFolder run{std::filesystem::path(o.run)};
  auto report = pipeline::track_networks(run, o.previous, job.value());
  if (!report.is_ok()) return report_failure(report.status());
  const pipeline::TrackReport& r = report.value();
  if (o.previous.empty()) {
    progress.finish(fmt::format("track: a new chain: {} networks, each a new id, in {:.2f} s -> {}", r.networks,
                                progress.seconds(), run.lineage()));
  } else {
    progress.finish(fmt::format("track: night {} of the chain: {} networks, {} kept their id, {} new; of the "
                                "previous run's, {} merged, {} gone; {} changes, {} alerts in {:.2f} s -> {}",
                                r.night, r.networks, r.kept, r.minted, r.merged, r.gone, r.changes, r.alerts,
                                progress.seconds(), run.lineage()));
  }
  return kExitOk;
}

}  // namespace

void add_track_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<TrackOptions>();
  CLI::App* cmd = app.add_subcommand(
      "track", "Give a run's networks their ids, continued from the previous run's, and list what changed");
  cmd->add_option("RUN", o->run, "The run folder (its graph.h5 and risk.h5; lineage.h5 is written there)")->required();
  cmd->add_option("--previous", o->previous,
                  "The previous complete run of the chain (default: none, this run starts a chain)");
  cmd->add_option("--job", o->job, "Job file (its [continuity] and [changes])");
  cmd->callback([o, &exit_code] { exit_code = run_track(*o); });
}

}  // namespace sourcetrace::cli
