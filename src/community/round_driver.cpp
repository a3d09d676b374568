// RoundDriver: round levels while the graph is large, then Leiden on the
// root. Every decision of the loop is made here, on values that are the
// same on every rank, so that one node and any number of ranks take the
// same steps.
#include "sourcetrace/community/round_driver.hpp"

#include <omp.h>

#include <numeric>

namespace sourcetrace::community {

using graph::VertexId;

Status validate(const RoundLeidenOptions& o) {
  ST_RETURN_IF_ERROR(validate(o.leiden));
  if (o.rounds < 1 || o.rounds > 255) return Status::invalid_argument("rounds must be between 1 and 255");
  return Status::ok();
}

namespace {

// Each vertex's community named by the community's smallest vertex: a name
// that does not depend on the labels given or on how ranks split vertices.
std::vector<VertexId> smallest_member_names(const std::vector<VertexId>& membership) {
  const Partition p = canonical_partition(membership);  // numbered in order of first (= smallest) member
  std::vector<VertexId> smallest(p.num_communities);
  std::vector<VertexId> names(membership.size());
  VertexId seen = 0;
  for (VertexId v = 0; v < names.size(); ++v) {
    const VertexId c = p.membership[v];
    if (c == seen) smallest[seen++] = v;
    names[v] = smallest[c];
  }
  return names;
}

}  // namespace

Status RoundDriver::check_start() const {
  if (!backend_.is_root() || start_.empty() || start_.size() == backend_.num_vertices()) return Status::ok();
  return Status::invalid_argument("a warm start must give every vertex a community");
}

Status RoundDriver::run() {
  ST_RETURN_IF_ERROR(validate(options_));
  const FixedSquares weight = backend_.input_weight_total();
  options_.leiden = resolve_density(options_.leiden, total_weight_of(weight));
  const double start = omp_get_wtime();
  const LeidenOptions& lo = options_.leiden;
  hierarchy_.clear();
  timings_ = {};
  finish_timings_ = {};
  const std::uint64_t input_vertices = backend_.num_vertices();
  ST_RETURN_IF_ERROR(backend_.agree(check_start()));
  const bool warm = backend_.root_says(!start_.empty());

  if (input_vertices > options_.gather_vertices) {
    ST_RETURN_IF_ERROR(round_weight_check(weight, static_cast<VertexId>(input_vertices)));
  }
  double tolerance = lo.tolerance;
  for (int level = 0; level < lo.max_levels; ++level) {
    const std::uint64_t n = backend_.num_vertices();
    if (n <= options_.gather_vertices) break;
    // The warm start is the first level's starting partition: even when no
    // vertex moves from it, it is a partition to aggregate.
    const bool from_start = warm && level == 0;
    std::vector<VertexId> names;
    if (from_start && backend_.is_root()) names = smallest_member_names(start_);
    double t = omp_get_wtime();
    const LevelMoves moved = backend_.move(lo, level, tolerance, options_.rounds, from_start ? &names : nullptr);
    timings_.move_seconds += omp_get_wtime() - t;
    timings_.passes += moved.passes;
    timings_.rounds += moved.passes * options_.rounds;
    if (moved.passes == 0 || (moved.moves == 0 && !from_start)) break;  // no weight, or nothing to aggregate

    std::vector<VertexId> labels = backend_.input_communities();
    if (backend_.is_root()) hierarchy_.push_back({canonical_partition(labels), moved.modularity});
    ++timings_.round_levels;

    t = omp_get_wtime();
    backend_.aggregate();
    tolerance /= lo.tolerance_drop;
    timings_.aggregate_seconds += omp_get_wtime() - t;
    if (static_cast<double>(backend_.num_vertices()) > lo.aggregation_tolerance * static_cast<double>(n)) {
      break;  // no longer shrinking
    }
  }
  warm_started_ = warm;

  double t = omp_get_wtime();
  timings_.finish_vertices = backend_.num_vertices();
  const FinishGraph finish_graph = backend_.gather();
  timings_.gather_seconds = omp_get_wtime() - t;
  Status finished = Status::ok();
  if (backend_.is_root()) {
    t = omp_get_wtime();
    LeidenOptions finish = lo;
    if (timings_.round_levels > 0) finish.tolerance = tolerance;
    Leiden leiden(*finish_graph.graph, finish);
    if (warm && timings_.round_levels == 0) leiden.start_from(start_);
    finished = leiden.run();
    if (finished.is_ok()) {
      const std::vector<VertexId>& top = *finish_graph.top;
      for (const LeidenLevel& level : leiden.hierarchy()) {
        if (timings_.round_levels == 0) {  // Leiden's input is the input graph
          hierarchy_.push_back(level);
          continue;
        }
        std::vector<VertexId> labels(top.size());
        for (std::size_t v = 0; v < top.size(); ++v) labels[v] = level.partition.membership[top[v]];
        hierarchy_.push_back({canonical_partition(labels), level.modularity});
      }
      finish_timings_ = leiden.timings();
    }
    timings_.finish_seconds = omp_get_wtime() - t;
  }
  ST_RETURN_IF_ERROR(backend_.agree(finished));
  if (timings_.round_levels > 0) {
    const Partition* result = backend_.is_root() ? &hierarchy_.back().partition : nullptr;
    const double q = backend_.input_modularity(result, lo.resolution);
    if (backend_.is_root()) hierarchy_.back().modularity = q;
  }
  timings_.total_seconds = omp_get_wtime() - start;
  return Status::ok();
}

}  // namespace sourcetrace::community
