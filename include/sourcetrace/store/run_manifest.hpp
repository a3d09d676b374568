// Run manifest: the file that marks a run folder complete.
//
// `sourcetrace run` writes manifest.json last, after every output of the
// run is in place, and deletes it first when it starts again, so a folder
// with a manifest is a finished run and one without is not (a killed run,
// or one still going). It lists each output with its size and digest, so a
// consumer (`sourcetrace publish`, an investigator checking a case file)
// can tell that nothing was changed since.
//
// The readers of stage files check a finished run's file against it before
// HDF5 opens the file (check_against_manifest): a byte changed anywhere,
// even where HDF5 keeps no checksum or where damaged metadata would crash
// libhdf5, is then a clear error naming the file (docs/integrity.md).
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

// Checks the files `names` of a finished run against its manifest, before
// anything reads them: each must be listed and have the size and digest
// listed. Not found when the folder has no manifest; corrupt, naming the
// file and what to do, when a file differs.
Status verify_run_files(const std::string& run_dir, const std::vector<std::string>& names);

// The check a reader of one stage file makes before opening it: when the
// folder holding `path` is a finished run (it has a manifest) that lists
// the file, the file must match it. A file of a run still being made (a
// stage reading its predecessor's output: no manifest yet), or one the
// manifest does not list, passes: then only HDF5's own checksums guard it.
Status check_against_manifest(const std::string& path);

// A writer about to put a new file at `path` calls this first: when the
// folder is a finished run whose manifest lists that name, the manifest is
// removed, since the folder no longer holds the run it describes (a reader
// would refuse the new file as damaged). `sourcetrace run` into the folder
// makes it a finished run again.
Status retire_manifest_for(const std::string& path);

}  // namespace sourcetrace::store
