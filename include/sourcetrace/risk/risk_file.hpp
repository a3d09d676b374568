// The `/risk` group of a stage file: what `sourcetrace score` found.
//
// Per entity: role hint, decayed positive and negative evidence. Per
// network (community of the detection it scored): risk, its two parts,
// counts and the reason in words. As attributes: the as-of date, the
// options, and the digests of the inputs. Schema in docs/run-h5.md.
#pragma once

#include <string>
#include <vector>

#include "sourcetrace/risk/evidence_score.hpp"
#include "sourcetrace/risk/network_risk.hpp"
#include "sourcetrace/risk/role.hpp"
#include "sourcetrace/store/h5_file.hpp"

namespace sourcetrace::risk {

struct RiskRecord {
  EvidenceWeights weights;
  NetworkRiskOptions options;
  tables::Day as_of = 0;
  std::string graph_digest;        // graph.h5's input digest
  std::string communities_digest;  // digest of the membership scored
  std::string job_digest;
  std::vector<Role> roles;             // per entity
  EvidenceScores scores;               // per entity
  std::vector<NetworkRisk> networks;   // per community
};

Status write_risk(store::H5File& file, const RiskRecord& record);
Result<RiskRecord> read_risk(const store::H5File& file);
// The same from a stage file's path (opened as a run file).
Result<RiskRecord> read_risk_file(const std::string& path);

}  // namespace sourcetrace::risk
