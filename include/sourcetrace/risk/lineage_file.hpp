// The `/lineage` group of a stage file (lineage.h5, written by the track
// stage): each network's id, first-seen date and lineage, the run chain
// it belongs to, the changes since the previous run (changes.csv's rows)
// and the night's alerts (alerts.csv's). Schema in docs/run-h5.md.
#pragma once

#include <string>
#include <vector>

#include "sourcetrace/risk/network_alerts.hpp"
#include "sourcetrace/risk/network_changes.hpp"
#include "sourcetrace/risk/network_lineage.hpp"
#include "sourcetrace/store/h5_file.hpp"

namespace sourcetrace::risk {

struct LineageRecord {
  RunChain chain;
  tables::Day as_of = 0;                 // risk.h5's
  std::vector<NetworkHistory> networks;  // per network of risk.h5
  std::vector<ChangeRow> changes;        // none on a chain's first run
  std::vector<Alert> alerts;             // ranked; none on a chain's first run
  // The previous run, when there was one: its folder as given, a digest
  // of the files read from it, and its as-of date.
  std::string previous_run, previous_digest;
  tables::Day previous_as_of = tables::kNoDay;
  std::string risk_digest;  // of risk.h5's networks and membership
  std::string job_digest;

  bool has_previous() const { return !previous_run.empty(); }
};

Status write_lineage(store::H5File& file, const LineageRecord& record);
Result<LineageRecord> read_lineage(const store::H5File& file);
// The same from a stage file's path (opened as a run file).
Result<LineageRecord> read_lineage_file(const std::string& path);

}  // namespace sourcetrace::risk
