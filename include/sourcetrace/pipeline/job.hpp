// Job: a job file (TOML, jobs/default.toml documents every key) read into
// the library's options structs, with every parameter's value as used.
// Unknown keys are errors, so a typo never silently falls back to a
// default.
//
// Each stage's output records a digest of exactly the parameters that
// stage reads (stage_digest), not of the file's text, so that a run
// reruns a stage only when one of them changed: a comment, a reordered
// key or a default written out changes nothing, and `[export] min_risk`
// reruns what reads it (targets, export), not detect or score.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "sourcetrace/community/leiden.hpp"
#include "sourcetrace/community/round_leiden.hpp"
#include "sourcetrace/graph/combined_graph.hpp"
#include "sourcetrace/risk/evidence_score.hpp"
#include "sourcetrace/risk/evidence_spread.hpp"
#include "sourcetrace/risk/network_risk.hpp"
#include "sourcetrace/risk/network_alerts.hpp"
#include "sourcetrace/risk/network_changes.hpp"
#include "sourcetrace/risk/network_cut.hpp"
#include "sourcetrace/risk/network_lineage.hpp"
#include "sourcetrace/risk/weight_fit.hpp"
#include "sourcetrace/targets/elimination.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::pipeline {

struct Job {
  graph::CombineOptions combine;
  // [detect]: Leiden's options, and where levels move in rounds instead
  // (gather_below, rounds: the rest of community::RoundLeidenOptions).
  community::LeidenOptions detect;
  std::uint64_t gather_below = community::RoundLeidenOptions{}.gather_vertices;
  int rounds = community::RoundLeidenOptions{}.rounds;
  bool warm_start = true;  // from the previous run's communities, when there is one
  community::RoundLeidenOptions detect_levels() const { return {detect, gather_below, rounds}; }
  risk::EvidenceWeights evidence;
  // [risk] fit: learn the weights from the outcomes (evidence outcomes and
  // verdicts) on every run, keeping the job's when the fit is not better;
  // fit_min_per_class: outcomes of each class it needs; fit_min_auc_gain:
  // the held-out AUC it must gain over the job's weights; fit_confidence:
  // the share of bootstrap resamples in which it must gain.
  bool fit = true;
  risk::FitOptions fit_options;
  risk::NetworkRiskOptions network_risk;
  risk::SpreadOptions spread;
  risk::NetworkCutOptions network_cut;
  risk::LineageOptions lineage;  // [continuity]
  risk::ChangeOptions changes;   // [changes]
  risk::AlertOptions alerts;     // [alerts]
  targets::EliminationOptions elimination;
  double min_risk = 0.2;  // [export] networks at or above this risk are listed
  // [trace] the service's trace does not expand an entity with more
  // shipment or payment links than this one way (a hub: a marketplace
  // fulfilment warehouse, a payment processor); the served run's value.
  int trace_max_fanout = 25;
  std::string path;    // "" = the built-in defaults
  std::string digest;  // of the file's text ("" for the defaults), for summary.json
  // Every parameter's value as used, by section (for summary.json and the
  // stage digests); [risk] holds weights_from's weights when it names a fit.
  nlohmann::json parameters = nlohmann::json::object();

  // The digest (32 hex digits) of the parameters `stage` reads:
  //   detect   [combine] and [detect] (and, warm-started, the previous
  //            run's communities: detect_stage.hpp)
  //   score    [combine] and [risk]
  //   track    [continuity], [changes], [alerts] and [export] min_risk
  //            (changes and alerts list the networks at or above it)
  //   targets  [targets] and [export] min_risk (it ranks the networks at
  //            or above it)
  // Only those four stages record one (ingest reads no job; export
  // always runs). REQUIRES: stage is "detect", "score", "track" or
  // "targets".
  std::string stage_digest(std::string_view stage) const;
};

// Reads `path`; an empty path gives the built-in defaults (equal to
// jobs/default.toml).
Result<Job> load_job(const std::string& path);

// A job digest with evidence weights folded in: for weights that are not the
// job file's own ([risk] weights_from, `score --fit`), so that outputs made
// with other weights never pass for current.
std::string digest_with_weights(const std::string& digest, const risk::EvidenceWeights& weights);

}  // namespace sourcetrace::pipeline
