// RoundLeiden: levels moved in hash rounds while the graph is large, then
// Leiden. Step for step the twin of dist/distributed_leiden.cpp (which
// does each step across ranks); a change here needs the same change there.
#include "sourcetrace/community/round_leiden.hpp"

#include <omp.h>

#include <atomic>
#include <numeric>

#include "sourcetrace/community/arc_list.hpp"
#include "sourcetrace/community/modularity.hpp"
#include "sourcetrace/community/neighbour_weights.hpp"
#include "sourcetrace/community/round_moving.hpp"

namespace sourcetrace::community {

using graph::Csr;
using graph::VertexId;

namespace {

constexpr VertexId kNone = UINT32_MAX;

using FixedWeights = NeighbourWeights<Fixed>;

// One level moved in rounds: the graph, its strengths and communities
// (named by vertex ids, every vertex alone at first).
class RoundLevel {
 public:
  RoundLevel(const Csr& g, const LeidenOptions& o, int level)
      : g_(g), o_(o), level_(level), n_(g.num_vertices()), strength_(fixed_strengths(g)), comm_(n_) {
    std::iota(comm_.begin(), comm_.end(), VertexId{0});
    total_ = std::accumulate(strength_.begin(), strength_.end(), Fixed{0});
    community_total_ = strength_;
  }

  Fixed total_weight() const { return total_; }
  const std::vector<VertexId>& communities() const { return comm_; }

  // Passes of rounds until a pass gains at most `tolerance` modularity;
  // returns the moves made.
  std::uint64_t move_nodes(double tolerance, int rounds, int& passes);
  // The modularity the last pass of move_nodes ended with.
  double modularity() const { return modularity_; }

 private:
  double compute_modularity() const {
    Fixed internal = 0;
#pragma omp parallel for schedule(static) reduction(+ : internal)
    for (std::int64_t u = 0; u < static_cast<std::int64_t>(n_); ++u) {
      auto nb = g_.neighbours(static_cast<VertexId>(u));
      auto wt = g_.neighbour_weights(static_cast<VertexId>(u));
      for (std::size_t i = 0; i < nb.size(); ++i) {
        if (comm_[nb[i]] == comm_[u]) internal += to_fixed(wt[i]);
      }
    }
    FixedSquares squares = 0;
    for (Fixed t : community_total_) squares += square(t);
    return round_modularity(internal, squares, total_, o_.resolution);
  }

  RoundMove decide(VertexId u, FixedWeights& weights) const {
    weights.clear();
    auto nb = g_.neighbours(u);
    auto wt = g_.neighbour_weights(u);
    for (std::size_t i = 0; i < nb.size(); ++i) {
      if (nb[i] != u) weights.add(comm_[nb[i]], to_fixed(wt[i]));
    }
    return best_round_move(weights, comm_[u], strength_[u], total_, o_.resolution, o_.seed,
                           [&](VertexId c) { return community_total_[c]; });
  }

  const Csr& g_;
  const LeidenOptions& o_;
  int level_;
  VertexId n_;
  std::vector<Fixed> strength_;
  std::vector<VertexId> comm_;
  std::vector<Fixed> community_total_;
  Fixed total_ = 0;
  double modularity_ = 0;
};

std::uint64_t RoundLevel::move_nodes(double tolerance, int rounds, int& passes) {
  std::vector<std::uint8_t> active(n_, 1);
  std::vector<VertexId> target(n_, kNone);
  std::vector<FixedWeights> scratch(static_cast<std::size_t>(omp_get_max_threads()));
  for (FixedWeights& s : scratch) s.resize(n_);
  RoundSchedule schedule;
  std::uint64_t all_moves = 0;
  // Passes stop on the modularity actually gained: moves decided at the
  // same time can undo each other's gain.
  modularity_ = compute_modularity();
  for (int pass = 0; pass < o_.max_passes; ++pass) {
    ++passes;
    schedule.plan(n_, 0, o_.seed, level_, pass, rounds);
    std::uint64_t moves = 0;
    for (int round = 0; round < rounds; ++round) {
      const auto begin = static_cast<std::int64_t>(schedule.begin[round]);
      const auto end = static_cast<std::int64_t>(schedule.begin[round + 1]);
      // Decide against the state at the round's start...
#pragma omp parallel for schedule(dynamic, 1024)
      for (std::int64_t i = begin; i < end; ++i) {
        const VertexId u = schedule.vertices[i];
        target[i] = kNone;
        if (!active[u]) continue;
        active[u] = 0;
        const RoundMove m = decide(u, scratch[omp_get_thread_num()]);
        if (m.gain > 0) target[i] = m.community;
      }
      // ...then apply every move (integer totals: the order is immaterial).
#pragma omp parallel for schedule(dynamic, 1024) reduction(+ : moves)
      for (std::int64_t i = begin; i < end; ++i) {
        const VertexId c = target[i];
        if (c == kNone) continue;
        const VertexId u = schedule.vertices[i];
        std::atomic_ref<Fixed>(community_total_[comm_[u]]).fetch_sub(strength_[u], std::memory_order_relaxed);
        std::atomic_ref<Fixed>(community_total_[c]).fetch_add(strength_[u], std::memory_order_relaxed);
        comm_[u] = c;
        ++moves;
        for (VertexId v : g_.neighbours(u)) std::atomic_ref<std::uint8_t>(active[v]).store(1, std::memory_order_relaxed);
      }
    }
    all_moves += moves;
    const double before = modularity_;
    modularity_ = compute_modularity();
    if (moves == 0 || modularity_ - before <= tolerance) break;
  }
  return all_moves;
}

// The next level: one vertex per label, numbered in label order; arcs
// summed exactly, internal arcs as a self-loop. coarse_of: each vertex's.
Csr aggregate(const Csr& g, const std::vector<VertexId>& label, std::vector<VertexId>& coarse_of) {
  const VertexId n = g.num_vertices();
  std::vector<VertexId> id_of(n, kNone);
  VertexId count = 0;
  for (VertexId v = 0; v < n; ++v) {
    if (label[v] == v) id_of[v] = count++;  // a label is its component's smallest vertex
  }
  coarse_of.resize(n);
  for (VertexId v = 0; v < n; ++v) coarse_of[v] = id_of[label[v]];
  std::vector<WeightedArc> arcs = coarse_arcs(g, coarse_of);
  sort_and_sum(arcs, count);
  return rows_from_arcs(arcs, 0, count);
}

}  // namespace

Status validate(const RoundLeidenOptions& o) {
  ST_RETURN_IF_ERROR(validate(o.leiden));
  if (o.rounds < 1 || o.rounds > 255) return Status::invalid_argument("rounds must be between 1 and 255");
  return Status::ok();
}

Status RoundLeiden::run() {
  ST_RETURN_IF_ERROR(validate(options_));
  options_.leiden = resolve_density(options_.leiden, total_weight_of(fixed_weight_total(graph_)));
  const double start = omp_get_wtime();
  const LeidenOptions& lo = options_.leiden;
  hierarchy_.clear();
  timings_ = {};
  round_levels_ = 0;
  int passes = 0;
  double move_seconds = 0, aggregate_seconds = 0;

  // top[v]: the vertex of the current level that input vertex v is in.
  std::vector<VertexId> top(graph_.num_vertices());
  std::iota(top.begin(), top.end(), VertexId{0});
  const Csr* current = &graph_;
  Csr coarse;
  double tolerance = lo.tolerance;

  if (graph_.num_vertices() > options_.gather_vertices) {
    ST_RETURN_IF_ERROR(round_weight_check(fixed_weight_total(graph_), graph_.num_vertices()));
  }
  for (int level = 0; level < lo.max_levels; ++level) {
    const VertexId n = current->num_vertices();
    if (n <= options_.gather_vertices) break;
    double t = omp_get_wtime();
    RoundLevel state(*current, lo, level);
    if (state.total_weight() <= 0) break;
    const std::uint64_t moves = state.move_nodes(tolerance, options_.rounds, passes);
    move_seconds += omp_get_wtime() - t;
    if (moves == 0) break;

    std::vector<VertexId> labels(top.size());
    for (std::size_t v = 0; v < top.size(); ++v) labels[v] = state.communities()[top[v]];
    hierarchy_.push_back({canonical_partition(labels), state.modularity()});
    ++round_levels_;

    t = omp_get_wtime();
    std::vector<VertexId> coarse_of;
    Csr next = aggregate(*current, community_components(*current, state.communities(), current->num_vertices()),
                         coarse_of);
    for (VertexId& v : top) v = coarse_of[v];
    coarse = std::move(next);
    current = &coarse;
    tolerance /= lo.tolerance_drop;
    aggregate_seconds += omp_get_wtime() - t;
    if (static_cast<double>(coarse.num_vertices()) > lo.aggregation_tolerance * n) break;  // no longer shrinking
  }

  // Finish with Leiden (ranks: on rank 0, after gathering).
  LeidenOptions finish = lo;
  if (round_levels_ > 0) finish.tolerance = tolerance;
  Leiden leiden(*current, finish);
  warm_started_ = round_levels_ == 0 && !start_.empty();
  if (warm_started_) leiden.start_from(start_);
  ST_RETURN_IF_ERROR(leiden.run());
  for (const LeidenLevel& level : leiden.hierarchy()) {
    if (round_levels_ == 0) {
      hierarchy_.push_back(level);
      continue;
    }
    std::vector<VertexId> labels(top.size());
    for (std::size_t v = 0; v < top.size(); ++v) labels[v] = level.partition.membership[top[v]];
    hierarchy_.push_back({canonical_partition(labels), level.modularity});
  }
  // After round levels, the result's modularity on the input graph itself
  // (coarse levels store float sums of weights), as Leiden reports it for
  // its own input (without round levels, Leiden's input is graph_).
  if (round_levels_ > 0) {
    LeidenLevel& result = hierarchy_.back();
    result.modularity = community::modularity(graph_, result.partition.membership,
                                              result.partition.num_communities, lo.resolution);
  }
  timings_ = leiden.timings();
  timings_.move_seconds += move_seconds;
  timings_.aggregate_seconds += aggregate_seconds;
  timings_.levels += round_levels_;
  timings_.passes += passes;
  timings_.total_seconds = omp_get_wtime() - start;
  return Status::ok();
}

}  // namespace sourcetrace::community
