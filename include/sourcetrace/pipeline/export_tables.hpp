// Export: a run folder's results as the contract's output tables
// (docs/tables.md): networks.csv, members.csv, targets.csv, changes.csv
// and alerts.csv, each written atomically.
//
// Every network at or above the minimum risk, most suspect first (ties by
// id), with its members and the targets inside it. With a brand, the files
// show exactly what that brand's token sees in the query service: the
// networks whose evidence names the brand (risk/network_brands.hpp), under
// the same ids (lineage.h5's, risk/network_lineage.hpp), the same counts
// (risk/network_tally.hpp), and its targets ranked 1..k
// (targets/target_scope.hpp).
#pragma once

#include <cstdint>
#include <string>

#include "sourcetrace/pipeline/run_folder.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::pipeline {

struct ExportRequest {
  std::string out;     // folder for the three files (created)
  double min_risk = 0.2;  // the job's [export] min_risk
  std::string brand;   // "" for every network
};

// The rows written.
struct ExportCounts {
  std::uint64_t networks = 0, members = 0, targets = 0, changes = 0, alerts = 0;
};

// Reads graph.h5, communities.h5, risk.h5, lineage.h5 and targets.h5 of `run` (each
// checked against a finished run's manifest first) and writes the tables.
// kCorrupt when the files are not of one run.
Result<ExportCounts> export_tables(const RunFolder& run, const ExportRequest& request);

}  // namespace sourcetrace::pipeline
