// The `/risk` group of a stage file: what `sourcetrace score` found.
//
// Per entity: role hint, decayed positive and negative evidence. Per
// network (community of the detection it scored): risk, its two parts,
// counts and the reason in words. As attributes: the as-of date, the
// options, and the digests of the inputs. When score fitted the weights
// (`--fit`), the fit in the subgroup `/risk/fit`, which a later job can take
// its weights from. Schema in docs/run-h5.md.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sourcetrace/graph/market_graph.hpp"
#include "sourcetrace/risk/evidence_score.hpp"
#include "sourcetrace/risk/feedback_evidence.hpp"
#include "sourcetrace/risk/network_risk.hpp"
#include "sourcetrace/risk/role.hpp"
#include "sourcetrace/risk/weight_fit.hpp"
#include "sourcetrace/store/graph_file.hpp"
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
  // Per entity, its network: a supply line or a community's rest
  // (risk/supply_network.hpp); indexes `networks`.
  std::vector<std::uint32_t> network;
  // Per entity: evidence spread over the combined graph
  // (risk/evidence_spread.hpp), and the member risk it gives.
  std::vector<double> suspicion, member_risk;
  std::vector<NetworkRisk> networks;   // per network
  std::optional<WeightFit> fit;        // absent when score ran without --fit
  FeedbackEvidence feedback;           // what score took from the feedback journal (empty: none)
};

Status write_risk(store::H5File& file, const RiskRecord& record);
Result<RiskRecord> read_risk(const store::H5File& file);
// The same from a stage file's path (opened as a run file).
Result<RiskRecord> read_risk_file(const std::string& path);
// `/risk/fit` alone (write_risk and read_risk call these): not_found when
// the file has none.
Status write_weight_fit(store::H5File& file, const WeightFit& fit);
Result<WeightFit> read_weight_fit(const store::H5File& file);
Result<WeightFit> read_weight_fit_file(const std::string& path);

// A run's graph.h5 and risk.h5 as every stage after score reads them: the
// feedback score took merged into the graph's evidence (merge_feedback),
// so that counts, brands and risk agree with what was scored. The layers
// are read unless `layers` is kNone.
struct ScoredMarket {
  graph::MarketGraph graph;
  RiskRecord risk;
};
Result<ScoredMarket> read_scored_market(const std::string& graph_path, const std::string& risk_path,
                                        store::LayerRead layers = store::LayerRead::kAll);

}  // namespace sourcetrace::risk
