// The `/targets` group of a stage file: the global source-elimination list
// that `sourcetrace targets` made (rows of targets.csv, in rank order).
#pragma once

#include <string>
#include <vector>

#include "sourcetrace/store/h5_file.hpp"
#include "sourcetrace/targets/elimination.hpp"

namespace sourcetrace::targets {

struct TargetRecord {
  // Per ranked target: its network's community id (not the merge index).
  std::vector<std::uint32_t> community;
  std::vector<RankedTarget> ranked;
  std::string risk_digest;  // of the risk file's network risks
  std::string job_digest;
};

Status write_targets(store::H5File& file, const TargetRecord& record);
Result<TargetRecord> read_targets(const store::H5File& file);
// The same from a stage file's path (opened as a run file).
Result<TargetRecord> read_targets_file(const std::string& path);

}  // namespace sourcetrace::targets
