// Job files (TOML, jobs/default.toml documents every key): read into the
// library's options structs. Only cli reads them; the library takes the
// structs. Unknown keys are errors, so a typo never silently falls back to
// a default.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "sourcetrace/community/leiden.hpp"
#include "sourcetrace/community/round_leiden.hpp"
#include "sourcetrace/graph/combined_graph.hpp"
#include "sourcetrace/risk/evidence_score.hpp"
#include "sourcetrace/risk/evidence_spread.hpp"
#include "sourcetrace/risk/network_risk.hpp"
#include "sourcetrace/risk/network_cut.hpp"
#include "sourcetrace/targets/elimination.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::cli {

struct Job {
  graph::CombineOptions combine;
  // [detect]: Leiden's options, and where levels move in rounds instead
  // (gather_below, rounds: the rest of community::RoundLeidenOptions).
  community::LeidenOptions detect;
  std::uint64_t gather_below = community::RoundLeidenOptions{}.gather_vertices;
  int rounds = community::RoundLeidenOptions{}.rounds;
  community::RoundLeidenOptions detect_levels() const { return {detect, gather_below, rounds}; }
  risk::EvidenceWeights evidence;
  risk::NetworkRiskOptions network_risk;
  risk::SpreadOptions spread;
  risk::NetworkCutOptions network_cut;
  targets::EliminationOptions elimination;
  double min_risk = 0.2;  // [export] networks at or above this risk are listed
  std::string path;    // "" = the built-in defaults
  std::string digest;  // of the file's text ("" for the defaults), and weights_from's weights
  // Every parameter's value as used, by section (for summary.json).
  nlohmann::json parameters = nlohmann::json::object();
};

// Reads `path`; an empty path gives the built-in defaults (equal to
// jobs/default.toml).
Result<Job> load_job(const std::string& path);

// A job digest with evidence weights folded in: for weights that are not the
// job file's own ([risk] weights_from, `score --fit`), so that outputs made
// with other weights never pass for current.
std::string digest_with_weights(const std::string& digest, const risk::EvidenceWeights& weights);

}  // namespace sourcetrace::cli
