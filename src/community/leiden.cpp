// Leiden (Traag, Waltman & van Eck 2019) on a Csr, parallel with OpenMP.
//
// Each level runs the paper's three steps on the current graph:
//   move_nodes  local moving: every vertex goes to the neighbouring
//               community with the best modularity gain; only neighbours of
//               moved vertices are looked at again (pruning); passes repeat
//               until a pass gains less than the level's tolerance.
//   refine      inside each community, singletons merge greedily into
//               sub-communities they are connected to; only singletons
//               move, so every sub-community stays connected.
//   aggregate   each sub-community becomes one vertex of the next level's
//               graph (internal arcs become a self-loop); its initial
//               community is the one local moving gave it.
// Levels repeat until local moving changes nothing, aggregation no longer
// shrinks the graph, or max_levels.
//
// Where we deviate from the paper, and why:
// - Refinement is greedy (best gain) rather than randomised, as GVE-Leiden
//   does: reproducible and fast; the connectivity guarantee is unchanged.
// - The well-connectedness checks of the paper's refinement are left out
//   (GVE-Leiden does the same); instead the final partition is split into
//   connected components, which can only raise modularity, so every
//   community we report is connected.
// - Deterministic mode decides vertices in fixed batches of kBatch against
//   the state at the start of the batch (a Jacobi step inside the batch,
//   Gauss–Seidel across batches) and applies moves in vertex order, so the
//   result does not depend on the thread count.
#include "sourcetrace/community/leiden.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <numeric>
#include <tuple>

#include "sourcetrace/community/core_watch.hpp"
#include "sourcetrace/community/modularity.hpp"
#include "sourcetrace/community/neighbour_weights.hpp"
#include "sourcetrace/community/round_moving.hpp"
#include "sourcetrace/community/splitmix64.hpp"

namespace sourcetrace::community {

using graph::Csr;
using graph::EdgeIndex;
using graph::VertexId;

namespace {

constexpr VertexId kNone = UINT32_MAX;
constexpr std::int64_t kBatch = 1024;
// Batches per parallel region of a deterministic pass (core_watch.hpp).
constexpr std::int64_t kWatchedBatches = 8;

double seconds_now() { return omp_get_wtime(); }

template <typename T>
T load(const T& x) {
  return std::atomic_ref<T>(const_cast<T&>(x)).load(std::memory_order_relaxed);
}
template <typename T>
void store(T& x, T v) {
  std::atomic_ref<T>(x).store(v, std::memory_order_relaxed);
}

// A pseudo-random permutation of 0..n-1 from (seed, level) (Fisher–Yates
// with splitmix64). Vertices are visited in this order, not by id: ids
// follow the input's order, where neighbours tend to come together, and
// greedy moves in that order snowball into a few early giant communities
// (on snap-ego-twitter, id order gives Q 0.788, a random order 0.796).
std::vector<VertexId> visiting_order(VertexId n, std::uint64_t seed, int level) {
  std::vector<VertexId> order(n);
  std::iota(order.begin(), order.end(), VertexId{0});
  std::uint64_t state = splitmix64(seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(level) + 1);
  for (VertexId i = n; i > 1; --i) {
    state += 0x9E3779B97F4A7C15ULL;
    const std::uint64_t r = splitmix64(state);
    const auto j = static_cast<VertexId>(r % i);
    std::swap(order[i - 1], order[j]);
  }
  return order;
}

// One level: the graph, its vertex strengths and the current communities.
class Level {
 public:
  Level(const Csr& g, const LeidenOptions& o, std::vector<VertexId> communities, int level)
      : g_(g), o_(o), n_(g.num_vertices()), comm_(std::move(communities)) {
    order_ = visiting_order(n_, o.seed, level);
    position_.resize(n_);
    for (VertexId i = 0; i < n_; ++i) position_[order_[i]] = i;
    strength_ = graph::vertex_strengths(g);
    total_ = 0;
    for (double k : strength_) total_ += k;
    community_strength_.assign(n_, 0.0);
    for (VertexId v = 0; v < n_; ++v) community_strength_[comm_[v]] += strength_[v];
    scratch_.resize(static_cast<std::size_t>(omp_get_max_threads()));
    for (auto& s : scratch_) s.resize(n_);
  }

  double total_weight() const { return total_; }
  const std::vector<VertexId>& communities() const { return comm_; }

  // Local moving; returns the number of moves and adds the passes made.
  // `watch` drops threads that do not get their cores between passes.
  std::uint64_t move_nodes(double tolerance, int& passes, CoreWatch& watch);
  // Refinement within the current communities; returns sub-community labels.
  std::vector<VertexId> refine();
  VertexId refine_target(VertexId u, const std::vector<VertexId>& sub,
                         const std::vector<double>& sub_strength, NeighbourWeights<double>& nw) const;

 private:
  // Best community for u: (community, gain over staying); gain 0 = stay.
  std::pair<VertexId, double> best_move(VertexId u, NeighbourWeights<double>& nw) const;
  // True when a neighbour of u carries this batch's stamp (moved in it).
  bool neighbour_moved(VertexId u, const std::vector<std::uint32_t>& moved_at,
                       std::uint32_t stamp) const {
    for (VertexId v : g_.neighbours(u)) {
      if (moved_at[v] == stamp) return true;
    }
    return false;
  }
  // True when a neighbour of u is visited in the same batch before u (at
  // position i, batch from `begin`): only then can a move applied before
  // u's make u's decision stale. Checked on all threads, so that the
  // one-thread apply step scans neighbours only for these few vertices.
  bool has_earlier_batch_neighbour(VertexId u, std::int64_t begin, std::int64_t i) const {
    for (VertexId v : g_.neighbours(u)) {
      const std::int64_t p = position_[v];
      if (p >= begin && p < i) return true;
    }
    return false;
  }
  void mark_neighbours(VertexId u, std::vector<std::uint8_t>& active) const {
    for (VertexId v : g_.neighbours(u)) store<std::uint8_t>(active[v], 1);
  }

  const Csr& g_;
  const LeidenOptions& o_;
  VertexId n_;
  std::vector<VertexId> comm_;
  std::vector<double> strength_;
  std::vector<double> community_strength_;
  double total_ = 0;
  std::vector<NeighbourWeights<double>> scratch_;
  std::vector<VertexId> order_;     // the order vertices are visited in
  std::vector<VertexId> position_;  // inverse of order_
};

std::pair<VertexId, double> Level::best_move(VertexId u, NeighbourWeights<double>& nw) const {
  nw.clear();
  auto nb = g_.neighbours(u);
  auto wt = g_.neighbour_weights(u);
  for (std::size_t i = 0; i < nb.size(); ++i) {
    if (nb[i] != u) nw.add(load(comm_[nb[i]]), wt[i]);
  }
  const VertexId d = load(comm_[u]);
  const double k = strength_[u];
  const double scale = o_.resolution * k / total_;
  // Gain of being in c = weight to c − γ·k·tot_c/M (u itself left out of d).
  const double stay = nw.weight_to(d) - scale * (load(community_strength_[d]) - k);
  VertexId best = d;
  double best_gain = stay;
  for (const auto& [c, w] : nw.entries()) {
    if (c == d) continue;
    const double gain = w - scale * load(community_strength_[c]);
    if (gain > best_gain ||
        (gain == best_gain && best != d && splitmix64(o_.seed ^ c) < splitmix64(o_.seed ^ best))) {
      best = c;
      best_gain = gain;
    }
  }
  return {best, best_gain - stay};
}

std::uint64_t Level::move_nodes(double tolerance, int& passes, CoreWatch& watch) {
  std::vector<std::uint8_t> active(n_, 1);
  std::uint64_t total_moves = 0;
  std::vector<VertexId> target(static_cast<std::size_t>(kBatch));
  std::vector<double> gain(static_cast<std::size_t>(kBatch));
  std::vector<std::uint8_t> check(static_cast<std::size_t>(kBatch));
  std::vector<std::uint32_t> moved_at(o_.deterministic ? n_ : 0, 0);
  std::uint32_t stamp = 0;
  const auto n = static_cast<std::int64_t>(n_);

  for (int pass = 0; pass < o_.max_passes; ++pass) {
    ++passes;
    double gained = 0;
    std::uint64_t moves = 0;
    if (o_.deterministic) {
      // A parallel region per kWatchedBatches batches, so that the watch
      // sees soon whether the threads have their cores.
      for (std::int64_t stretch = 0; stretch < n; stretch += kBatch * kWatchedBatches) {
        const std::int64_t stretch_end = std::min(n, stretch + kBatch * kWatchedBatches);
        watch.start();
#pragma omp parallel
        {
          NeighbourWeights<double>& nw = scratch_[omp_get_thread_num()];
          for (std::int64_t begin = stretch; begin < stretch_end; begin += kBatch) {
            const std::int64_t end = std::min(n, begin + kBatch);
            // Decide the batch against the state at its start.
#pragma omp for schedule(dynamic, 32)
            for (std::int64_t i = begin; i < end; ++i) {
              const VertexId u = order_[i];
              target[i - begin] = kNone;
              if (!active[u]) continue;
              active[u] = 0;
              auto [c, g] = best_move(u, nw);
              if (g > 0) {
                target[i - begin] = c;
                gain[i - begin] = g;
                check[i - begin] = has_earlier_batch_neighbour(u, begin, i);
              }
            }
            // Apply in vertex order. A decision is stale when a neighbour
            // moved earlier in this batch: decide again, now, on one thread
            // (the batch then behaves exactly like the serial algorithm).
#pragma omp single
            {
              ++stamp;
              for (std::int64_t i = begin; i < end; ++i) {
                const VertexId u = order_[i];
                VertexId c = target[i - begin];
                if (c == kNone) continue;
                double g = gain[i - begin];
                if (check[i - begin] && neighbour_moved(u, moved_at, stamp)) {
                  std::tie(c, g) = best_move(u, nw);
                  if (g <= 0) {
                    target[i - begin] = kNone;
                    continue;
                  }
                  target[i - begin] = c;
                }
                community_strength_[comm_[u]] -= strength_[u];
                community_strength_[c] += strength_[u];
                comm_[u] = c;
                moved_at[u] = stamp;
                gained += g;
                ++moves;
              }
            }
#pragma omp for schedule(dynamic, 32)
            for (std::int64_t i = begin; i < end; ++i) {
              if (target[i - begin] != kNone) mark_neighbours(order_[i], active);
            }
          }
        }
        watch.check();
      }
    } else {
      watch.start();
#pragma omp parallel reduction(+ : gained, moves)
      {
        NeighbourWeights<double>& nw = scratch_[omp_get_thread_num()];
#pragma omp for schedule(dynamic, 2048)
        for (std::int64_t i = 0; i < n; ++i) {
          const VertexId u = order_[i];
          if (!load(active[u])) continue;
          store<std::uint8_t>(active[u], 0);
          auto [c, g] = best_move(u, nw);
          if (g <= 0) continue;
          const VertexId d = load(comm_[u]);
          std::atomic_ref<double>(community_strength_[d]).fetch_sub(strength_[u], std::memory_order_relaxed);
          std::atomic_ref<double>(community_strength_[c]).fetch_add(strength_[u], std::memory_order_relaxed);
          store(comm_[u], c);
          gained += g;
          ++moves;
          mark_neighbours(u, active);
        }
      }
      watch.check();
    }
    total_moves += moves;
    // ΔQ of a move is 2·gain/M.
    if (moves == 0 || 2 * gained / total_ <= tolerance) break;
  }
  return total_moves;
}

// The refinement move for singleton u: the sub-community of its own
// community with the best positive gain, or kNone to stay alone.
VertexId Level::refine_target(VertexId u, const std::vector<VertexId>& sub,
                              const std::vector<double>& sub_strength, NeighbourWeights<double>& nw) const {
  nw.clear();
  auto nb = g_.neighbours(u);
  auto wt = g_.neighbour_weights(u);
  for (std::size_t i = 0; i < nb.size(); ++i) {
    if (nb[i] != u && comm_[nb[i]] == comm_[u]) nw.add(sub[nb[i]], wt[i]);
  }
  const double scale = o_.resolution * strength_[u] / total_;
  VertexId best = kNone;
  double best_gain = 0;  // staying alone gains nothing
  for (const auto& [s, w] : nw.entries()) {
    if (s == sub[u] || w <= 0) continue;
    const double gain = w - scale * sub_strength[s];
    if (gain > best_gain) {
      best = s;
      best_gain = gain;
    }
  }
  return best;
}

std::vector<VertexId> Level::refine() {
  std::vector<VertexId> sub(n_);
  std::iota(sub.begin(), sub.end(), VertexId{0});
  std::vector<double> sub_strength(strength_);
  std::vector<std::uint32_t> sub_size(n_, 1);
  std::vector<std::uint32_t> moved_at(n_, 0);
  std::uint32_t stamp = 0;
  std::vector<VertexId> target(static_cast<std::size_t>(kBatch));
  std::vector<std::uint8_t> check(static_cast<std::size_t>(kBatch));
  const auto n = static_cast<std::int64_t>(n_);

#pragma omp parallel
  {
    NeighbourWeights<double>& nw = scratch_[omp_get_thread_num()];
    for (std::int64_t begin = 0; begin < n; begin += kBatch) {
      const std::int64_t end = std::min(n, begin + kBatch);
#pragma omp for schedule(dynamic, 32)
      for (std::int64_t i = begin; i < end; ++i) {
        const VertexId u = order_[i];
        target[i - begin] = kNone;
        if (sub_size[sub[u]] != 1) continue;  // only singletons move
        target[i - begin] = refine_target(u, sub, sub_strength, nw);
        check[i - begin] = target[i - begin] != kNone && has_earlier_batch_neighbour(u, begin, i);
      }
      // Apply in vertex order; decide again where a neighbour moved in this
      // batch. Only singletons move and they join a sub-community they are
      // linked to, so every sub-community stays connected.
#pragma omp single
      {
        ++stamp;
        for (std::int64_t i = begin; i < end; ++i) {
          const VertexId u = order_[i];
          VertexId s = target[i - begin];
          if (s == kNone || sub_size[sub[u]] != 1) continue;
          if (check[i - begin] && neighbour_moved(u, moved_at, stamp)) {
            s = refine_target(u, sub, sub_strength, nw);
            if (s == kNone) continue;
          }
          const VertexId old = sub[u];
          sub_size[old] = 0;
          sub_strength[old] = 0;
          sub[u] = s;
          ++sub_size[s];
          sub_strength[s] += strength_[u];
          moved_at[u] = stamp;
        }
      }
    }
  }
  return sub;
}

// Dense relabelling in order of first vertex; returns the label count.
VertexId relabel(std::vector<VertexId>& labels) {
  VertexId max_label = 0;
  for (VertexId l : labels) max_label = std::max(max_label, l);
  std::vector<VertexId> renamed(labels.empty() ? 0 : std::size_t{max_label} + 1, kNone);
  VertexId next = 0;
  for (VertexId& l : labels) {
    if (renamed[l] == kNone) renamed[l] = next++;
    l = renamed[l];
  }
  return next;
}

// The next level's graph: one vertex per sub-community (labels dense
// 0..count-1), arcs summed, internal arcs as a self-loop. Built in parallel
// by prefix sums: members grouped by counting sort, each coarse row written
// into a slot as large as its members' degrees, then compacted.
Csr aggregate(const Csr& g, const std::vector<VertexId>& sub, VertexId count,
              std::vector<NeighbourWeights<double>>& scratch) {
  const VertexId n = g.num_vertices();
  std::vector<VertexId> member_offsets(static_cast<std::size_t>(count) + 1, 0);
  for (VertexId v = 0; v < n; ++v) ++member_offsets[sub[v] + 1];
  std::partial_sum(member_offsets.begin(), member_offsets.end(), member_offsets.begin());
  std::vector<VertexId> members(n);
  {
    std::vector<VertexId> cursor(member_offsets.begin(), member_offsets.end() - 1);
    for (VertexId v = 0; v < n; ++v) members[cursor[sub[v]]++] = v;
  }
  std::vector<EdgeIndex> slot(static_cast<std::size_t>(count) + 1, 0);
  for (VertexId s = 0; s < count; ++s) {
    EdgeIndex d = 0;
    for (VertexId i = member_offsets[s]; i < member_offsets[s + 1]; ++i) d += g.degree(members[i]);
    slot[s + 1] = slot[s] + d;
  }
  std::vector<VertexId> targets(slot[count]);
  std::vector<float> weights(slot[count]);
  std::vector<EdgeIndex> degree(static_cast<std::size_t>(count) + 1, 0);
  for (auto& s : scratch) s.resize(count);

#pragma omp parallel
  {
    NeighbourWeights<double>& nw = scratch[omp_get_thread_num()];
#pragma omp for schedule(dynamic, 64)
    for (std::int64_t s = 0; s < static_cast<std::int64_t>(count); ++s) {
      nw.clear();
      for (VertexId i = member_offsets[s]; i < member_offsets[s + 1]; ++i) {
        const VertexId u = members[i];
        auto nb = g.neighbours(u);
        auto wt = g.neighbour_weights(u);
        for (std::size_t k = 0; k < nb.size(); ++k) nw.add(sub[nb[k]], wt[k]);
      }
      auto& entries = nw.entries();
      std::sort(entries.begin(), entries.end());
      EdgeIndex at = slot[s];
      for (const auto& [t, w] : entries) {
        targets[at] = t;
        weights[at] = static_cast<float>(w);
        ++at;
      }
      degree[s + 1] = entries.size();
    }
  }
  Csr coarse;
  coarse.offsets.assign(static_cast<std::size_t>(count) + 1, 0);
  std::partial_sum(degree.begin(), degree.end(), coarse.offsets.begin());
  coarse.targets.resize(coarse.offsets[count]);
  coarse.weights.resize(coarse.offsets[count]);
#pragma omp parallel for schedule(static)
  for (std::int64_t s = 0; s < static_cast<std::int64_t>(count); ++s) {
    std::copy_n(targets.begin() + static_cast<std::ptrdiff_t>(slot[s]), degree[s + 1],
                coarse.targets.begin() + static_cast<std::ptrdiff_t>(coarse.offsets[s]));
    std::copy_n(weights.begin() + static_cast<std::ptrdiff_t>(slot[s]), degree[s + 1],
                coarse.weights.begin() + static_cast<std::ptrdiff_t>(coarse.offsets[s]));
  }
  return coarse;
}

}  // namespace

Status validate(const LeidenOptions& o) {
  if (!(o.resolution > 0) || !std::isfinite(o.resolution)) {
    return Status::invalid_argument("resolution must be a positive number");
  }
  if (!(o.density >= 0) || !std::isfinite(o.density)) {
    return Status::invalid_argument("density must be 0 (modularity) or a positive number");
  }
  if (o.max_levels < 1 || o.max_passes < 1 || o.iterations < 1) {
    return Status::invalid_argument("max_levels, max_passes and iterations must be at least 1");
  }
  if (!(o.tolerance >= 0) || !(o.tolerance_drop >= 1)) {
    return Status::invalid_argument("tolerance must be >= 0 and tolerance_drop >= 1");
  }
  if (!(o.aggregation_tolerance > 0 && o.aggregation_tolerance <= 1)) {
    return Status::invalid_argument("aggregation_tolerance must be in (0, 1]");
  }
  return Status::ok();
}

// One run of the multilevel procedure on the input graph, starting from
// `start` (singletons, or the previous iteration's partition). Returns the
// levels found, finest first (empty when the graph has no edges).
std::vector<LeidenLevel> Leiden::run_levels(std::vector<VertexId> start, CoreWatch& watch) {
  const VertexId n = graph_.num_vertices();
  std::vector<LeidenLevel> levels;
  // top[v]: the vertex of the current level that input vertex v is in.
  std::vector<VertexId> top(n);
  std::iota(top.begin(), top.end(), VertexId{0});
  std::vector<VertexId> communities = std::move(start);
  const Csr* current = &graph_;
  Csr coarse;
  double tolerance = options_.tolerance;

  for (int level = 0; level < options_.max_levels; ++level) {
    Level state(*current, options_, std::move(communities), level);
    if (state.total_weight() <= 0) break;  // no edges: singletons
    double t = seconds_now();
    const std::uint64_t moves = state.move_nodes(tolerance, timings_.passes, watch);
    timings_.move_seconds += seconds_now() - t;
    if (moves == 0 && level > 0) break;  // nothing changed: the last level stands

    std::vector<VertexId> labels(n);
    for (VertexId v = 0; v < n; ++v) labels[v] = state.communities()[top[v]];
    Partition partition = canonical_partition(labels);
    // Modularity on this level's (smaller) graph equals that on the input
    // graph: aggregation keeps internal arcs as self-loops.
    const double q = community::modularity(*current, state.communities(),
                                           static_cast<CommunityId>(current->num_vertices()),
                                           options_.resolution);
    levels.push_back({std::move(partition), q});
    ++timings_.levels;

    t = seconds_now();
    std::vector<VertexId> sub = options_.method == LeidenOptions::Method::kLeiden
                                    ? state.refine()
                                    : state.communities();
    const VertexId count = relabel(sub);
    timings_.refine_seconds += seconds_now() - t;
    const VertexId level_n = current->num_vertices();
    if (count == level_n || count > options_.aggregation_tolerance * level_n) break;

    t = seconds_now();
    // Each coarse vertex starts in the community its members were in.
    communities.assign(count, 0);
    for (VertexId v = 0; v < level_n; ++v) communities[sub[v]] = state.communities()[v];
    relabel(communities);
    std::vector<NeighbourWeights<double>> scratch(static_cast<std::size_t>(omp_get_max_threads()));
    Csr next = aggregate(*current, sub, count, scratch);
    for (VertexId& v : top) v = sub[v];
    coarse = std::move(next);
    current = &coarse;
    tolerance /= options_.tolerance_drop;
    timings_.aggregate_seconds += seconds_now() - t;
  }
  return levels;
}

LeidenOptions resolve_density(LeidenOptions o, double total_weight) {
  if (o.density > 0 && total_weight > 0) o.resolution = o.density * total_weight;
  o.density = 0;
  return o;
}

Status Leiden::run() {
  ST_RETURN_IF_ERROR(validate(options_));
  options_ = resolve_density(options_, total_weight_of(fixed_weight_total(graph_)));
  const double start = seconds_now();
  hierarchy_.clear();
  timings_ = {};
  const VertexId n = graph_.num_vertices();

  // Iteration 1 starts from singletons; each further iteration starts from
  // the partition the previous one ended with (the paper's iterated Leiden)
  // and stops early once the partition no longer changes.
  std::vector<VertexId> start_partition(n);
  std::iota(start_partition.begin(), start_partition.end(), VertexId{0});
  if (!start_.empty()) {
    if (start_.size() != n) return Status::invalid_argument("a warm start must give every vertex a community");
    // Labels as the levels expect them: dense, in first-vertex order.
    start_partition = canonical_partition(start_).membership;
  }
  CoreWatch watch;
  for (int iteration = 0; iteration < options_.iterations; ++iteration) {
    std::vector<LeidenLevel> levels = run_levels(start_partition, watch);
    if (levels.empty()) break;
    const bool unchanged = iteration > 0 && levels.back().partition.membership ==
                                                hierarchy_.back().partition.membership;
    hierarchy_ = std::move(levels);
    if (unchanged) break;
    start_partition = hierarchy_.back().partition.membership;
  }

  if (hierarchy_.empty()) {
    std::vector<VertexId> singletons(n);
    std::iota(singletons.begin(), singletons.end(), VertexId{0});
    hierarchy_.push_back({canonical_partition(singletons), 0.0});
  }
  // The result: connected communities, its modularity computed on the
  // input graph itself (coarse levels store float sums of weights).
  LeidenLevel& last = hierarchy_.back();
  last.partition = split_disconnected(graph_, last.partition);
  last.modularity = community::modularity(graph_, last.partition.membership,
                                          last.partition.num_communities, options_.resolution);
  timings_.total_seconds = seconds_now() - start;
  return Status::ok();
}

Partition split_disconnected(const Csr& g, const Partition& p) {
  const VertexId n = g.num_vertices();
  std::vector<VertexId> component(n, kNone);
  std::vector<VertexId> stack;
  VertexId next = 0;
  for (VertexId root = 0; root < n; ++root) {
    if (component[root] != kNone) continue;
    component[root] = next;
    stack.push_back(root);
    while (!stack.empty()) {
      VertexId u = stack.back();
      stack.pop_back();
      for (VertexId v : g.neighbours(u)) {
        if (component[v] == kNone && p.membership[v] == p.membership[u]) {
          component[v] = next;
          stack.push_back(v);
        }
      }
    }
    ++next;
  }
  return canonical_partition(component);
}

}  // namespace sourcetrace::community
