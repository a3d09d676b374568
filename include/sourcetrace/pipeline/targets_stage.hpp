// The targets stage: graph.h5 + communities.h5 + risk.h5 → targets.h5,
// the library call that `sourcetrace targets` and `run` make: per network
// at or above [export] min_risk, the greedy source-elimination ranking on
// its supply flow (targets/elimination.hpp), merged into one global list.
#pragma once

#include <optional>
#include <string>

#include "sourcetrace/pipeline/job.hpp"
#include "sourcetrace/pipeline/run_folder.hpp"
#include "sourcetrace/pipeline/stage_progress.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::pipeline {

struct TargetsRequest {
  std::string graph, communities, risk;
  std::string out;  // targets.h5 (written atomically)
};

struct TargetsReport {
  std::string summary;  // the stage's one-line summary
};

Result<TargetsReport> rank_targets(const TargetsRequest& request, const Job& job, const StageProgress& progress);

// Why the targets stage of `run` must run, or nullopt when targets.h5
// records these risks, these parameters and this engine build.
std::optional<std::string> targets_staleness(const RunFolder& run, const Job& job);

}  // namespace sourcetrace::pipeline
