// sourcetrace: the command line. Reads argv, runs one subcommand, exits
// with a sysexits code (see cli/exit_code.hpp and the README).
#include <omp.h>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <string_view>

#include "commands.hpp"
#include "sourcetrace/cli/exit_code.hpp"
#include "sourcetrace/dist/mpi_session.hpp"
#include "sourcetrace/version.hpp"

namespace sourcetrace::cli {

void set_threads(int threads) {
  if (threads > 0) omp_set_num_threads(threads);
}

}  // namespace sourcetrace::cli

int main(int argc, char** argv) {
  using namespace sourcetrace::cli;
  // MPI only when a launcher started us as ranks (dist/mpi_session.hpp).
  sourcetrace::dist::MpiSession mpi(argc, argv);
  if (mpi.distributed()) {
    const std::string_view command = argc > 1 ? argv[1] : "";
    if (command != "detect" && command != "run") {
      if (mpi.rank() == 0) {
        std::fprintf(stderr,
                     "sourcetrace: error: `%s` runs on one process; only `detect` and `run` run as MPI ranks "
                     "(start it without mpirun/srun, or with one rank)\n",
                     argv[argc > 1 ? 1 : 0]);
      }
      return kExitUsage;
    }
  }
  CLI::App app{"sourcetrace: finds the supply networks behind counterfeit goods on a marketplace"};
  app.set_version_flag("--version", std::string("sourcetrace ") + sourcetrace::kEngineVersion);
  app.require_subcommand(1);
  app.fallthrough(false);

  int exit_code = kExitOk;
  add_run_command(app, exit_code);
  add_generate_command(app, exit_code);
  add_ingest_command(app, exit_code);
  add_detect_command(app, exit_code);
  add_score_command(app, exit_code);
  add_track_command(app, exit_code);
  add_targets_command(app, exit_code);
  add_export_command(app, exit_code);
  add_info_command(app, exit_code);
  add_eval_command(app, exit_code);
  add_serve_command(app, exit_code);
  add_publish_command(app, exit_code);
  add_query_command(app, exit_code);
  add_report_command(app, exit_code);
  add_token_command(app, exit_code);
  add_audit_command(app, exit_code);
  add_submit_command(app, exit_code);
  add_case_command(app, exit_code);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    // CLI11 uses 0 for --help/--version and its own codes (100+) for usage errors.
    return rc == 0 ? kExitOk : kExitUsage;
  }
  return exit_code;
}
