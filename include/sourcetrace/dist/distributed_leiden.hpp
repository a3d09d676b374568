// DistributedLeiden: community detection across MPI ranks, finishing on
// one node once the graph is small, with the partition one node gives.
//
// The round-level driver (community/round_driver.hpp) over ranks, as
// community::RoundLeiden runs it over one node's arrays: the same levels,
// the same arithmetic, the same result for any number of ranks and
// threads. Each rank holds a contiguous range of vertices (read by
// parallel HDF5, dist/graph_slice.hpp) and their ghosts:
//   local moving  hash rounds (community/round_moving.hpp): the ranks
//                 decide their vertices of a round against the state at
//                 its start, apply, then exchange ghost communities and
//                 community totals (each total lives on the rank that
//                 owns the vertex of the same id). After Vite (Ghosh et
//                 al., "Distributed Louvain algorithm for graph community
//                 detection", IPDPS 2018), with its per-iteration exchange
//                 made per round so that no rank decides on stale totals.
//   aggregate     each connected component of a community (found across
//                 ranks by label exchange) becomes one coarse vertex, so
//                 every coarse vertex is connected, the guarantee the
//                 Leiden refinement gives; coarse ids are numbered in the
//                 order of the components' smallest vertices (as on one
//                 node), rows are split into contiguous ranges of about
//                 equal arcs, and arcs, summed locally first, travel to
//                 their row's rank. Which rank holds a row changes speed
//                 only, never the result.
//   finish        once the coarse graph has at most `gather_vertices`
//                 vertices (or a level no longer shrinks it), rank 0
//                 gathers it and runs community::Leiden on it, the same
//                 code and options as one node, refinement included.
//
// Collective: every rank constructs it with its DistributedGraph and calls
// run(). The results (hierarchy over the input vertices) are on rank 0.
#pragma once

#include <cstdint>
#include <vector>

#include "sourcetrace/community/leiden.hpp"
#include "sourcetrace/community/round_leiden.hpp"
#include "sourcetrace/dist/distributed_graph.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::dist {

// One node's options: gather_vertices is where rank 0 gathers.
using DistributedOptions = community::RoundLeidenOptions;

// The driver's (round_levels: the distributed ones; finish_vertices: those
// gathered onto rank 0), and the traffic.
struct DistributedTimings : community::RoundTimings {
  std::uint64_t bytes_sent = 0;  // by this rank during run()
};

class DistributedLeiden {
 public:
  DistributedLeiden(const DistributedGraph& graph, DistributedOptions options)
      : graph_(graph), options_(std::move(options)) {}

  // Warm start, as RoundLeiden::start_from, given on rank 0 (other ranks
  // give nothing): the first distributed level starts from it, or, under
  // the gather size, the finishing Leiden.
  void start_from(std::vector<graph::VertexId> membership) { start_ = std::move(membership); }
  bool warm_started() const { return warm_started_; }

  Status run();

  // On rank 0 (empty elsewhere): every level's partition of the input
  // vertices, finest first; the last is the result.
  const std::vector<community::LeidenLevel>& hierarchy() const { return hierarchy_; }
  const DistributedTimings& timings() const { return timings_; }
  // From the single-node finish (rank 0).
  const community::LeidenTimings& finish_timings() const { return finish_timings_; }
  // REQUIRES: run() returned ok. The resolution used (density resolved),
  // the same on every rank and on one node.
  double resolution_used() const { return resolution_; }

 private:
  const DistributedGraph& graph_;
  DistributedOptions options_;
  std::vector<community::LeidenLevel> hierarchy_;
  std::vector<graph::VertexId> start_;
  bool warm_started_ = false;
  double resolution_ = 0;
  DistributedTimings timings_;
  community::LeidenTimings finish_timings_;
};

}  // namespace sourcetrace::dist
