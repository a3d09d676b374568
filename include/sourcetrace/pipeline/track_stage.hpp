// The track stage: risk.h5, and the previous run when there is one →
// lineage.h5 (risk/lineage_file.hpp): each network's id, the night it was
// first seen, its lineage, the changes since the previous run and the
// night's alerts (risk/network_alerts.hpp).
//
// Runs after score. Without a previous run it starts a chain (every
// network a new id, the chain's key derived from the run's inputs so that
// runs not chained to each other mint apart); with one (`run --previous
// PREV`) it continues PREV's chain (risk/network_lineage.hpp). The
// previous run is an input like any other: it must be a complete run
// (manifest.json), the files read from it are checked against its
// manifest first, and lineage.h5 records their digest, so that pointing
// at another previous run, or the same folder remade, reruns the stage
// and nothing before it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sourcetrace/pipeline/job.hpp"
#include "sourcetrace/pipeline/run_folder.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::pipeline {

struct TrackReport {
  std::uint64_t night = 0;  // of the chain; 0 = its first run
  std::size_t networks = 0, kept = 0, minted = 0, merged = 0, gone = 0;
  std::size_t changes = 0;  // rows of changes.csv
  std::size_t alerts = 0;   // rows of alerts.csv
};

// Writes run's lineage.h5 (atomically). `previous`: a complete run folder,
// or "" to start a chain.
Result<TrackReport> track_networks(const RunFolder& run, const std::string& previous, const Job& job);

// The digest of the previous run's graph.h5, risk.h5 and lineage.h5 as its
// manifest lists them (what lineage.h5 records of it); an error when
// `previous` is no complete run listing all three. The files themselves
// are checked against the manifest by the readers that open them.
Result<std::string> previous_run_digest(const std::string& previous);

// previous_run_digest's checks, and the three files against the manifest
// (digested): `run` calls it before its first stage, so a wrong or damaged
// --previous stops the run at once.
Status check_previous_run(const std::string& previous);

// Why the stage must run, or nullopt when lineage.h5 records these inputs.
// A previous run that is not complete or fails its manifest is an error.
Result<std::optional<std::string>> track_staleness(const RunFolder& run, const std::string& previous, const Job& job);

}  // namespace sourcetrace::pipeline
