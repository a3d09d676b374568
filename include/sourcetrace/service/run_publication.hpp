// Run publication: which batch run the query service serves.
//
// A runs folder holds run folders and a symbolic link `current` naming the
// one being served. `publish_run` switches it atomically (a new link under
// a temporary name, renamed over `current`), and only to a complete run:
// its manifest must be present and every file must still match it
// (store/run_manifest.hpp), so investigators never see half a run or a
// run edited after the fact. A server watching the folder (or sent SIGHUP)
// then loads the new run and swaps it in.
#pragma once

#include <string>

#include "sourcetrace/status.hpp"

namespace sourcetrace::service {

inline constexpr const char* kCurrentLink = "current";

// Points `runs_dir`/current at `run_dir` (made absolute). Creates
// `runs_dir` if needed.
Status publish_run(const std::string& run_dir, const std::string& runs_dir);

// The run folder `runs_dir`/current names, as an absolute path; not found
// when nothing is published.
Result<std::string> current_run(const std::string& runs_dir);

}  // namespace sourcetrace::service
