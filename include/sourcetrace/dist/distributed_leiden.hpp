// DistributedLeiden: community detection across MPI ranks, finishing on
// one node once the graph is small.
//
// The multilevel method of community/leiden.hpp, with its first levels
// spread over ranks (after Vite: Ghosh et al., "Distributed Louvain
// algorithm for graph community detection", IPDPS 2018):
//   local moving  each rank moves its own vertices, in batches decided
//                 against the state at the batch's start and applied in
//                 order, exactly as on one node; after each of
//                 `sync_rounds` supersteps per pass the ranks exchange the
//                 communities of ghost vertices and the community totals
//                 (each community's total lives on the rank that owns the
//                 vertex of the same id; others fetch the ones they need).
//   aggregate     each connected component of a community (found across
//                 ranks by label exchange) becomes one coarse vertex, so
//                 every coarse vertex is connected, the guarantee the
//                 Leiden refinement gives; it lives on the rank that owns
//                 the component's smallest vertex, coarse ids are numbered
//                 rank by rank (contiguous ranges again), and arcs, summed
//                 locally first, travel to their coarse source's rank.
//   finish        once the coarse graph has at most `gather_vertices`
//                 vertices (or a level no longer shrinks it), rank 0
//                 gathers it and runs community::Leiden on it, the same
//                 code and options as one node, refinement included.
// A graph that is small from the start is gathered at once, so the result
// equals the single-node result exactly.
//
// Collective: every rank constructs it with its DistributedGraph and calls
// run(). The results (hierarchy over the input vertices) are on rank 0.
#pragma once

#include <cstdint>
#include <vector>

#include "sourcetrace/community/leiden.hpp"
#include "sourcetrace/dist/distributed_graph.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::dist {

struct DistributedOptions {
  community::LeidenOptions leiden;
  // Gather the coarse graph onto one rank once it has at most this many
  // vertices. Sized so that the gathered graph fits one node with room.
  std::uint64_t gather_vertices = std::uint64_t{1} << 22;
  // Synchronisations of ghost communities and totals per local-moving pass:
  // more is closer to the serial order, fewer sends less.
  int sync_rounds = 8;
};

Status validate(const DistributedOptions& options);

struct DistributedTimings {
  double move_seconds = 0, aggregate_seconds = 0, gather_seconds = 0, finish_seconds = 0, total_seconds = 0;
  int distributed_levels = 0;
  int passes = 0;      // local-moving passes on the distributed levels
  int supersteps = 0;  // synchronisations on the distributed levels
  std::uint64_t bytes_sent = 0;  // by this rank during run()
  std::uint64_t gathered_vertices = 0;
};

class DistributedLeiden {
 public:
  DistributedLeiden(const DistributedGraph& graph, DistributedOptions options)
      : graph_(graph), options_(std::move(options)) {}

  Status run();

  // On rank 0 (empty elsewhere): every level's partition of the input
  // vertices, finest first; the last is the result.
  const std::vector<community::LeidenLevel>& hierarchy() const { return hierarchy_; }
  const DistributedTimings& timings() const { return timings_; }
  // From the single-node finish (rank 0).
  const community::LeidenTimings& finish_timings() const { return finish_timings_; }

 private:
  const DistributedGraph& graph_;
  DistributedOptions options_;
  std::vector<community::LeidenLevel> hierarchy_;
  DistributedTimings timings_;
  community::LeidenTimings finish_timings_;
};

}  // namespace sourcetrace::dist
