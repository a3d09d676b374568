// EliminationRanking: which few entities to take down to cut a suspected
// network's counterfeit supply at the source, best first.
//
// Greedy network interdiction: the problem of removing k nodes to minimise
// the max flow that remains is NP-hard (Wood, "Deterministic network
// interdiction", Math. Comput. Modelling 17(2), 1993), so we take, one at
// a time, the member whose removal (after the earlier picks) cuts the most
// remaining max flow, weighted by how hard that kind of member is to
// replace: a ring opens a new storefront in a day, a new factory in months.
// The flow model is SupplyFlow's (supply_flow.hpp).
//
// Speed (networks of a few hundred members): removing a member cuts at most
// the flow that passes through it in the current max flow (decompose that
// flow into paths; the paths avoiding the member still form a flow), so
// weight × through-flow bounds each candidate's score. Candidates are
// tried in order of that bound, each with one max-flow solve, and the
// round stops as soon as the next bound cannot beat the best exact score
// found, or after `exact_candidates` solves. Without that cap the pick is
// the exact greedy one; with it, it is the best of the most promising few.
//
// Ties (equal weighted cut, common in a chain where every link carries
// everything) go upstream first (source, distributor, storefront,
// collector: cut at the source), then to the larger through-flow, then to
// the lower vertex id, so the order is deterministic.
//
// Memory: one SupplyFlow. Threading: run() is serial; rank separate
// networks on separate threads.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "sourcetrace/graph/market_graph.hpp"
#include "sourcetrace/risk/role.hpp"
#include "sourcetrace/status.hpp"
#include "sourcetrace/targets/supply_flow.hpp"

namespace sourcetrace::targets {

struct EliminationOptions {
  // At most this many targets per network (>= 1).
  int max_targets = 16;
  // How hard a removed member is to replace, by role, in (0, ∞): the
  // weight on the flow it cuts. A storefront is a new seller account away;
  // a payout account needs identity documents; a distributor, a factory or
  // the collector that launders the takings are slow and costly to rebuild.
  double source_cost = 1.0;
  double distributor_cost = 1.0;
  double storefront_cost = 0.2;      // a storefront seller
  double payout_account_cost = 0.3;  // a storefront's own payout account
  double collector_cost = 1.0;
  // Exact max-flow solves per greedy round, most promising first (>= 1).
  int exact_candidates = 8;
  // Stop when the remaining flow is at most this share of the network's
  // flow, in [0, 1): nothing worth a takedown is left.
  double min_remaining_share = 1e-9;
  // Once the greedy has cut the flow, go on naming the upstream members it
  // did not pick (sources, distributors, collectors: slow to replace), by
  // the flow they carried before any removal. Their marginal gain is 0 —
  // the flow through them is already cut — but they are what would supply
  // the replacements of the storefronts and distributors taken down, so an
  // enforcement list names them too (after every network's real cuts).
  bool name_remaining_suppliers = true;
  // Check every computed flow with verify_flow (tests; costs a pass over
  // the arcs per solve); a failure makes run() return internal.
  bool verify = false;
};

Status validate(const EliminationOptions& options);

// One pick of the greedy, in the network's own order.
struct Target {
  graph::VertexId vertex = 0;
  risk::Role role = risk::Role::kLegit;
  // Share of the network's flow that this pick cuts given the earlier ones,
  // and that this and all earlier picks cut together (targets.csv `impact`).
  double marginal = 0;
  double impact = 0;
  // The replacement-cost weight it was picked with.
  double replacement_cost = 0;
  std::string reason;
};

struct EliminationStats {
  double network_flow = 0;          // the max flow with nobody removed
  std::uint64_t solves = 0;         // max-flow solves, all rounds
  std::uint64_t candidates_skipped = 0;  // ruled out by their bound alone
};

class EliminationRanking {
 public:
  // The graph is borrowed (it must outlive the object).
  EliminationRanking(const graph::MarketGraph& graph, std::vector<Member> members,
                     EliminationOptions options)
      : supply_(graph, std::move(members)), options_(options) {}

  // Returns invalid_argument for bad options, invalid_input for a bad
  // member list (see SupplyFlow::build), internal when `verify` finds a
  // flow that does not hold; otherwise ok (a network without flow gets no
  // targets).
  Status run();

  // REQUIRES: run() returned ok.
  const std::vector<Target>& targets() const { return targets_; }
  const EliminationStats& stats() const { return stats_; }
  // The flow model, with the picks removed (its last solve is the flow
  // that remains).
  const SupplyFlow& supply() const { return supply_; }

 private:
  double cost(std::size_t member) const;
  void name_remaining_suppliers(const std::vector<double>& original_through, double tolerance);
  Status solve_checked(double& value);

  SupplyFlow supply_;
  EliminationOptions options_;
  std::vector<Target> targets_;
  EliminationStats stats_;
};

// One row of the global target list.
struct RankedTarget {
  std::uint32_t rank = 0;     // 1-based
  std::uint32_t network = 0;  // index into the lists given to merge
  double weighted_gain = 0;   // marginal × network risk, the merge key
  Target target;
};

// The global order of targets.csv: merges per-network lists (each in its
// greedy order) by marginal gain × network risk. A merge, not a sort: at
// each step the best of the networks' next picks is taken, so a network's
// picks keep their own order even where a later pick gains more than an
// earlier one (interdiction gains are not monotone: two parallel routes
// each cut nothing alone). Equal keys go to the lower network index.
// Returns invalid_argument when the sizes differ or a risk is not in [0, 1].
Result<std::vector<RankedTarget>> merge_target_lists(std::span<const std::vector<Target>> lists,
                                                     std::span<const double> risks);

}  // namespace sourcetrace::targets
