// The score stage: graph.h5 + communities.h5 → risk.h5, the library call
// that `sourcetrace score` and `run` make.
//
// Cuts the networks out of the communities from their evidence
// (risk/network_cut.hpp), gives members role hints from the network's own
// flows, scores each network's risk with its reason, and each member's
// risk from the evidence spread over the combined graph. With `fit`, the
// evidence weights are first learned from the outcomes
// (risk/weight_fit.hpp) and the networks scored with them.
//
// Feedback: given the feedback journal (store/feedback_journal.hpp), the
// reports in it join the evidence here, not at ingest (risk/
// feedback_evidence.hpp), so that a report reruns score and what follows
// it, never ingest or detect; verdicts become outcomes for the fit.
#pragma once

#include <optional>
#include <string>

#include "sourcetrace/pipeline/job.hpp"
#include "sourcetrace/pipeline/run_folder.hpp"
#include "sourcetrace/pipeline/stage_progress.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::pipeline {

struct ScoreRequest {
  std::string graph, communities;
  std::string out;    // risk.h5 (written atomically)
  std::string as_of;  // YYYY-MM-DD; "" = the newest evidence date
  bool fit = false;   // also when the job's [risk] fit is true
  std::string feedback;  // the feedback journal to take reports and verdicts from; "" = none
};

struct ScoreReport {
  std::string summary;     // the stage's one-line summary
  std::string fit_report;  // what the fit learned, in lines ("" without fit)
};

Result<ScoreReport> score_networks(const ScoreRequest& request, const Job& job, const StageProgress& progress);

// Why the score stage of `run` must run, or nullopt when risk.h5 records
// this graph, this detection, these parameters and this engine build.
// `feedback` as in ScoreRequest: a journal that grew since risk.h5 took it
// makes the stage stale.
std::optional<std::string> score_staleness(const RunFolder& run, const Job& job, const std::string& graph_digest,
                                           const std::string& feedback = "");

// The journal `--feedback` names: a runs folder's (RUNS/feedback.jsonl) or
// the file itself.
std::string feedback_journal_path(const std::string& feedback);

}  // namespace sourcetrace::pipeline
