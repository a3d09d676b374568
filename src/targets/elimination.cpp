// EliminationRanking: greedy node interdiction of max flow (Wood 1993 for
// the problem; the greedy with replacement-cost weights, and the pruning
// by through-flow bounds, are described in the header).
//
// Each round of run():
//   1. candidates: present members that carry flow in the current max
//      flow, with bound = replacement cost × flow through them
//   2. in order of bound, remove each, solve, put it back; stop when the
//      next bound cannot beat the best exact score, or after
//      exact_candidates solves
//   3. remove the best for good; its cut (given the earlier picks) and the
//      cumulative cut become the target's marginal and impact
// Rounds stop at max_targets or when (almost) no flow is left.
//
// When no single removal cuts anything (every goods route has a twin that
// takes over), the round still picks the candidate with the largest bound:
// alone it cuts nothing, but with its twin it does, and the next round
// will find the twin. Its reason says so.
#include "sourcetrace/targets/elimination.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <queue>

namespace sourcetrace::targets {

using risk::Role;

namespace {

// Where a role sits in the supply chain: ties go upstream.
int upstream_rank(Role role) { return static_cast<int>(role); }

std::string percent(double share) {
  if (share > 0 && share < 0.005) return "<1%";
  return fmt::format("{:.0f}%", 100 * share);
}

std::string count_of(std::uint32_t n, std::string_view noun) {
  return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s");
}

// "a", "a and b", "a, b and c".
std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t k = 0; k < parts.size(); ++k) {
    if (k > 0) out += k + 1 == parts.size() ? " and " : ", ";
    out += parts[k];
  }
  return out;
}

// What the member is and whom it serves, in words an investigator reads.
// How much flow passes through a member in "the" max flow would be a poor
// number to show: max flows are not unique, and a solver may route all of
// a source's share through its twin. The cut is exact, so the reason
// states that instead (see run()).
std::string describe(const graph::MarketGraph& market, const Member& member, const MemberFacts& f) {
  const EntityKind kind = market.kind(member.vertex);
  const std::uint32_t* to = f.sends_to;
  const auto dist = static_cast<int>(Role::kDistributor), store = static_cast<int>(Role::kStorefront);
  const auto coll = static_cast<int>(Role::kCollector);
  switch (member.role) {
    case Role::kSource:
    case Role::kDistributor: {
      const bool source = member.role == Role::kSource;
      std::string what = source ? (kind == EntityKind::kWarehouse ? "source (factory)"
                                                                  : fmt::format("source ({})", entity_kind_name(kind)))
                                : fmt::format("distributor ({})", entity_kind_name(kind));
      std::vector<std::string> fed;
      if (to[dist] > 0) fed.push_back(count_of(to[dist], "distributor"));
      if (to[store] > 0) fed.push_back(count_of(to[store], "storefront"));
      what += fed.empty() ? ": feeds no member" : ": feeds " + join(fed);
      if (!source && f.entry) what += ", its own supplier unknown";
      return what;
    }
    case Role::kStorefront:
      if (f.payout_account) return "storefront payout account: pays " + count_of(to[coll], "collector");
      return fmt::format("storefront ({}): {}", entity_kind_name(kind),
                         f.receives_from > 0 ? "stocked by " + count_of(f.receives_from, "network supplier")
                                             : std::string("stocked from outside the network"));
    case Role::kCollector:
      return fmt::format("collector ({}): collects from {}", entity_kind_name(kind),
                         count_of(f.receives_from, "storefront"));
    case Role::kLegit:
      break;
  }
  return "legit";
}

}  // namespace

Status validate(const EliminationOptions& o) {
  if (o.max_targets < 1) return Status::invalid_argument("targets: max_targets must be at least 1");
  for (double c : {o.source_cost, o.distributor_cost, o.storefront_cost, o.payout_account_cost,
                   o.collector_cost}) {
    if (!(c > 0) || !std::isfinite(c)) {
      return Status::invalid_argument("targets: replacement costs must be positive and finite");
    }
  }
  if (o.exact_candidates < 1) return Status::invalid_argument("targets: exact_candidates must be at least 1");
  if (!(o.min_remaining_share >= 0 && o.min_remaining_share < 1)) {
    return Status::invalid_argument("targets: min_remaining_share must be in [0, 1)");
  }
  return Status::ok();
}

double EliminationRanking::cost(std::size_t i) const {
  switch (supply_.member(i).role) {
    case Role::kSource: return options_.source_cost;
    case Role::kDistributor: return options_.distributor_cost;
    case Role::kStorefront:
      return supply_.facts(i).payout_account ? options_.payout_account_cost : options_.storefront_cost;
    case Role::kCollector: return options_.collector_cost;
    case Role::kLegit: return 0;
  }
  return 0;
}

Status EliminationRanking::solve_checked(double& value) {
  value = supply_.solve();
  ++stats_.solves;
  if (options_.verify) {
    const std::string problem = verify_flow(supply_.solution());
    if (!problem.empty()) return Status::internal("targets: max flow does not hold: " + problem);
  }
  return Status::ok();
}

Status EliminationRanking::run() {
  ST_RETURN_IF_ERROR(validate(options_));
  targets_.clear();
  stats_ = {};
  ST_RETURN_IF_ERROR(supply_.build());
  double flow = 0;
  ST_RETURN_IF_ERROR(solve_checked(flow));
  const double network_flow = flow;
  stats_.network_flow = network_flow;
  if (!(network_flow > 0)) return Status::ok();

  const std::size_t m = supply_.num_members();
  // Flows are sums of doubles: differences below this are rounding.
  const double tolerance = 1e-9 * network_flow;
  std::vector<double> original_through(m);
  for (std::size_t i = 0; i < m; ++i) original_through[i] = supply_.through(i);

  struct Candidate {
    std::size_t member;
    double through, bound;
    double cut = 0, score = 0;
  };
  auto vertex = [&](const Candidate& c) { return supply_.member(c.member).vertex; };
  auto role = [&](const Candidate& c) { return upstream_rank(supply_.member(c.member).role); };
  // The tie-break of the header: upstream, then through-flow, then id.
  // Exact comparisons, so that it is a strict weak order for the sort.
  auto tie_before = [&](const Candidate& a, const Candidate& b) {
    if (role(a) != role(b)) return role(a) < role(b);
    if (a.through != b.through) return a.through > b.through;
    return vertex(a) < vertex(b);
  };

  std::vector<Candidate> candidates;
  while (static_cast<int>(targets_.size()) < options_.max_targets &&
         flow > options_.min_remaining_share * network_flow + tolerance) {
    // 1. Candidates and their bounds.
    candidates.clear();
    for (std::size_t i = 0; i < m; ++i) {
      if (supply_.removed(i) || supply_.member(i).role == Role::kLegit) continue;
      const double through = supply_.through(i);
      if (through > tolerance) candidates.push_back({i, through, through * cost(i)});
    }
    if (candidates.empty()) break;  // cannot happen while flow > 0; be safe
    std::sort(candidates.begin(), candidates.end(), [&](const Candidate& a, const Candidate& b) {
      if (a.bound != b.bound) return a.bound > b.bound;
      return tie_before(a, b);
    });

    // 2. Exact cuts, most promising first.
    std::size_t best = candidates.size();
    int solved = 0;
    for (std::size_t k = 0; k < candidates.size(); ++k) {
      Candidate& c = candidates[k];
      if ((best < candidates.size() && c.bound < candidates[best].score - tolerance) ||
          solved == options_.exact_candidates) {
        stats_.candidates_skipped += candidates.size() - k;
        break;
      }
      supply_.set_removed(c.member, true);
      double without = 0;
      const Status st = solve_checked(without);
      supply_.set_removed(c.member, false);
      ST_RETURN_IF_ERROR(st);
      ++solved;
      c.cut = std::max(0.0, flow - without);
      c.score = c.cut * cost(c.member);
      if (best == candidates.size() || c.score > candidates[best].score + tolerance ||
          (c.score >= candidates[best].score - tolerance && tie_before(c, candidates[best]))) {
        best = k;
      }
    }
    // No single removal cuts anything: take the largest carrier (see top).
    if (candidates[best].cut <= tolerance) best = 0;

    // 3. The pick.
    const Candidate& pick = candidates[best];
    supply_.set_removed(pick.member, true);
    const double before = flow;
    ST_RETURN_IF_ERROR(solve_checked(flow));
    Target t;
    t.vertex = supply_.member(pick.member).vertex;
    t.role = supply_.member(pick.member).role;
    t.marginal = std::max(0.0, before - flow) / network_flow;
    t.impact = std::clamp(1.0 - flow / network_flow, 0.0, 1.0);
    t.replacement_cost = cost(pick.member);
    t.reason = describe(supply_.graph(), supply_.member(pick.member), supply_.facts(pick.member));
    if (t.marginal * network_flow <= tolerance) {
      t.reason += "; cuts nothing alone (another route takes over)";
    } else if (targets_.empty()) {
      t.reason += "; removing it cuts " + percent(t.marginal) + " of the network's supply";
    } else {
      t.reason += fmt::format("; removing it cuts a further {} of the network's supply ({} with the targets above)",
                              percent(t.marginal), percent(t.impact));
    }
    targets_.push_back(std::move(t));
  }
  if (options_.name_remaining_suppliers) name_remaining_suppliers(original_through, tolerance);
  return Status::ok();
}

void EliminationRanking::name_remaining_suppliers(const std::vector<double>& original_through,
                                                  double tolerance) {
  // Goods a source or distributor carried before any pick; the takings
  // (money rescaled to units) a collector receives.
  auto carried = [&](std::size_t i) {
    return supply_.member(i).role == Role::kCollector ? supply_.facts(i).units_in : original_through[i];
  };
  std::vector<std::size_t> rest;
  for (std::size_t i = 0; i < supply_.num_members(); ++i) {
    const Role r = supply_.member(i).role;
    const bool upstream = r == Role::kSource || r == Role::kDistributor || r == Role::kCollector;
    if (upstream && !supply_.removed(i) && carried(i) > tolerance) rest.push_back(i);
  }
  // Most flow carried (weighted by how hard it is to replace) first; then
  // upstream first, then the lower vertex id.
  std::sort(rest.begin(), rest.end(), [&](std::size_t a, std::size_t b) {
    const double ka = carried(a) * cost(a), kb = carried(b) * cost(b);
    if (ka != kb) return ka > kb;
    const int ra = upstream_rank(supply_.member(a).role), rb = upstream_rank(supply_.member(b).role);
    if (ra != rb) return ra < rb;
    return supply_.member(a).vertex < supply_.member(b).vertex;
  });
  const double impact = targets_.empty() ? 0.0 : targets_.back().impact;
  for (std::size_t i : rest) {
    if (static_cast<int>(targets_.size()) >= options_.max_targets) break;
    Target t;
    t.vertex = supply_.member(i).vertex;
    t.role = supply_.member(i).role;
    t.marginal = 0;
    t.impact = impact;
    t.replacement_cost = cost(i);
    t.reason = describe(supply_.graph(), supply_.member(i), supply_.facts(i)) +
               (t.role == Role::kCollector
                    ? "; takes the network's money: freezing it stops the takings that would pay for new supply"
                    : "; its supply is already cut by the targets above, but it would restock their replacements");
    targets_.push_back(std::move(t));
  }
}

Result<std::vector<RankedTarget>> merge_target_lists(std::span<const std::vector<Target>> lists,
                                                     std::span<const double> risks) {
  if (lists.size() != risks.size()) {
    return Status::invalid_argument(fmt::format("targets: {} target lists but {} network risks",
                                                lists.size(), risks.size()));
  }
  for (std::size_t n = 0; n < risks.size(); ++n) {
    if (!(risks[n] >= 0 && risks[n] <= 1)) {
      return Status::invalid_argument(fmt::format("targets: network {} has risk {} outside [0, 1]", n, risks[n]));
    }
  }
  // The networks' next picks, best key first, then lower network index.
  struct Head {
    double key;
    std::uint32_t network;
    std::size_t position;
  };
  auto after = [](const Head& a, const Head& b) {
    if (a.key != b.key) return a.key < b.key;
    return a.network > b.network;
  };
  std::priority_queue<Head, std::vector<Head>, decltype(after)> heads(after);
  auto push = [&](std::uint32_t n, std::size_t position) {
    if (position < lists[n].size()) heads.push({lists[n][position].marginal * risks[n], n, position});
  };
  std::size_t total = 0;
  for (std::uint32_t n = 0; n < lists.size(); ++n) {
    total += lists[n].size();
    push(n, 0);
  }
  std::vector<RankedTarget> out;
  out.reserve(total);
  while (!heads.empty()) {
    const Head h = heads.top();
    heads.pop();
    out.push_back({static_cast<std::uint32_t>(out.size() + 1), h.network, h.key, lists[h.network][h.position]});
    push(h.network, h.position + 1);
  }
  return out;
}

}  // namespace sourcetrace::targets
