// Evidence scores: what is known against each entity, as one number.
//
// Every evidence row (docs/tables.md) carries a weight by signal —
// enforcement confirmations and counterfeit test-buys count most, a
// takedown less (platforms take down on notice, sometimes wrongly), a
// complaint little, and a genuine test-buy counts against — and fades with
// age: a row `age` days older than the as-of date counts
// 0.5^(age / half_life_days). Rows dated after the as-of date are ignored
// (a run as of last month must not see this week's reports).
//
// Positive and negative evidence are kept apart: a ring storefront that
// sold one genuine item among fakes is not cleared by it, and the network
// risk weighs the two differently.
#pragma once

#include <vector>

#include "sourcetrace/graph/market_graph.hpp"
#include "sourcetrace/status.hpp"
#include "sourcetrace/tables/contract.hpp"

namespace sourcetrace::risk {

struct EvidenceWeights {
  double takedown = 1.0;
  double test_buy_counterfeit = 2.0;
  double test_buy_genuine = 1.0;  // counts against (in `negative`)
  double complaint = 0.05;  // consumer dissatisfaction, mostly about honest sellers
  double enforcement_confirmed = 4.0;
  double half_life_days = 365.0;  // > 0
};

Status validate(const EvidenceWeights& weights);

struct EvidenceScores {
  std::vector<double> positive;  // per entity, >= 0
  std::vector<double> negative;  // per entity, >= 0 (genuine test-buys)
  tables::Day as_of = 0;
};

// The newest evidence date in the graph (the default as-of date), or
// kNoDay when there is no evidence.
tables::Day newest_evidence_day(const graph::MarketGraph& graph);

// REQUIRES: validate(weights) is ok.
EvidenceScores score_evidence(const graph::MarketGraph& graph, const EvidenceWeights& weights,
                              tables::Day as_of);

}  // namespace sourcetrace::risk
