// Leiden: parallel community detection by modularity (Louvain with the
// Leiden refinement), the engine's community algorithm (on a graph larger
// than gather_below, round_leiden.hpp first coarsens it in rounds).
//
// Traag, Waltman & van Eck, "From Louvain to Leiden: guaranteeing
// well-connected communities", Sci. Rep. 9, 5233 (2019); Blondel et al.,
// "Fast unfolding of communities in large networks" (2008). Speed ideas
// from GVE-Leiden (Sahu 2023) and NetworKit's PLM: per-thread scratch for
// neighbour-community weights, pruning (only neighbours of moved vertices
// are revisited), a tolerance that tightens per level, and aggregation into
// the next level's CSR by prefix sums. See src/community/leiden.cpp for
// the steps and where we deviate.
//
// Determinism: with `deterministic` (the default), the partition is the
// same, byte for byte, for any thread count and any run with the same
// options: vertices are decided in fixed batches against the state at the
// start of the batch, and moves are applied in vertex order. Without it,
// threads move vertices as they go (faster, result varies with timing).
//
// Memory: the input graph is borrowed (it must outlive the object); each
// coarse level is a new Csr; each thread holds O(n) scratch (12 bytes per
// vertex of the current level).
//
// Threading: run() uses OpenMP inside; call it from one thread.
#pragma once

#include <cstdint>
#include <vector>

#include "sourcetrace/community/partition.hpp"
#include "sourcetrace/graph/csr.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::community {

class CoreWatch;

struct LeidenOptions {
  enum class Method { kLeiden, kLouvain };
  // kLouvain skips the refinement: faster, but communities may end up
  // badly connected (we still split disconnected ones at the end).
  Method method = Method::kLeiden;
  // γ: higher gives more, smaller communities. > 0.
  double resolution = 1.0;
  // > 0: γ = density × the input graph's total arc weight, applied once to
  // the input graph (resolve_density). A vertex then gains w(v, C) −
  // density × k_v × K_C by joining C: two groups merge when the weight
  // between them exceeds density × the product of their strengths,
  // whatever the size of the graph. Modularity's γ/total shrinks as the
  // graph grows, so at a fixed γ a small ring merges into its
  // neighbourhood in a large market and not in a small one (the
  // resolution limit, Fortunato & Barthélemy 2007); a fixed density is a
  // constant Potts model with the configuration null model
  // (Reichardt & Bornholdt 2006), the same decision in any market.
  double density = 0;
  // Same partition for any thread count (see the header comment).
  bool deterministic = true;
  // Breaks exact ties between candidate communities; nothing else is random.
  std::uint64_t seed = 1;
  // Levels of aggregation, and local-moving passes per level.
  int max_levels = 20;
  int max_passes = 20;
  // Runs of the whole procedure, each starting from the partition the
  // previous one found (stops early when nothing changes). More iterations
  // buy modularity with time, as igraph's n_iterations does.
  int iterations = 1;
  // A level's local moving stops when a pass gains less modularity than
  // this; it is divided by tolerance_drop at each level.
  double tolerance = 1e-2;
  double tolerance_drop = 10.0;
  // Stop aggregating when a level keeps more than this share of vertices.
  double aggregation_tolerance = 0.8;
};

Status validate(const LeidenOptions& options);

// `options` for a graph whose arcs weigh `total_weight` together (each
// edge counted in both directions): density, if set, turned into the
// resolution it stands for, and cleared. Every detector calls it on its
// input graph with the exact fixed-point total (round_moving.hpp), so one
// node and any number of ranks get the same γ.
LeidenOptions resolve_density(LeidenOptions options, double total_weight);

struct LeidenLevel {
  Partition partition;  // over the input graph's vertices
  double modularity = 0;
};

struct LeidenTimings {
  double move_seconds = 0, refine_seconds = 0, aggregate_seconds = 0, total_seconds = 0;
  int levels = 0;
  int passes = 0;  // local-moving passes, all levels
};

class Leiden {
 public:
  Leiden(const graph::Csr& graph, LeidenOptions options) : graph_(graph), options_(options) {}

  // Warm start: the first iteration's local moving starts from this
  // partition of the input vertices (any labels below its size; e.g. the
  // previous run's communities mapped onto today's graph, new vertices
  // alone) instead of singletons. The result is still a pure function of
  // the graph, the options and this partition: the same for any thread
  // count. REQUIRES: membership.size() == graph.num_vertices().
  void start_from(std::vector<graph::VertexId> membership) { start_ = std::move(membership); }

  // Returns invalid_argument for bad options (or a warm start of the wrong
  // size); otherwise ok.
  Status run();

  // REQUIRES: run() returned ok.
  const Partition& partition() const { return hierarchy_.back().partition; }
  double modularity() const { return hierarchy_.back().modularity; }
  // Every level's partition, finest first; the last one is partition(),
  // with disconnected communities split into their components.
  const std::vector<LeidenLevel>& hierarchy() const { return hierarchy_; }
  const LeidenTimings& timings() const { return timings_; }

 private:
  std::vector<LeidenLevel> run_levels(std::vector<graph::VertexId> start, CoreWatch& watch);

  const graph::Csr& graph_;
  LeidenOptions options_;
  std::vector<graph::VertexId> start_;  // empty: singletons
  std::vector<LeidenLevel> hierarchy_;
  LeidenTimings timings_;
};

// Splits every community into its connected components (which never lowers
// modularity). Returns a canonical partition.
Partition split_disconnected(const graph::Csr& graph, const Partition& partition);

}  // namespace sourcetrace::community
