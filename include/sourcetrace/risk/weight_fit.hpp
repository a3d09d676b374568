// Weight fit: learning the evidence weights from confirmed outcomes.
//
// The job's evidence weights are guesses. Some entities have an outcome:
// `enforcement_confirmed` (a counterfeiter, label 1) or `test_buy_genuine`
// (sold the real thing, label 0); an entity with both takes its newer row
// (a tie counts as confirmed). The risk model uses the weights of the other
// three signals — takedown, test_buy_counterfeit, complaint — to rate a
// network by its evidence per seller, so those are the features: per
// signal, the decayed row mass on the entity's network (of the partition
// the risk model rates), shrunk toward the market's rate exactly as
// network_risk does: (mass + prior_sellers × market rate) / (sellers +
// prior_sellers). The outcome signals are the labels, never features; nor
// is anything written through the service (brands and investigators act on
// what the engine ranked first), whose test-buys label either way.
// Members of a network share its features, so a network's labelled
// entities are one example per class, weighing their share of them: every
// labelled network weighs 1 (a verdict that labels hundreds of members of
// one network would otherwise outweigh every other outcome).
//
// Model: L2-regularised logistic regression (logistic.hpp) with
// non-negative coefficients (a signal that lowers the odds of confirmation
// is dropped and the rest refitted, so the quality reported is that of the
// weights used). Quality is k-fold
// cross-validated with folds grouped by network (members of one network
// share its features: splitting by entity would leak), a network's fold a
// fixed hash of its id. The AUC counts the (confirmed, genuine) pairs held
// out in the same fold (pooling all folds would mix models that differ in
// offset and penalise them against the job's fixed score); AUC and log-loss
// weigh the examples as the fit does. The job's weights
// are scored on the same held-out examples: their linear score gives an AUC
// as it is, and a log-loss once scaled by a one-feature logistic fit on the
// training folds.
//
// The learned weights are the coefficients on the raw scale, rescaled so
// that the three sum to what the job's three sum to (only their ratios are
// learned; the scale against enforcement_confirmed and test_buy_genuine,
// which keep the job's weights as does half_life_days, is the job's).
// Too few outcomes of a class, too few folds holding both, or learned
// weights that do not rank the held-out outcomes better than the job's by
// `min_auc_gain` (AUC), or do so in fewer than `confidence` of 200
// bootstrap resamples of the labelled networks (the gain could be chance),
// give a fit that is not `fitted`, says why, and carries the job's weights.
//
// Deterministic: sequential; the resamples are a fixed hash sequence.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "sourcetrace/community/partition.hpp"
#include "sourcetrace/graph/market_graph.hpp"
#include "sourcetrace/risk/evidence_score.hpp"
#include "sourcetrace/risk/feedback_evidence.hpp"
#include "sourcetrace/status.hpp"
#include "sourcetrace/tables/contract.hpp"

namespace sourcetrace::risk {

// The signals whose weights are learned, in the order of the coefficients.
inline constexpr std::array<tables::Signal, 3> kPredictorSignals = {
    tables::Signal::kTakedown, tables::Signal::kTestBuyCounterfeit, tables::Signal::kComplaint};

struct FitOptions {
  double prior_sellers = 50.0;      // as NetworkRiskOptions::prior_sellers (> 0)
  std::uint32_t folds = 5;          // cross-validation folds (>= 2)
  std::uint32_t min_per_class = 10; // fewer outcomes of a class: not fitted (>= 1)
  double l2 = 1.0;                  // ridge penalty on the standardised coefficients (> 0)
  // The held-out AUC the learned weights must gain over the job's to be
  // used, in [0, 1): held out from a few hundred outcomes, AUC moves by
  // about 0.01 from one split to the next, and weights learned from noise
  // rank the rings worse than the job's. 0: any gain (an equal AUC with a
  // lower log-loss too).
  double min_auc_gain = 0.01;
  // The share of bootstrap resamples of the labelled networks in which the
  // learned weights must rank the held-out outcomes better, in [0, 1].
  double confidence = 0.95;
};

Status validate(const FitOptions& options);

// Held-out quality of a model.
struct FitQuality {
  double auc = 0.5;       // held-out confirmed ranked above genuine, same fold; 1 = perfect
  double log_loss = 0.0;  // mean negative log-likelihood, nats
};

struct WeightFit {
  bool fitted = false;
  std::string reason;         // why not fitted ("" when fitted)
  EvidenceWeights weights;    // to score with: the learned ones, or the job's
  EvidenceWeights job_weights;
  // Per predictor signal: log-odds per unit of shrunk network rate (rows per
  // seller); 0 for a dropped signal. All 0 when too few outcomes to fit.
  std::array<double, kPredictorSignals.size()> coefficients{};
  double intercept = 0;
  FitQuality cv_fitted, cv_job;
  double confidence = 0;  // resamples in which the learned weights ranked better; 0 when not measured
  std::uint32_t positives = 0, negatives = 0;  // examples of each class
  std::uint32_t networks = 0;                  // networks holding an example
  std::uint32_t folds = 0;                     // folds holding both classes
  tables::Day as_of = 0;
  FitOptions options;
};

// `networks`: the networks the risk model rates (in score, the supply
// networks). `feedback`: what the run took from the journal, its reports
// merged into graph's evidence (merge_feedback) — outcomes only, never
// features (brands and investigators act on the networks the engine ranked
// first): a test-buy labels its entity either way (test_buy_counterfeit
// confirmed, test_buy_genuine genuine), takedowns and complaints are
// neither feature nor label; its verdicts
// (confirmed / cleared) are outcomes newer than any evidence row, so an
// entity a verdict labels takes the verdict's label. REQUIRES: `networks`
// covers graph's entities; validate(job_weights) and validate(options) are
// ok (else that Status is returned); feedback merged (else
// kInvalidArgument).
Result<WeightFit> fit_evidence_weights(const graph::MarketGraph& graph,
                                       const community::Partition& networks,
                                       const EvidenceWeights& job_weights, tables::Day as_of,
                                       const FitOptions& options, const FeedbackEvidence& feedback = {});

// A few lines for a person: counts, held-out quality against the job's
// weights, the weights learned (or the reason there are none).
std::string describe(const WeightFit& fit);

}  // namespace sourcetrace::risk
