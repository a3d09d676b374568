// DistributedLeiden: levels moved in rounds across ranks, then the
// single-node finish. The twin of community/round_leiden.cpp, step for
// step; a change here needs the same change there.
//
// What ranks add to one node's steps:
// - Communities are named by a global vertex id (a vertex starts in its own
//   community); the total of community c is kept by the rank that owns
//   vertex c, whatever rank its members are on. After each round, ranks
//   send their changes of other ranks' totals to the owners and exchange
//   the communities of ghost vertices; before the next, each fetches the
//   remote totals its deciding vertices look at, so that they decide on
//   exact totals, as one node does.
// - The connected components of communities are found across ranks by
//   label exchange (the smallest vertex id wins, as on one node).
// - Coarse arcs are summed on their rank first, then at their coarse
//   source's owner; fixed-point sums make both steps exact.
#include "sourcetrace/dist/distributed_leiden.hpp"

#include <omp.h>

#include <algorithm>
#include <numeric>
#include <unordered_map>

#include "sourcetrace/community/arc_list.hpp"
#include "sourcetrace/community/modularity.hpp"
#include "sourcetrace/community/partition.hpp"
#include "sourcetrace/community/round_moving.hpp"
#include "sourcetrace/community/splitmix64.hpp"
#include "sourcetrace/dist/id_map.hpp"

namespace sourcetrace::dist {

namespace {

using community::best_round_move;
using community::Fixed;
using community::RoundMove;
using community::splitmix64;
using community::to_fixed;
using community::WeightedArc;

constexpr VertexId kNone = UINT32_MAX;

// Fixed weights from one vertex to each neighbouring community: community
// ids are global here, so a small open-addressing table sized by the degree
// stands in for one node's dense array.
class CommunityWeights {
 public:
  void reset(std::size_t degree) {
    std::size_t capacity = 16;
    while (capacity < 2 * degree + 2) capacity *= 2;
    if (keys_.size() < capacity) {
      keys_.assign(capacity, kNone);
      values_.assign(capacity, 0);
    }
    for (std::size_t slot : used_) keys_[slot] = kNone;
    used_.clear();
    mask_ = capacity - 1;
  }
  void add(VertexId c, Fixed w) {
    std::size_t slot = splitmix64(c) & mask_;
    while (keys_[slot] != kNone && keys_[slot] != c) slot = (slot + 1) & mask_;
    if (keys_[slot] == kNone) {
      keys_[slot] = c;
      values_[slot] = 0;
      used_.push_back(slot);
    }
    values_[slot] += w;
  }
  template <typename F>
  void for_each(F&& f) const {
    for (std::size_t slot : used_) f(keys_[slot], values_[slot]);
  }

 private:
  std::vector<VertexId> keys_;
  std::vector<Fixed> values_;
  std::vector<std::size_t> used_;
  std::size_t mask_ = 0;
};

// Σ over ranks of a 128-bit value, on every rank: MPI has no 128-bit
// type, so the halves are gathered and added here (exact, any order).
community::FixedSquares sum_over_ranks(MPI_Comm comm, community::FixedSquares mine) {
  int size = 1;
  MPI_Comm_size(comm, &size);
  const std::uint64_t halves[2] = {static_cast<std::uint64_t>(mine >> 64), static_cast<std::uint64_t>(mine)};
  std::vector<std::uint64_t> all(2 * static_cast<std::size_t>(size));
  MPI_Allgather(halves, 2, MPI_UINT64_T, all.data(), 2, MPI_UINT64_T, comm);
  community::FixedSquares sum = 0;
  for (std::size_t r = 0; r < all.size(); r += 2) sum += (static_cast<community::FixedSquares>(all[r]) << 64) | all[r + 1];
  return sum;
}

struct TotalDelta {
  std::uint64_t community;  // 64 bits: no padding bytes go out uninitialised
  Fixed delta;
};

// One distributed level: this rank's vertices, their communities (owned
// and ghosts) and the community totals it can see.
class DistributedLevel {
 public:
  DistributedLevel(const DistributedGraph& g, const community::LeidenOptions& o, int level)
      : g_(g), o_(o), level_(level), nl_(g.owned()), comm_(g.owned() + g.ghosts()) {
    const graph::Csr& csr = g.local();
    strength_ = community::fixed_strengths(csr);  // the owned vertices' (ghosts have no rows here)
    const Fixed mine = std::accumulate(strength_.begin(), strength_.end(), Fixed{0});
    MPI_Allreduce(&mine, &total_, 1, MPI_INT64_T, MPI_SUM, g.comm());
    for (VertexId v = 0; v < nl_ + g.ghosts(); ++v) comm_[v] = g.global_id(v);
    owned_total_ = strength_;
    // Who to wake when a ghost changes community: its owned neighbours.
    ghost_offsets_.assign(static_cast<std::size_t>(g.ghosts()) + 1, 0);
    for (VertexId t : csr.targets) {
      if (t >= nl_) ++ghost_offsets_[t - nl_ + 1];
    }
    std::partial_sum(ghost_offsets_.begin(), ghost_offsets_.end(), ghost_offsets_.begin());
    ghost_neighbours_.resize(ghost_offsets_.back());
    std::vector<EdgeIndex> cursor(ghost_offsets_.begin(), ghost_offsets_.end() - 1);
    for (VertexId u = 0; u < nl_; ++u) {
      for (VertexId t : csr.neighbours(u)) {
        if (t >= nl_) ghost_neighbours_[cursor[t - nl_]++] = u;
      }
    }
    scratch_.resize(static_cast<std::size_t>(omp_get_max_threads()));
  }

  Fixed total_weight() const { return total_; }
  // Global community id of each owned vertex.
  std::span<const VertexId> communities() const { return {comm_.data(), nl_}; }
  std::span<const VertexId> all_communities() const { return comm_; }

  // Passes of rounds until a pass gains at most `tolerance` modularity on
  // all ranks together; returns the moves made by all ranks.
  std::uint64_t move_nodes(double tolerance, int rounds, DistributedTimings& timings);
  // The modularity the last pass of move_nodes ended with.
  double modularity() const { return modularity_; }

 private:
  // Modularity of the current communities (collective).
  double compute_modularity() const;
  bool owns_community(VertexId c) const { return c >= g_.first() && c - g_.first() < nl_; }
  Fixed community_total(VertexId c) const {
    if (owns_community(c)) return owned_total_[c - g_.first()];
    return remote_total_.get(c);
  }
  void add_to_total(VertexId c, Fixed delta) {
    if (owns_community(c)) {
      owned_total_[c - g_.first()] += delta;
    } else {
      pending_[c] += delta;
    }
  }
  RoundMove decide(VertexId u, CommunityWeights& weights) const;
  // The round's exchange: deltas to the totals' owners, and the new
  // communities of the vertices that moved to the ranks that hold them as
  // ghosts (waking their owned neighbours there).
  void synchronise(const std::vector<VertexId>& moved, std::vector<std::uint8_t>& active);
  // Before a round: the current totals of every remote community that a
  // vertex deciding in it may look at (its own and its neighbours'), so
  // that it decides on exact totals, as one node does. Collective.
  void fetch_remote_totals(const community::RoundSchedule& schedule, std::int64_t begin, std::int64_t end,
                           const std::vector<std::uint8_t>& deciding);

  const DistributedGraph& g_;
  const community::LeidenOptions& o_;
  int level_;
  VertexId nl_;
  std::vector<VertexId> comm_;  // owned, then ghosts
  std::vector<Fixed> strength_;
  Fixed total_ = 0;
  double modularity_ = 0;
  std::vector<Fixed> owned_total_;  // totals of communities first()..first()+nl_-1
  IdMap<Fixed> remote_total_;  // totals of the remote communities this round looks at
  std::unordered_map<VertexId, Fixed> pending_;  // our changes to remote totals, not yet sent
  std::vector<EdgeIndex> ghost_offsets_;
  std::vector<VertexId> ghost_neighbours_;
  std::vector<CommunityWeights> scratch_;
};

RoundMove DistributedLevel::decide(VertexId u, CommunityWeights& weights) const {
  const graph::Csr& csr = g_.local();
  auto nb = csr.neighbours(u);
  auto wt = csr.neighbour_weights(u);
  weights.reset(nb.size());
  for (std::size_t i = 0; i < nb.size(); ++i) {
    if (nb[i] != u) weights.add(comm_[nb[i]], to_fixed(wt[i]));
  }
  return best_round_move(weights, comm_[u], strength_[u], total_, o_.resolution, o_.seed,
                         [&](VertexId c) { return community_total(c); });
}

void DistributedLevel::fetch_remote_totals(const community::RoundSchedule& schedule, std::int64_t begin,
                                           std::int64_t end, const std::vector<std::uint8_t>& deciding) {
  const graph::Csr& csr = g_.local();
  // The table itself removes repeats (cheaper than sorting every round).
  remote_total_.clear();
  std::vector<VertexId> needed;
  auto need = [&](VertexId c) {
    if (owns_community(c) || remote_total_.contains(c)) return;
    remote_total_[c] = 0;
    needed.push_back(c);
  };
  for (std::int64_t i = begin; i < end; ++i) {
    const VertexId u = schedule.vertices[i];
    if (!deciding[u]) continue;
    need(comm_[u]);
    for (VertexId v : csr.neighbours(u)) need(comm_[v]);
  }
  const std::vector<Fixed> totals = fetch_from_owners<Fixed>(g_.comm(), g_.ranges(), needed, owned_total_);
  for (std::size_t i = 0; i < needed.size(); ++i) remote_total_[needed[i]] = totals[i];
}

void DistributedLevel::synchronise(const std::vector<VertexId>& moved, std::vector<std::uint8_t>& active) {
  const int size = g_.ranges().ranks();
  std::vector<std::vector<TotalDelta>> deltas(static_cast<std::size_t>(size));
  for (const auto& [c, d] : pending_) deltas[g_.ranges().owner(c)].push_back({c, d});
  pending_.clear();
  for (const TotalDelta& d : all_to_all(g_.comm(), deltas)) owned_total_[d.community - g_.first()] += d.delta;

  // Ghosts of the vertices that moved, waking their owned neighbours.
  const std::vector<VertexId> changed = g_.exchange_changed<VertexId>(
      moved, {comm_.data(), nl_}, {comm_.data() + nl_, static_cast<std::size_t>(g_.ghosts())});
  for (VertexId i : changed) {
    for (EdgeIndex k = ghost_offsets_[i]; k < ghost_offsets_[i + 1]; ++k) active[ghost_neighbours_[k]] = 1;
  }
}

std::uint64_t DistributedLevel::move_nodes(double tolerance, int rounds, DistributedTimings& timings) {
  const graph::Csr& csr = g_.local();
  std::vector<std::uint8_t> active(nl_, 1), deciding(nl_, 0);
  std::vector<VertexId> target(nl_, kNone);
  community::RoundSchedule schedule;
  std::vector<VertexId> moved;
  std::uint64_t all_moves = 0;
  modularity_ = compute_modularity();

  for (int pass = 0; pass < o_.max_passes; ++pass) {
    ++timings.passes;
    schedule.plan(nl_, g_.first(), o_.seed, level_, pass, rounds);
    std::uint64_t moves = 0;
    for (int round = 0; round < rounds; ++round) {
      const auto begin = static_cast<std::int64_t>(schedule.begin[round]);
      const auto end = static_cast<std::int64_t>(schedule.begin[round + 1]);
      for (std::int64_t i = begin; i < end; ++i) deciding[schedule.vertices[i]] = active[schedule.vertices[i]];
      fetch_remote_totals(schedule, begin, end, deciding);
#pragma omp parallel for schedule(dynamic, 1024)
      for (std::int64_t i = begin; i < end; ++i) {
        const VertexId u = schedule.vertices[i];
        target[i] = kNone;
        if (!deciding[u]) continue;
        deciding[u] = 0;
        active[u] = 0;
        const RoundMove m = decide(u, scratch_[omp_get_thread_num()]);
        if (m.gain > 0) target[i] = m.community;
      }
      // Apply on one thread: totals of remote communities collect in pending_.
      moved.clear();
      for (std::int64_t i = begin; i < end; ++i) {
        const VertexId c = target[i];
        if (c == kNone) continue;
        const VertexId u = schedule.vertices[i];
        add_to_total(comm_[u], -strength_[u]);
        add_to_total(c, strength_[u]);
        comm_[u] = c;
        moved.push_back(u);
        ++moves;
        for (VertexId v : csr.neighbours(u)) {
          if (v < nl_) active[v] = 1;
        }
      }
      synchronise(moved, active);
      ++timings.rounds;
    }
    std::uint64_t global_moves = 0;
    MPI_Allreduce(&moves, &global_moves, 1, MPI_UINT64_T, MPI_SUM, g_.comm());
    all_moves += global_moves;
    const double before = modularity_;
    modularity_ = compute_modularity();
    if (global_moves == 0 || modularity_ - before <= tolerance) break;
  }
  return all_moves;
}

double DistributedLevel::compute_modularity() const {
  const graph::Csr& csr = g_.local();
  Fixed internal = 0;
  for (VertexId u = 0; u < nl_; ++u) {
    auto nb = csr.neighbours(u);
    auto wt = csr.neighbour_weights(u);
    for (std::size_t i = 0; i < nb.size(); ++i) {
      if (comm_[nb[i]] == comm_[u]) internal += to_fixed(wt[i]);
    }
  }
  community::FixedSquares squares = 0;
  for (Fixed t : owned_total_) squares += community::square(t);
  // Integer sums, so the result does not depend on how ranks split them.
  Fixed all_internal = 0;
  MPI_Allreduce(&internal, &all_internal, 1, MPI_INT64_T, MPI_SUM, g_.comm());
  return community::round_modularity(all_internal, sum_over_ranks(g_.comm(), squares), total_, o_.resolution);
}

// Connected components of each community, named by their smallest global
// vertex id: union-find over this rank's own edges, then rounds of ghost
// exchange that carry smaller names across ranks until none changes.
std::vector<VertexId> component_labels(const DistributedGraph& g, std::span<const VertexId> comm) {
  const graph::Csr& csr = g.local();
  const VertexId nl = g.owned(), ng = g.ghosts();
  const std::vector<VertexId> root = community::community_components(csr, comm, nl);
  std::vector<VertexId> label(static_cast<std::size_t>(nl) + ng);
  for (VertexId u = 0; u < nl; ++u) label[u] = g.first() + root[u];  // roots are the smallest member
  // Only arcs to a ghost of the same community carry names across ranks:
  // the rounds look at those alone.
  std::vector<std::pair<VertexId, VertexId>> bridges;  // (root, ghost)
  for (VertexId u = 0; u < nl; ++u) {
    for (VertexId v : csr.neighbours(u)) {
      if (v >= nl && comm[v] == comm[u]) bridges.push_back({root[u], v});
    }
  }
  for (;;) {
    g.exchange<VertexId>({label.data(), nl}, {label.data() + nl, ng});
    std::uint64_t changed = 0;
    for (const auto& [r, ghost] : bridges) {
      if (label[ghost] < label[r]) {
        label[r] = label[ghost];
        ++changed;
      }
    }
    for (VertexId u = 0; u < nl; ++u) label[u] = label[root[u]];
    std::uint64_t any = 0;
    MPI_Allreduce(&changed, &any, 1, MPI_UINT64_T, MPI_SUM, g.comm());
    if (any == 0) break;
  }
  label.resize(nl);
  return label;
}

// The next level: one vertex per label (labels are vertex ids of this
// level), numbered densely in label order as on one node, rows split over
// the ranks by their arcs; arcs summed, internal arcs as a self-loop (as
// on one node). coarse_of[v]: owned vertex v's coarse id.
DistributedGraph aggregate(const DistributedGraph& g, const std::vector<VertexId>& label,
                           std::vector<VertexId>& coarse_of) {
  const MPI_Comm comm = g.comm();
  const auto size = static_cast<std::size_t>(g.ranges().ranks());
  const VertexId nl = g.owned(), ng = g.ghosts(), first = g.first();
  // Owners learn which of their ids name a coarse vertex, and number them.
  std::vector<VertexId> used(label);
  std::sort(used.begin(), used.end());
  used.erase(std::unique(used.begin(), used.end()), used.end());
  std::vector<std::vector<VertexId>> tell(size);
  for (VertexId l : used) tell[g.ranges().owner(l)].push_back(l);
  std::vector<VertexId> is_label(nl, 0);
  for (VertexId l : all_to_all(comm, tell)) is_label[l - first] = 1;
  VertexId labelled = 0;
  for (VertexId i = 0; i < nl; ++i) labelled += is_label[i];
  std::vector<VertexId> counts(size);
  MPI_Allgather(&labelled, 1, MPI_UINT32_T, counts.data(), 1, MPI_UINT32_T, comm);
  const VertexRanges numbering = VertexRanges::from_counts(counts);
  std::vector<VertexId> id_of_label(nl, kNone);
  for (VertexId i = 0, next = numbering.begin[g.rank()]; i < nl; ++i) {
    if (is_label[i]) id_of_label[i] = next++;
  }

  // Coarse ids of our vertices and ghosts.
  std::vector<VertexId> all_labels(label);
  all_labels.resize(static_cast<std::size_t>(nl) + ng);
  g.exchange<VertexId>({all_labels.data(), nl}, {all_labels.data() + nl, ng});
  const std::vector<VertexId> coarse = fetch_from_owners<VertexId>(comm, g.ranges(), all_labels, id_of_label);
  coarse_of.assign(coarse.begin(), coarse.begin() + nl);

  // Arcs, summed here first, then sent to the owner of their coarse source.
  std::vector<WeightedArc> arcs = community::coarse_arcs(g.local(), coarse);
  community::sort_and_sum(arcs, numbering.num_vertices());
  // The coarse rows are split by their arcs (what local moving costs), not
  // left with their labels' owners: labels are smallest members, which
  // gathers them on the first ranks (on a market, every community's
  // smallest id is a seller). Row lengths are estimated by adding up each
  // rank's summed arcs at the id's numbering owner.
  struct RowLength {
    VertexId row, arcs;
  };
  std::vector<std::vector<RowLength>> tally(size);
  for (std::size_t k = 0; k < arcs.size();) {
    std::size_t end = k;
    while (end < arcs.size() && arcs[end].from == arcs[k].from) ++end;
    tally[numbering.owner(arcs[k].from)].push_back({arcs[k].from, static_cast<VertexId>(end - k)});
    k = end;
  }
  const VertexId number_first = numbering.begin[g.rank()];
  std::vector<std::uint64_t> load_before(static_cast<std::size_t>(labelled) + 1, 0);
  for (const RowLength& r : all_to_all(comm, tally)) load_before[r.row - number_first + 1] += r.arcs + 1;
  std::partial_sum(load_before.begin(), load_before.end(), load_before.begin());
  std::uint64_t mine_load = load_before.back(), before = 0;
  MPI_Exscan(&mine_load, &before, 1, MPI_UINT64_T, MPI_SUM, comm);
  if (g.rank() == 0) before = 0;  // MPI_Exscan leaves rank 0's undefined
  for (std::uint64_t& l : load_before) l += before;
  const VertexRanges ranges = VertexRanges::balanced(comm, number_first, load_before, numbering.num_vertices());
  const VertexId count = ranges.begin[g.rank() + 1] - ranges.begin[g.rank()];

  std::vector<std::vector<WeightedArc>> outgoing(size);
  for (const WeightedArc& a : arcs) outgoing[ranges.owner(a.from)].push_back(a);
  std::vector<WeightedArc>().swap(arcs);
  std::vector<WeightedArc> mine = all_to_all(comm, outgoing);
  outgoing.clear();
  community::sort_and_sum(mine, numbering.num_vertices());

  graph::Csr rows = community::rows_from_arcs(mine, ranges.begin[g.rank()], count);
  return DistributedGraph::from_global_rows(comm, ranges, std::move(rows.offsets), std::move(rows.targets),
                                            std::move(rows.weights));
}

}  // namespace

Status DistributedLeiden::run() {
  ST_RETURN_IF_ERROR(community::validate(options_));
  const double start = MPI_Wtime();
  const std::uint64_t bytes_before = bytes_sent();
  const MPI_Comm comm = graph_.comm();
  options_.leiden = community::resolve_density(
      options_.leiden, community::total_weight_of(sum_over_ranks(comm, community::fixed_weight_total(graph_.local()))));
  const int rank = graph_.rank();
  const community::LeidenOptions& lo = options_.leiden;
  hierarchy_.clear();
  timings_ = {};

  // top[v]: the vertex of the current level (global id) that owned input
  // vertex v is in (a coarse vertex may live on another rank: looked up
  // from its owner).
  std::vector<VertexId> top(graph_.owned());
  std::iota(top.begin(), top.end(), graph_.first());
  const DistributedGraph* current = &graph_;
  DistributedGraph coarse;
  double tolerance = lo.tolerance;

  if (graph_.ranges().num_vertices() > options_.gather_vertices) {
    ST_RETURN_IF_ERROR(community::round_weight_check(sum_over_ranks(comm, community::fixed_weight_total(graph_.local())),
                                                     graph_.ranges().num_vertices()));
  }
  for (int level = 0; level < lo.max_levels; ++level) {
    const VertexId n = current->ranges().num_vertices();
    if (n <= options_.gather_vertices) break;
    double t = MPI_Wtime();
    DistributedLevel state(*current, lo, level);
    if (state.total_weight() <= 0) break;
    const std::uint64_t moves = state.move_nodes(tolerance, options_.rounds, timings_);
    timings_.move_seconds += MPI_Wtime() - t;
    if (moves == 0) break;

    // This level's partition of the input vertices, for the hierarchy
    // (the level's vertex of an input vertex may live on another rank).
    const std::vector<VertexId> labels =
        fetch_from_owners<VertexId>(comm, current->ranges(), top, state.communities());
    const double q = state.modularity();
    std::vector<VertexId> all = gather_to_root<VertexId>(comm, labels, 0);
    if (rank == 0) hierarchy_.push_back({community::canonical_partition(all), q});
    ++timings_.distributed_levels;

    t = MPI_Wtime();
    const std::vector<VertexId> component = component_labels(*current, state.all_communities());
    std::vector<VertexId> coarse_of;
    DistributedGraph next = aggregate(*current, component, coarse_of);
    top = fetch_from_owners<VertexId>(comm, current->ranges(), top, coarse_of);
    const VertexId coarse_n = next.ranges().num_vertices();
    coarse = std::move(next);
    current = &coarse;
    tolerance /= lo.tolerance_drop;
    timings_.aggregate_seconds += MPI_Wtime() - t;
    if (static_cast<double>(coarse_n) > lo.aggregation_tolerance * n) break;  // no longer shrinking
  }

  // Finish on rank 0 with the single-node code.
  double t = MPI_Wtime();
  graph::Csr gathered = current->gather(0);
  std::vector<VertexId> top_all = gather_to_root<VertexId>(comm, top, 0);
  timings_.gathered_vertices = current->ranges().num_vertices();
  timings_.gather_seconds = MPI_Wtime() - t;
  Status finished = Status::ok();
  if (rank == 0) {
    t = MPI_Wtime();
    community::LeidenOptions finish = lo;
    if (timings_.distributed_levels > 0) finish.tolerance = tolerance;
    community::Leiden leiden(gathered, finish);
    warm_started_ = timings_.distributed_levels == 0 && !start_.empty();
    if (warm_started_) leiden.start_from(start_);
    finished = leiden.run();
    if (finished.is_ok()) {
      for (const community::LeidenLevel& level : leiden.hierarchy()) {
        std::vector<VertexId> labels(top_all.size());
        for (std::size_t v = 0; v < top_all.size(); ++v) labels[v] = level.partition.membership[top_all[v]];
        hierarchy_.push_back({community::canonical_partition(labels), level.modularity});
      }
      finish_timings_ = leiden.timings();
    }
    timings_.finish_seconds = MPI_Wtime() - t;
  }
  int ok = finished.is_ok() ? 1 : 0;
  MPI_Bcast(&ok, 1, MPI_INT, 0, comm);
  if (!ok) return rank == 0 ? finished : Status::internal("community detection failed on rank 0");
  if (timings_.distributed_levels > 0) report_input_modularity();
  timings_.bytes_sent = bytes_sent() - bytes_before;
  timings_.total_seconds = MPI_Wtime() - start;
  return Status::ok();
}

// The result's modularity on the input graph (the gathered graph's float
// weights are sums), computed as one node computes it: every rank's rows'
// terms, added up on rank 0 in vertex order.
void DistributedLeiden::report_input_modularity() {
  const MPI_Comm comm = graph_.comm();
  std::vector<community::CommunityId> all;
  community::CommunityId count = 0;
  if (graph_.rank() == 0) {
    all = hierarchy_.back().partition.membership;
    count = hierarchy_.back().partition.num_communities;
  }
  std::vector<int> counts(static_cast<std::size_t>(graph_.ranges().ranks()));
  for (int r = 0; r < graph_.ranges().ranks(); ++r) {
    counts[r] = static_cast<int>(graph_.ranges().begin[r + 1] - graph_.ranges().begin[r]);
  }
  std::vector<community::CommunityId> mine = scatter_from_root<community::CommunityId>(comm, all, counts, 0);
  mine.resize(static_cast<std::size_t>(graph_.owned()) + graph_.ghosts());
  graph_.exchange<community::CommunityId>({mine.data(), graph_.owned()},
                                          {mine.data() + graph_.owned(), graph_.ghosts()});
  const std::vector<community::ModularityTerms> terms =
      gather_to_root<community::ModularityTerms>(comm, community::modularity_terms(graph_.local(), mine), 0);
  if (graph_.rank() == 0) {
    hierarchy_.back().modularity = community::modularity_from_terms(terms, all, count, options_.leiden.resolution);
  }
}

}  // namespace sourcetrace::dist
