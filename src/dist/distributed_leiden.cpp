// DistributedLeiden: the round-level driver (community/round_driver.hpp)
// over a graph split across ranks.
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
#include <optional>
#include <unordered_map>

#include "sourcetrace/community/arc_list.hpp"
#include "sourcetrace/community/modularity.hpp"
#include "sourcetrace/community/partition.hpp"
#include "sourcetrace/community/round_moving.hpp"
#include "sourcetrace/community/splitmix64.hpp"
#include "sourcetrace/dist/id_map.hpp"
#include "sourcetrace/dist/mpi_session.hpp"

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
  // Every vertex alone, or (`start`: a name for each owned vertex) in the
  // community of that name. Collective.
  DistributedLevel(const DistributedGraph& g, const community::LeidenOptions& o, int level,
                   std::span<const VertexId> start)
      : g_(g), o_(o), level_(level), nl_(g.owned()), comm_(g.owned() + g.ghosts()) {
    const graph::Csr& csr = g.local();
    strength_ = community::fixed_strengths(csr);  // the owned vertices' (ghosts have no rows here)
    const Fixed mine = std::accumulate(strength_.begin(), strength_.end(), Fixed{0});
    MPI_Allreduce(&mine, &total_, 1, MPI_INT64_T, MPI_SUM, g.comm());
    if (start.empty()) {
      for (VertexId v = 0; v < nl_ + g.ghosts(); ++v) comm_[v] = g.global_id(v);
      owned_total_ = strength_;
    } else {
      std::copy(start.begin(), start.end(), comm_.begin());
      g.exchange<VertexId>({comm_.data(), nl_}, {comm_.data() + nl_, static_cast<std::size_t>(g.ghosts())});
      owned_total_.assign(nl_, 0);
      for (VertexId u = 0; u < nl_; ++u) add_to_total(comm_[u], strength_[u]);
      send_pending_totals();
    }
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
  std::uint64_t move_nodes(double tolerance, int rounds, int& passes);
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
  // Our changes to remote totals, to their owners (collective).
  void send_pending_totals();
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

void DistributedLevel::send_pending_totals() {
  const int size = g_.ranges().ranks();
  std::vector<std::vector<TotalDelta>> deltas(static_cast<std::size_t>(size));
  for (const auto& [c, d] : pending_) deltas[g_.ranges().owner(c)].push_back({c, d});
  pending_.clear();
  for (const TotalDelta& d : all_to_all(g_.comm(), deltas)) owned_total_[d.community - g_.first()] += d.delta;
}

void DistributedLevel::synchronise(const std::vector<VertexId>& moved, std::vector<std::uint8_t>& active) {
  send_pending_totals();

  // Ghosts of the vertices that moved, waking their owned neighbours.
  const std::vector<VertexId> changed = g_.exchange_changed<VertexId>(
      moved, {comm_.data(), nl_}, {comm_.data() + nl_, static_cast<std::size_t>(g_.ghosts())});
  for (VertexId i : changed) {
    for (EdgeIndex k = ghost_offsets_[i]; k < ghost_offsets_[i + 1]; ++k) active[ghost_neighbours_[k]] = 1;
  }
}

std::uint64_t DistributedLevel::move_nodes(double tolerance, int rounds, int& passes) {
  const graph::Csr& csr = g_.local();
  std::vector<std::uint8_t> active(nl_, 1), deciding(nl_, 0);
  std::vector<VertexId> target(nl_, kNone);
  community::RoundSchedule schedule;
  std::vector<VertexId> moved;
  std::uint64_t all_moves = 0;
  modularity_ = compute_modularity();

  for (int pass = 0; pass < o_.max_passes; ++pass) {
    ++passes;
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
DistributedGraph aggregate_level(const DistributedGraph& g, const std::vector<VertexId>& label,
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

// The backend: the current level split across ranks and, for each owned
// input vertex, the global id of the current level's vertex that holds it
// (which may live on another rank).
class RankRounds final : public community::RoundBackend {
 public:
  explicit RankRounds(const DistributedGraph& input) : input_(input), current_(&input), top_(input.owned()) {
    std::iota(top_.begin(), top_.end(), input.first());
  }

  bool is_root() const override { return input_.rank() == 0; }
  bool root_says(bool value) const override {
    int v = value ? 1 : 0;
    MPI_Bcast(&v, 1, MPI_INT, 0, input_.comm());
    return v != 0;
  }
  Status agree(const Status& on_root) const override { return agree_with_root(input_.comm(), on_root); }
  community::FixedSquares input_weight_total() const override {
    return sum_over_ranks(input_.comm(), community::fixed_weight_total(input_.local()));
  }
  std::uint64_t num_vertices() const override { return current_->ranges().num_vertices(); }

  community::LevelMoves move(const community::LeidenOptions& o, int level, double tolerance, int rounds,
                             const std::vector<VertexId>* start) override {
    // A start names the input vertices (the first level): each rank its own.
    std::vector<VertexId> mine;
    if (start != nullptr) {
      mine = scatter_from_root<VertexId>(input_.comm(), *start, range_sizes(input_.ranges()), 0);
    }
    level_.emplace(*current_, o, level, mine);
    community::LevelMoves m;
    if (level_->total_weight() <= 0) return m;
    m.moves = level_->move_nodes(tolerance, rounds, m.passes);
    m.modularity = level_->modularity();
    return m;
  }
  std::vector<VertexId> input_communities() override {
    const std::vector<VertexId> labels =
        fetch_from_owners<VertexId>(input_.comm(), current_->ranges(), top_, level_->communities());
    return gather_to_root<VertexId>(input_.comm(), labels, 0);
  }
  void aggregate() override {
    const std::vector<VertexId> component = component_labels(*current_, level_->all_communities());
    level_.reset();
    std::vector<VertexId> coarse_of;
    DistributedGraph next = aggregate_level(*current_, component, coarse_of);
    top_ = fetch_from_owners<VertexId>(input_.comm(), current_->ranges(), top_, coarse_of);
    coarse_ = std::move(next);
    current_ = &coarse_;
  }
  community::FinishGraph gather() override {
    level_.reset();
    gathered_ = current_->gather(0);
    top_all_ = gather_to_root<VertexId>(input_.comm(), top_, 0);
    if (!is_root()) return {};
    return {&gathered_, &top_all_};
  }
  // Computed as one node computes it: every rank's rows' terms, added up
  // on rank 0 in vertex order.
  double input_modularity(const community::Partition* result, double resolution) override {
    const MPI_Comm comm = input_.comm();
    std::vector<community::CommunityId> all;
    community::CommunityId count = 0;
    if (result != nullptr) {
      all = result->membership;
      count = result->num_communities;
    }
    std::vector<community::CommunityId> mine =
        scatter_from_root<community::CommunityId>(comm, all, range_sizes(input_.ranges()), 0);
    mine.resize(static_cast<std::size_t>(input_.owned()) + input_.ghosts());
    input_.exchange<community::CommunityId>({mine.data(), input_.owned()},
                                            {mine.data() + input_.owned(), input_.ghosts()});
    const std::vector<community::ModularityTerms> terms =
        gather_to_root<community::ModularityTerms>(comm, community::modularity_terms(input_.local(), mine), 0);
    if (!is_root()) return 0;
    return community::modularity_from_terms(terms, all, count, resolution);
  }

 private:
  static std::vector<int> range_sizes(const VertexRanges& ranges) {
    std::vector<int> counts(static_cast<std::size_t>(ranges.ranks()));
    for (int r = 0; r < ranges.ranks(); ++r) counts[r] = static_cast<int>(ranges.begin[r + 1] - ranges.begin[r]);
    return counts;
  }

  const DistributedGraph& input_;
  const DistributedGraph* current_;
  DistributedGraph coarse_;
  std::vector<VertexId> top_;
  std::optional<DistributedLevel> level_;
  graph::Csr gathered_;
  std::vector<VertexId> top_all_;
};

}  // namespace

Status DistributedLeiden::run() {
  const std::uint64_t bytes_before = bytes_sent();
  RankRounds backend(graph_);
  community::RoundDriver driver(backend, options_);
  if (!start_.empty()) driver.start_from(std::move(start_));
  ST_RETURN_IF_ERROR(driver.run());
  hierarchy_ = driver.release_hierarchy();
  finish_timings_ = driver.finish_timings();
  warm_started_ = driver.warm_started();
  resolution_ = driver.resolution_used();
  timings_ = {driver.timings()};
  timings_.bytes_sent = bytes_sent() - bytes_before;
  return Status::ok();
}

}  // namespace sourcetrace::dist
