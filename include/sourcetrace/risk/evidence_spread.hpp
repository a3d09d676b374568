// Evidence spread: suspicion that flows from reported entities to their
// unreported neighbours.
//
// Reports land on storefronts (brands test-buy and take down what they can
// see); the distributor that stocks five reported storefronts, or the
// account they all pay, is never reported itself. Spreading the evidence
// over the combined graph (typed, weighted layers with hubs damped:
// graph/combined_graph.hpp) gives it the suspicion its position earns.
//
// Method: label spreading (Zhou, Bousquet, Lal, Weston & Schölkopf,
// "Learning with local and global consistency", NIPS 2003):
//
//   f ← e + α D^{-1/2} W D^{-1/2} f
//
// from f = e, the decayed positive evidence per entity (Zhou et al.'s
// iteration divided by 1 − α, so that an entity with no neighbours keeps
// exactly its own evidence); α weighs what comes from the neighbours. The symmetric
// normalisation keeps a hub from collecting everyone's suspicion (a random
// walk would pile it up in proportion to degree). It converges for α < 1;
// a fixed number of rounds is plenty at α = 0.5 (the error shrinks by α per
// round). Pull-based rounds on all cores, the same result on any number of
// threads.
//
// An entity's own risk: s / (s + one_report), where one_report is the weight
// of one takedown: one takedown's worth of suspicion, on the entity or
// spread from around it, is an even chance.
#pragma once

#include <span>
#include <vector>

#include "sourcetrace/graph/csr.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::risk {

struct SpreadOptions {
  double alpha = 0.5;  // in [0, 1)
  int rounds = 20;     // >= 0
};

Status validate(const SpreadOptions& options);

// REQUIRES: combined is symmetric with non-negative weights;
// evidence.size() == combined.num_vertices().
std::vector<double> spread_evidence(const graph::Csr& combined, std::span<const double> evidence,
                                    const SpreadOptions& options);

// s / (s + one_report), in [0, 1).
inline double own_risk(double suspicion, double one_report) {
  return suspicion > 0 ? suspicion / (suspicion + one_report) : 0.0;
}

// A member's risk: its network's, raised by its own suspicion (either alone
// is enough): 1 − (1 − network) × (1 − own).
inline double member_risk(double network_risk, double suspicion, double one_report) {
  return 1.0 - (1.0 - network_risk) * (1.0 - own_risk(suspicion, one_report));
}

}  // namespace sourcetrace::risk
