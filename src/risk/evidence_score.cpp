// Evidence scores: signal weight × exponential decay with age.
#include "sourcetrace/risk/evidence_score.hpp"

#include <algorithm>
#include <cmath>

namespace sourcetrace::risk {

Status validate(const EvidenceWeights& w) {
  for (double x : {w.takedown, w.test_buy_counterfeit, w.test_buy_genuine, w.complaint,
                   w.enforcement_confirmed}) {
    if (!(x >= 0) || !std::isfinite(x)) return Status::invalid_argument("evidence weights must be >= 0");
  }
  if (!(w.half_life_days > 0)) return Status::invalid_argument("half_life_days must be > 0");
  return Status::ok();
}

tables::Day newest_evidence_day(const graph::MarketGraph& g) {
  if (g.evidence.day.empty()) return tables::kNoDay;
  return *std::max_element(g.evidence.day.begin(), g.evidence.day.end());
}

EvidenceScores score_evidence(const graph::MarketGraph& g, const EvidenceWeights& w, tables::Day as_of) {
  EvidenceScores s;
  s.as_of = as_of;
  s.positive.assign(g.num_entities(), 0.0);
  s.negative.assign(g.num_entities(), 0.0);
  using tables::Signal;
  for (std::size_t i = 0; i < g.evidence.size(); ++i) {
    const tables::Day day = g.evidence.day[i];
    if (day > as_of) continue;
    const double decay = std::exp2(-static_cast<double>(as_of - day) / w.half_life_days);
    const graph::VertexId v = g.evidence.entity[i];
    switch (static_cast<Signal>(g.evidence.signal[i])) {
      case Signal::kTakedown: s.positive[v] += w.takedown * decay; break;
      case Signal::kTestBuyCounterfeit: s.positive[v] += w.test_buy_counterfeit * decay; break;
      case Signal::kComplaint: s.positive[v] += w.complaint * decay; break;
      case Signal::kEnforcementConfirmed: s.positive[v] += w.enforcement_confirmed * decay; break;
      case Signal::kTestBuyGenuine: s.negative[v] += w.test_buy_genuine * decay; break;
    }
  }
  return s;
}

}  // namespace sourcetrace::risk
