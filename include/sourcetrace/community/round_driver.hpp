// The round-level driver: detection's level loop, written once for one
// node (community/round_leiden.hpp) and for MPI ranks
// (dist/distributed_leiden.hpp), so that their bit-for-bit equality rests
// on one piece of code.
//
// While a level has more than `gather_vertices` vertices it moves in hash
// rounds (round_moving.hpp) and each connected component of a community
// becomes one vertex of the next level (so every coarse vertex is
// connected, the guarantee Leiden's refinement gives). Once the graph has
// at most `gather_vertices` vertices, or a level no longer shrinks it, the
// root gathers it and community::Leiden finishes on it with the same
// options. A graph that is small from the start is therefore exactly
// Leiden's result.
//
// Warm start: the first level starts from the given partition instead of
// singletons (each community named by its smallest vertex, so the name is
// the same on any number of ranks); a graph too small for round levels
// hands it to Leiden::start_from instead.
//
// A backend holds the current level's graph — dense arrays on one node,
// row ranges and ghosts on ranks — and does each step on it; what a step
// computes is defined here, how it is computed is the backend's.
#pragma once

#include <cstdint>
#include <vector>

#include "sourcetrace/community/leiden.hpp"
#include "sourcetrace/community/round_moving.hpp"
#include "sourcetrace/graph/csr.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::community {

struct RoundLeidenOptions {
  LeidenOptions leiden;
  // Levels with more vertices than this move in rounds; below it Leiden
  // finishes (ranks gather the coarse graph onto one node: size it so that
  // it fits one node with room).
  std::uint64_t gather_vertices = std::uint64_t{1} << 22;
  // Rounds per local-moving pass (ranks synchronise after each): more is
  // closer to one-at-a-time moving, fewer is less waiting.
  int rounds = 8;
};

Status validate(const RoundLeidenOptions& options);

// What one level's local moving did, over all ranks.
struct LevelMoves {
  std::uint64_t moves = 0;
  int passes = 0;
  double modularity = 0;  // of the level's communities when moving stopped
};

// The graph Leiden finishes on and, for each input vertex, the vertex of it
// that the input vertex is in. Both null except on the root.
struct FinishGraph {
  const graph::Csr* graph = nullptr;
  const std::vector<graph::VertexId>* top = nullptr;
};

class RoundBackend {
 public:
  virtual ~RoundBackend() = default;

  // The root finishes and holds the results; ranks other than it may be
  // given nothing where "on the root" is said.
  virtual bool is_root() const = 0;
  // The root's value on every rank (collective).
  virtual bool root_says(bool value) const = 0;
  // The root's status on every rank: its own there, one with the same code
  // on the others (collective).
  virtual Status agree(const Status& on_root) const = 0;

  // Σ to_fixed of the input graph's arc weights, over all ranks.
  virtual FixedSquares input_weight_total() const = 0;
  // The current level's vertices, over all ranks.
  virtual std::uint64_t num_vertices() const = 0;

  // Local moving of the current level in rounds until a pass gains at most
  // `tolerance`: every vertex starts alone, or, when `start` is given (on
  // the root: a global vertex id per vertex, the smallest of its
  // community), in the community of that name. A level without weight
  // makes no passes.
  virtual LevelMoves move(const LeidenOptions& options, int level, double tolerance, int rounds,
                          const std::vector<graph::VertexId>* start) = 0;
  // REQUIRES: move(). The moved communities of the input vertices, on the
  // root, in any labelling.
  virtual std::vector<graph::VertexId> input_communities() = 0;
  // REQUIRES: move(). Makes the next level current: one vertex per
  // connected component of a community, numbered in the order of the
  // components' smallest vertices; arcs summed exactly, internal arcs as
  // a self-loop.
  virtual void aggregate() = 0;
  // The current level, gathered for the finish (collective).
  virtual FinishGraph gather() = 0;
  // `result`'s modularity on the input graph itself (coarse levels hold
  // float sums of weights), on the root; `result` is given on the root.
  // Collective.
  virtual double input_modularity(const Partition* result, double resolution) = 0;
};

struct RoundTimings {
  double move_seconds = 0, aggregate_seconds = 0, gather_seconds = 0, finish_seconds = 0, total_seconds = 0;
  int round_levels = 0;
  int passes = 0;  // local-moving passes of the round levels
  int rounds = 0;  // their rounds (on ranks, each ends in an exchange)
  std::uint64_t finish_vertices = 0;  // the vertices Leiden finished on
};

// The driver, an algorithm object over a backend (collective on ranks).
class RoundDriver {
 public:
  RoundDriver(RoundBackend& backend, RoundLeidenOptions options) : backend_(backend), options_(std::move(options)) {}

  // A partition of the input vertices to start from (on the root; any
  // labels), e.g. the previous run's communities mapped onto today's graph.
  void start_from(std::vector<graph::VertexId> membership) { start_ = std::move(membership); }

  Status run();

  // On the root, after run() returned ok: every level's partition of the
  // input vertices, finest first; the last is the result.
  const std::vector<LeidenLevel>& hierarchy() const { return hierarchy_; }
  std::vector<LeidenLevel> release_hierarchy() { return std::move(hierarchy_); }
  // The finishing Leiden's timings (on the root) and the round levels'.
  const LeidenTimings& finish_timings() const { return finish_timings_; }
  const RoundTimings& timings() const { return timings_; }
  bool warm_started() const { return warm_started_; }
  // The resolution used (density resolved), the same on every rank.
  double resolution_used() const { return options_.leiden.resolution; }

 private:
  Status check_start() const;

  RoundBackend& backend_;
  RoundLeidenOptions options_;
  std::vector<graph::VertexId> start_;
  std::vector<LeidenLevel> hierarchy_;
  LeidenTimings finish_timings_;
  RoundTimings timings_;
  bool warm_started_ = false;
};

}  // namespace sourcetrace::community
