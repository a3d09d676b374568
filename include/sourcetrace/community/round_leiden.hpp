// RoundLeiden: community detection on one node that gives, for any graph,
// the partition MPI ranks give (dist/distributed_leiden.hpp).
//
// The round-level driver (round_driver.hpp) over dense arrays: a level's
// communities and their totals are arrays indexed by vertex, moves apply
// with atomic adds. This is what `sourcetrace detect` runs on one node;
// the ranks run the same driver over their backend, and the tests hold
// the two to the same partition.
#pragma once

#include <cstdint>
#include <vector>

#include "sourcetrace/community/leiden.hpp"
#include "sourcetrace/community/round_driver.hpp"
#include "sourcetrace/graph/csr.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::community {

class RoundLeiden {
 public:
  RoundLeiden(const graph::Csr& graph, RoundLeidenOptions options) : graph_(graph), options_(std::move(options)) {}

  // Warm start (RoundDriver::start_from): the first level, or Leiden when
  // the graph is small, starts from this partition of the input vertices.
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
  double resolution_used() const { return resolution_; }
  int round_levels() const { return round_levels_; }

 private:
  const graph::Csr& graph_;
  RoundLeidenOptions options_;
  std::vector<LeidenLevel> hierarchy_;
  LeidenTimings timings_;
  int round_levels_ = 0;
  double resolution_ = 0;
  std::vector<graph::VertexId> start_;
  bool warm_started_ = false;
};

}  // namespace sourcetrace::community
