// Job files (TOML, jobs/default.toml documents every key): read into the
// library's options structs. Only cli reads them; the library takes the
// structs. Unknown keys are errors, so a typo never silently falls back to
// a default.
#pragma once

#include <string>

#include "sourcetrace/community/leiden.hpp"
#include "sourcetrace/graph/combined_graph.hpp"
#include "sourcetrace/risk/evidence_score.hpp"
#include "sourcetrace/risk/network_risk.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::cli {

struct Job {
  graph::CombineOptions combine;
  community::LeidenOptions detect;
  risk::EvidenceWeights evidence;
  risk::NetworkRiskOptions network_risk;
  double min_risk = 0.2;  // [export] networks at or above this risk are listed
  std::string path;    // "" = the built-in defaults
  std::string digest;  // of the file's text ("" for the defaults)
};

// Reads `path`; an empty path gives the built-in defaults (equal to
// jobs/default.toml).
Result<Job> load_job(const std::string& path);

}  // namespace sourcetrace::cli
