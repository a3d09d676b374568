// SupplyFlow: the counterfeit supply of one suspected network as a max-flow
// problem, so that "how much supply does removing these entities cut off"
// has an exact answer.
//
// The network's flow network (Ford & Fulkerson's model, with vertex
// capacities by node splitting, Ahuja, Magnanti & Orlin, "Network Flows",
// §2.4), solved with Boost.Graph's Boykov–Kolmogorov max flow (Boykov &
// Kolmogorov, IEEE TPAMI 26(9), 2004):
//
//   S ──supply──▶ source ─goods─▶ distributor ─goods─▶ storefront seller ─sales─▶ T
//                         └───────────goods──────────────▶┘
//
// Every member m is two nodes, m_in → m_out, joined by an arc whose
// capacity is unbounded (the total supply) while m is present and 0 once
// it is removed: removing an entity is cutting that one arc.
//
// Capacities, and why:
// - S → source: the units the source shipped to members. A distributor, or
//   a storefront seller, that receives nothing from a member source or
//   distributor is an entry point too (its factory is outside what
//   detection found): S → it with the units it received from outside.
// - Goods arcs: shipment layer `flow` arcs between members (units), for
//   source → distributor, source → storefront, distributor → distributor
//   and distributor → storefront; other pairs carry no network supply.
// - storefront seller → T: the units it received (goods that reach a
//   storefront are sold).
// - Money is not in the max flow: taking a collector down stops the
//   takings, not the goods, so it must not count as cutting the supply.
//   The payment `flow` arcs between members (storefront seller → payout
//   account, storefront seller → collector, payout account → collector)
//   are read into the members' facts, rescaled to units (each storefront
//   seller's money out scaled to its units in, each payout account's to
//   what it receives), so that a collector's `units_in` says how much of
//   the network's sales it takes; EliminationRanking names collectors by it
//   once the goods are cut.
// Members with role `legit`, and roles in positions the model has no arc
// for, are nodes without arcs: they carry nothing and are never targets.
//
// The network's counterfeit flow is the max flow from S to T.
//
// Memory: O(members + arcs among members); the MarketGraph is borrowed
// (it must outlive the object) and only read.
// Threading: one object per thread; solve() is serial.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "sourcetrace/graph/market_graph.hpp"
#include "sourcetrace/risk/role.hpp"
#include "sourcetrace/status.hpp"
#include "sourcetrace/targets/verify_flow.hpp"

namespace sourcetrace::targets {

// One member of a suspected network with the risk stage's role hint.
struct Member {
  graph::VertexId vertex = 0;
  risk::Role role = risk::Role::kLegit;
};

// What the flow network knows of one member, for explanations.
struct MemberFacts {
  // A storefront-role account: the storefront's own payout account.
  bool payout_account = false;
  // Fed from S: a source, or an entry point (see the header comment).
  bool entry = false;
  // Goods (units) and rescaled money (units) on the member's kept arcs.
  double units_in = 0, units_out = 0;
  // Distinct members this one sends to over kept arcs, by their role
  // (indexed by risk::Role); and distinct members it receives from.
  std::uint32_t sends_to[5] = {0, 0, 0, 0, 0};
  std::uint32_t receives_from = 0;
};

class SupplyFlow {
 public:
  // Node numbers in solution(): S, T, then member i's in and out nodes.
  static constexpr std::uint32_t kSource = 0, kSink = 1;
  static constexpr std::uint32_t in_node(std::size_t member) { return 2 + 2 * static_cast<std::uint32_t>(member); }
  static constexpr std::uint32_t out_node(std::size_t member) { return in_node(member) + 1; }

  SupplyFlow(const graph::MarketGraph& graph, std::vector<Member> members);
  ~SupplyFlow();
  SupplyFlow(SupplyFlow&&) noexcept;
  SupplyFlow& operator=(SupplyFlow&&) noexcept;

  // Builds the flow network. Returns invalid_input for a member out of
  // range or listed twice, or a graph without a directed shipment layer
  // (a missing payment layer only means no money arcs).
  Status build();

  const graph::MarketGraph& graph() const { return *graph_; }

  // REQUIRES: build() returned ok (for all below).
  std::size_t num_members() const { return members_.size(); }
  const Member& member(std::size_t i) const { return members_[i]; }
  const MemberFacts& facts(std::size_t i) const { return facts_[i]; }
  // What S can send at most (the sum of the supply arcs).
  double supply_capacity() const { return supply_capacity_; }

  // Removes member i (its node capacity becomes 0), or puts it back.
  void set_removed(std::size_t i, bool removed);
  bool removed(std::size_t i) const { return removed_[i] != 0; }

  // Max flow with the current removals; also fills solution().
  double solve();
  // The last solve: every arc (the node arcs included) with its flow.
  const FlowSolution& solution() const { return solution_; }
  // Flow through member i (on its node arc) in the last solve.
  double through(std::size_t i) const;

 private:
  struct Network;  // the Boost graph, kept out of this header

  const graph::MarketGraph* graph_;
  std::vector<Member> members_;
  std::vector<MemberFacts> facts_;
  std::vector<std::uint8_t> removed_;
  std::unique_ptr<Network> network_;
  FlowSolution solution_;
  double supply_capacity_ = 0;
  double unbounded_ = 0;  // node capacity of a present member
};

}  // namespace sourcetrace::targets
