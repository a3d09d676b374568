// Run manifest: the file that marks a run folder complete.
//
// `sourcetrace run` writes manifest.json last, after every output of the
// run is in place, and deletes it first when it starts again, so a folder
// with a manifest is a finished run and one without is not (a killed run,
// or one still going). It lists each output with its size and digest, so a
// consumer (`sourcetrace publish`, an investigator checking a case file)
// can tell that nothing was changed since.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sourcetrace/status.hpp"

namespace sourcetrace::store {

inline constexpr const char* kManifestName = "manifest.json";

struct ManifestEntry {
  std::string name;  // file name inside the run folder
  std::uint64_t bytes = 0;
  std::string digest;  // of the file's bytes, 32 hex digits
};

struct RunManifest {
  std::string engine, engine_build, created;
  std::vector<ManifestEntry> files;
};

// Digests the named files of `run_dir` and writes its manifest atomically.
Status write_run_manifest(const std::string& run_dir, const std::vector<std::string>& file_names);

// Removes the manifest: the folder no longer counts as a complete run.
Status remove_run_manifest(const std::string& run_dir);

// Reads the manifest; not found when the run is not complete.
Result<RunManifest> read_run_manifest(const std::string& run_dir);

// Reads the manifest and checks every file's size and digest against it.
Status verify_run(const std::string& run_dir);

}  // namespace sourcetrace::store
