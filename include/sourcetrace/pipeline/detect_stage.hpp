// The detect stage: graph.h5 → communities.h5 (and, when asked, the
// partition as TSV), the library call that `sourcetrace detect` and `run`
// make.
//
// On one node it combines the layers and runs community::RoundLeiden;
// started as several MPI ranks (dist::MpiSession) every rank calls it, each
// reads its slice of graph.h5, the ranks detect together
// (dist::DistributedLeiden) and rank 0 writes the same outputs one node
// writes. communities.h5 records the digest of the [combine] and [detect]
// parameters as used, the command line's overrides included.
//
// Warm start: given the previous run (and [detect] warm_start, the
// default), detection starts from the previous run's communities mapped
// onto today's entities by kind and identifier, each new entity alone
// (community::RoundDriver::start_from, on one node and on ranks alike);
// the digest communities.h5 records then folds in the previous
// partition's, so another previous run reruns detect.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sourcetrace/community/leiden.hpp"
#include "sourcetrace/pipeline/job.hpp"
#include "sourcetrace/pipeline/run_folder.hpp"
#include "sourcetrace/pipeline/stage_progress.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::pipeline {

// What `sourcetrace detect`'s flags override in the job's [detect].
struct DetectOverrides {
  std::optional<community::LeidenOptions::Method> method;
  std::optional<double> resolution;  // also clears the density
  std::optional<double> density;
  std::optional<std::uint64_t> seed;
  std::optional<bool> deterministic;
  std::optional<std::uint64_t> gather_below;
  std::optional<int> rounds;
};

// The job's [detect] for the graph at `graph_path` with `overrides`
// applied, and recorded in job.parameters["detect"] (what the stage digest
// covers). A plain graph (an edge list) is partitioned by modularity
// unless a density is given: the job's density is for marketplaces.
Status prepare_detect(const std::string& graph_path, const DetectOverrides& overrides, Job& job);

struct DetectRequest {
  std::string graph;          // graph.h5
  std::string out;            // communities.h5 (written atomically)
  std::string partition_out;  // "" or a TSV: key<TAB>community per vertex
  std::string previous;       // "" or the previous complete run, to warm-start from
  // "" or a Matrix Market file (graph/matrix_market.hpp): the combined graph
  // detect runs on, for other tools to be timed and scored on. One node only.
  std::string write_combined;
};

struct DetectReport {
  std::string summary;  // the stage's one-line summary (rank 0; "" elsewhere)
};

// Runs the stage with `job` as prepare_detect left it. Under MPI every rank
// calls it and gets the same status.
Result<DetectReport> detect_communities(const DetectRequest& request, const Job& job, const StageProgress& progress);

// Why the detect stage of `run` must run, or nullopt when communities.h5
// records this graph, these parameters and this engine build.
std::optional<std::string> detect_staleness(const RunFolder& run, const Job& job, const std::string& graph_digest,
                                            const std::string& previous = "");

// The digest communities.h5 records for `job` and, when it warm-starts,
// the previous run's partition.
Result<std::string> detect_digest(const Job& job, const std::string& previous);

}  // namespace sourcetrace::pipeline
