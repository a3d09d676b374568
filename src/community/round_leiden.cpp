// RoundLeiden: the round-level driver over dense arrays on one node.
#include "sourcetrace/community/round_leiden.hpp"

#include <omp.h>

#include <atomic>
#include <numeric>
#include <optional>

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
// (named by vertex ids: every vertex alone at first, or as `start` names).
class RoundLevel {
 public:
  RoundLevel(const Csr& g, const LeidenOptions& o, int level, const std::vector<VertexId>* start)
      : g_(g), o_(o), level_(level), n_(g.num_vertices()), strength_(fixed_strengths(g)), comm_(n_) {
    total_ = std::accumulate(strength_.begin(), strength_.end(), Fixed{0});
    if (start == nullptr) {
      std::iota(comm_.begin(), comm_.end(), VertexId{0});
      community_total_ = strength_;
      return;
    }
    comm_ = *start;
    community_total_.assign(n_, 0);
    for (VertexId u = 0; u < n_; ++u) community_total_[comm_[u]] += strength_[u];
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
Csr aggregate_level(const Csr& g, const std::vector<VertexId>& label, std::vector<VertexId>& coarse_of) {
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

// The backend: the current level's Csr (the input graph, then each coarse
// level) and, for each input vertex, the vertex of it that holds it.
class DenseRounds final : public RoundBackend {
 public:
  explicit DenseRounds(const Csr& input) : input_(input), current_(&input), top_(input.num_vertices()) {
    std::iota(top_.begin(), top_.end(), VertexId{0});
  }

  bool is_root() const override { return true; }
  bool root_says(bool value) const override { return value; }
  Status agree(const Status& on_root) const override { return on_root; }
  FixedSquares input_weight_total() const override { return fixed_weight_total(input_); }
  std::uint64_t num_vertices() const override { return current_->num_vertices(); }

  LevelMoves move(const LeidenOptions& o, int level, double tolerance, int rounds,
                  const std::vector<VertexId>* start) override {
    level_.emplace(*current_, o, level, start);
    LevelMoves m;
    if (level_->total_weight() <= 0) return m;
    m.moves = level_->move_nodes(tolerance, rounds, m.passes);
    m.modularity = level_->modularity();
    return m;
  }
  std::vector<VertexId> input_communities() override {
    std::vector<VertexId> labels(top_.size());
    for (std::size_t v = 0; v < top_.size(); ++v) labels[v] = level_->communities()[top_[v]];
    return labels;
  }
  void aggregate() override {
    std::vector<VertexId> coarse_of;
    Csr next = aggregate_level(*current_, community_components(*current_, level_->communities(), current_->num_vertices()),
                               coarse_of);
    level_.reset();
    for (VertexId& v : top_) v = coarse_of[v];
    coarse_ = std::move(next);
    current_ = &coarse_;
  }
  FinishGraph gather() override {
    level_.reset();
    return {current_, &top_};
  }
  double input_modularity(const Partition* result, double resolution) override {
    return community::modularity(input_, result->membership, result->num_communities, resolution);
  }

 private:
  const Csr& input_;
  const Csr* current_;
  Csr coarse_;
  std::vector<VertexId> top_;
  std::optional<RoundLevel> level_;
};

}  // namespace

Status RoundLeiden::run() {
  DenseRounds backend(graph_);
  RoundDriver driver(backend, options_);
  if (!start_.empty()) driver.start_from(std::move(start_));
  ST_RETURN_IF_ERROR(driver.run());
  hierarchy_ = driver.release_hierarchy();
  const RoundTimings& t = driver.timings();
  round_levels_ = t.round_levels;
  warm_started_ = driver.warm_started();
  resolution_ = driver.resolution_used();
  timings_ = driver.finish_timings();
  timings_.move_seconds += t.move_seconds;
  timings_.aggregate_seconds += t.aggregate_seconds;
  timings_.levels += t.round_levels;
  timings_.passes += t.passes;
  timings_.total_seconds = t.total_seconds;
  return Status::ok();
}

}  // namespace sourcetrace::community
