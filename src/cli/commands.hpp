// The subcommands of `sourcetrace`: each file adds one to the app.
//
// Pattern (after CLI11's subcom_in_files example): an options struct, a
// setup function that binds it to CLI11, and a run function that calls the
// library and turns its Status into an exit code. The run function stores
// that code in `exit_code`.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace sourcetrace::cli {

void add_generate_command(CLI::App& app, int& exit_code);
void add_ingest_command(CLI::App& app, int& exit_code);
void add_info_command(CLI::App& app, int& exit_code);
void add_detect_command(CLI::App& app, int& exit_code);
void add_score_command(CLI::App& app, int& exit_code);
void add_targets_command(CLI::App& app, int& exit_code);
void add_track_command(CLI::App& app, int& exit_code);
void add_export_command(CLI::App& app, int& exit_code);
void add_eval_command(CLI::App& app, int& exit_code);
void add_run_command(CLI::App& app, int& exit_code);
void add_serve_command(CLI::App& app, int& exit_code);
void add_publish_command(CLI::App& app, int& exit_code);
void add_query_command(CLI::App& app, int& exit_code);
void add_report_command(CLI::App& app, int& exit_code);
void add_token_command(CLI::App& app, int& exit_code);
void add_audit_command(CLI::App& app, int& exit_code);
void add_submit_command(CLI::App& app, int& exit_code);
void add_case_command(CLI::App& app, int& exit_code);

// The detect stage in this process (for `run` as MPI ranks, where every
// rank must join it): `sourcetrace detect GRAPH --out OUT [--job JOB]
// [--threads T]`. Returns its exit code.
int run_detect_stage(const std::string& graph, const std::string& out, const std::string& job,
                     const std::string& previous, int threads);

// Applies --threads (0 = leave OpenMP's default).
void set_threads(int threads);

}  // namespace sourcetrace::cli
