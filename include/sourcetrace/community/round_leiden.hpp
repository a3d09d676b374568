// RoundLeiden: community detection on one node that gives, for any graph,
// the partition MPI ranks give (dist/distributed_leiden.hpp).
//
// While a level has more than `gather_vertices` vertices it moves in hash
// rounds (round_moving.hpp), and each connected component of a community
// becomes one vertex of the next level (so every coarse vertex is
// connected, the guarantee Leiden's refinement gives). Once the graph has
// at most `gather_vertices` vertices, or a level no longer shrinks it,
// community::Leiden finishes on it with the same options — where ranks
// gather the coarse graph onto rank 0. A graph that is small from the start
// is therefore exactly Leiden's result.
//
// This is what `sourcetrace detect` runs on one node; the distributed path
// is its twin, step for step, and the tests hold them to the same partition.
#pragma once

#include <cstdint>
#include <vector>

#include "sourcetrace/community/leiden.hpp"
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

class RoundLeiden {
 public:
  RoundLeiden(const graph::Csr& graph, RoundLeidenOptions options) : graph_(graph), options_(std::move(options)) {}

  // Warm start (Leiden::start_from) for a graph that Leiden detects whole:
  // one with at most gather_vertices vertices. Above that the levels move
  // in rounds from singletons and the warm start is not used
  // (warm_started() says which).
  void start_from(std::vector<graph::VertexId> membership) { start_ = std::move(membership); }
  bool warm_started() const { return warm_started_; }

  Status run();

  // REQUIRES: run() returned ok. Every level's partition of the input
  // vertices, finest first; the last is the result (connected communities).
  const std::vector<LeidenLevel>& hierarchy() const { return hierarchy_; }
  const Partition& partition() const { return hierarchy_.back().partition; }
  double modularity() const { return hierarchy_.back().modularity; }
  // Both phases: the round levels' passes and seconds are added in.
  const LeidenTimings& timings() const { return timings_; }
  // REQUIRES: run() returned ok. The resolution used (density resolved).
  double resolution_used() const { return options_.leiden.resolution; }
  int round_levels() const { return round_levels_; }

 private:
  const graph::Csr& graph_;
  RoundLeidenOptions options_;
  std::vector<LeidenLevel> hierarchy_;
  LeidenTimings timings_;
  int round_levels_ = 0;
  std::vector<graph::VertexId> start_;
  bool warm_started_ = false;
};

}  // namespace sourcetrace::community
