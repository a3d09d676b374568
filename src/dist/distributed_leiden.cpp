// DistributedLeiden: distributed levels, then the single-node finish.
//
// Where this differs from one node, and why:
// - Ranks decide their vertices at the same time; a rank sees another
//   rank's moves only at the next superstep. Two boundary vertices may
//   therefore move "past each other" within a superstep; the next pass
//   repairs it. sync_rounds bounds how stale a view gets.
// - Communities are named by a vertex id (as on one node: a vertex starts
//   in its own community); the total of community c is kept by the rank
//   that owns vertex c, whatever rank its members are on.
// - The distributed levels aggregate the connected components of each
//   community instead of running the Leiden refinement; the finish on one
//   node does refine. Coarse vertices are still connected, so every final
//   community is connected (Leiden::run splits the coarse communities into
//   components, and a connected coarse community of connected coarse
//   vertices is connected in the input).
#include "sourcetrace/dist/distributed_leiden.hpp"

#include <omp.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>
#include <tuple>
#include <unordered_map>

#include "sourcetrace/community/partition.hpp"
#include "sourcetrace/community/splitmix64.hpp"

namespace sourcetrace::dist {

namespace {

using community::splitmix64;

constexpr VertexId kNone = UINT32_MAX;
constexpr std::size_t kBatch = 1024;

// Weights from one vertex to each neighbouring community: community ids
// are global here, so a small open-addressing table sized by the degree
// stands in for one node's dense array.
class CommunityWeights {
 public:
  void reset(std::size_t degree) {
    std::size_t capacity = 16;
    while (capacity < 2 * degree + 2) capacity *= 2;
    if (keys_.size() < capacity) {
      keys_.assign(capacity, kNone);
      values_.assign(capacity, 0.0);
    }
    for (std::size_t slot : used_) keys_[slot] = kNone;
    used_.clear();
    mask_ = capacity - 1;
  }
  void add(VertexId c, double w) {
    std::size_t slot = splitmix64(c) & mask_;
    while (keys_[slot] != kNone && keys_[slot] != c) slot = (slot + 1) & mask_;
    if (keys_[slot] == kNone) {
      keys_[slot] = c;
      values_[slot] = 0;
      used_.push_back(slot);
    }
    values_[slot] += w;
  }
  double weight_to(VertexId c) const {
    std::size_t slot = splitmix64(c) & mask_;
    while (keys_[slot] != kNone) {
      if (keys_[slot] == c) return values_[slot];
      slot = (slot + 1) & mask_;
    }
    return 0;
  }
  template <typename F>
  void for_each(F&& f) const {
    for (std::size_t slot : used_) f(keys_[slot], values_[slot]);
  }

 private:
  std::vector<VertexId> keys_;
  std::vector<double> values_;
  std::vector<std::size_t> used_;
  std::size_t mask_ = 0;
};

// Totals of remote communities: an open-addressing table (looked up for
// every neighbour community of every vertex, where std::unordered_map's
// node chasing showed in profiles).
class RemoteTotals {
 public:
  void clear() {
    keys_.assign(16, kNone);
    values_.assign(16, 0.0);
    size_ = 0;
  }
  void reserve(std::size_t n) {
    if (2 * n > keys_.size()) rehash(n);
  }
  bool contains(VertexId c) const { return keys_[slot_of(c)] == c; }
  double get(VertexId c) const {
    const std::size_t s = slot_of(c);
    return keys_[s] == c ? values_[s] : 0.0;
  }
  double& operator[](VertexId c) {
    if (2 * (size_ + 1) > keys_.size()) rehash(size_ + 1);
    const std::size_t s = slot_of(c);
    if (keys_[s] != c) {
      keys_[s] = c;
      values_[s] = 0;
      ++size_;
    }
    return values_[s];
  }

 private:
  std::size_t slot_of(VertexId c) const {
    const std::size_t mask = keys_.size() - 1;
    std::size_t s = splitmix64(c) & mask;
    while (keys_[s] != kNone && keys_[s] != c) s = (s + 1) & mask;
    return s;
  }
  void rehash(std::size_t n) {
    std::size_t capacity = 16;
    while (capacity < 4 * n) capacity *= 2;
    std::vector<VertexId> keys = std::move(keys_);
    std::vector<double> values = std::move(values_);
    keys_.assign(capacity, kNone);
    values_.assign(capacity, 0.0);
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] != kNone) {
        const std::size_t s = slot_of(keys[i]);
        keys_[s] = keys[i];
        values_[s] = values[i];
      }
    }
  }

  std::vector<VertexId> keys_ = std::vector<VertexId>(16, kNone);
  std::vector<double> values_ = std::vector<double>(16, 0.0);
  std::size_t size_ = 0;
};

struct TotalDelta {
  VertexId community;
  double delta;
};

// One distributed level: this rank's vertices, their communities (owned
// and ghosts) and the community totals it can see.
class DistributedLevel {
 public:
  DistributedLevel(const DistributedGraph& g, const community::LeidenOptions& o, int level)
      : g_(g), o_(o), nl_(g.owned()), comm_(g.owned() + g.ghosts()) {
    const graph::Csr& csr = g.local();
    strength_ = graph::vertex_strengths(csr);  // the owned vertices' (ghosts have no rows here)
    double mine = 0;
    for (double k : strength_) mine += k;
    MPI_Allreduce(&mine, &total_, 1, MPI_DOUBLE, MPI_SUM, g.comm());
    for (VertexId v = 0; v < nl_ + g.ghosts(); ++v) comm_[v] = g.global_id(v);
    owned_total_ = strength_;
    // Visiting order: by a hash of the global id, so it does not depend on
    // how the vertices are split among ranks.
    order_.resize(nl_);
    std::iota(order_.begin(), order_.end(), VertexId{0});
    const std::uint64_t salt = splitmix64(o.seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(level) + 1);
    std::sort(order_.begin(), order_.end(), [&](VertexId a, VertexId b) {
      return splitmix64(salt ^ g.global_id(a)) < splitmix64(salt ^ g.global_id(b));
    });
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
    refresh_remote_totals();
  }

  double total_weight() const { return total_; }
  // Global community id of each owned vertex.
  std::span<const VertexId> communities() const { return {comm_.data(), nl_}; }
  std::span<const VertexId> all_communities() const { return comm_; }

  // Local moving until a pass gains less than `tolerance` on all ranks;
  // returns the moves made by all ranks.
  std::uint64_t move_nodes(double tolerance, int rounds, DistributedTimings& timings);
  // Modularity of the current communities (collective).
  double modularity() const;

 private:
  bool owns_community(VertexId c) const { return c >= g_.first() && c - g_.first() < nl_; }
  double community_total(VertexId c) const {
    if (owns_community(c)) return owned_total_[c - g_.first()];
    return remote_total_.get(c);
  }
  void add_to_total(VertexId c, double delta) {
    if (owns_community(c)) {
      owned_total_[c - g_.first()] += delta;
    } else {
      remote_total_[c] += delta;
      pending_[c] += delta;
    }
  }
  std::pair<VertexId, double> best_move(VertexId u, CommunityWeights& nw) const;
  // The superstep's exchange: deltas to owners, ghost communities, and
  // the totals of communities this rank has not seen yet; with `full`,
  // every remote total it sees (once per pass, as Vite does per iteration).
  void synchronise(std::vector<std::uint8_t>& active, bool full);
  void refresh_remote_totals();
  void fetch_remote_totals(std::vector<VertexId> communities);

  const DistributedGraph& g_;
  const community::LeidenOptions& o_;
  VertexId nl_;
  std::vector<VertexId> comm_;  // owned, then ghosts
  std::vector<double> strength_;
  double total_ = 0;
  std::vector<double> owned_total_;  // totals of communities first()..first()+nl_-1
  RemoteTotals remote_total_;
  std::unordered_map<VertexId, double> pending_;  // our changes to remote totals, not yet sent
  std::vector<VertexId> order_;
  std::vector<EdgeIndex> ghost_offsets_;
  std::vector<VertexId> ghost_neighbours_;
  std::vector<CommunityWeights> scratch_;
};

std::pair<VertexId, double> DistributedLevel::best_move(VertexId u, CommunityWeights& nw) const {
  const graph::Csr& csr = g_.local();
  auto nb = csr.neighbours(u);
  auto wt = csr.neighbour_weights(u);
  nw.reset(nb.size());
  for (std::size_t i = 0; i < nb.size(); ++i) {
    if (nb[i] != u) nw.add(comm_[nb[i]], wt[i]);
  }
  const VertexId d = comm_[u];
  const double k = strength_[u];
  const double scale = o_.resolution * k / total_;
  const double stay = nw.weight_to(d) - scale * (community_total(d) - k);
  VertexId best = d;
  double best_gain = stay;
  nw.for_each([&](VertexId c, double w) {
    if (c == d) return;
    const double gain = w - scale * community_total(c);
    if (gain > best_gain || (gain == best_gain && best != d && splitmix64(o_.seed ^ c) < splitmix64(o_.seed ^ best))) {
      best = c;
      best_gain = gain;
    }
  });
  return {best, best_gain - stay};
}

void DistributedLevel::refresh_remote_totals() {
  std::vector<VertexId> needed;
  for (VertexId c : comm_) {
    if (!owns_community(c)) needed.push_back(c);
  }
  remote_total_.clear();
  fetch_remote_totals(std::move(needed));
}

void DistributedLevel::fetch_remote_totals(std::vector<VertexId> communities) {
  std::sort(communities.begin(), communities.end());
  communities.erase(std::unique(communities.begin(), communities.end()), communities.end());
  const std::vector<double> totals = fetch_from_owners<double>(g_.comm(), g_.ranges(), communities, owned_total_);
  remote_total_.reserve(communities.size());
  for (std::size_t i = 0; i < communities.size(); ++i) remote_total_[communities[i]] = totals[i];
}

void DistributedLevel::synchronise(std::vector<std::uint8_t>& active, bool full) {
  const int size = g_.ranges().ranks();
  std::vector<std::vector<TotalDelta>> deltas(static_cast<std::size_t>(size));
  for (const auto& [c, d] : pending_) deltas[g_.ranges().owner(c)].push_back({c, d});
  pending_.clear();
  for (const TotalDelta& d : all_to_all(g_.comm(), deltas)) owned_total_[d.community - g_.first()] += d.delta;

  const VertexId ng = g_.ghosts();
  std::vector<VertexId> before(comm_.begin() + nl_, comm_.end()), unseen;
  g_.exchange<VertexId>({comm_.data(), nl_}, {comm_.data() + nl_, ng});
  for (VertexId i = 0; i < ng; ++i) {
    const VertexId c = comm_[nl_ + i];
    if (c == before[i]) continue;
    for (EdgeIndex k = ghost_offsets_[i]; k < ghost_offsets_[i + 1]; ++k) active[ghost_neighbours_[k]] = 1;
    if (!owns_community(c) && !remote_total_.contains(c)) unseen.push_back(c);
  }
  // Collective either way: every rank takes the same branch.
  if (full) {
    refresh_remote_totals();
  } else {
    fetch_remote_totals(std::move(unseen));
  }
}

std::uint64_t DistributedLevel::move_nodes(double tolerance, int rounds, DistributedTimings& timings) {
  const graph::Csr& csr = g_.local();
  std::vector<std::uint8_t> active(nl_, 1);
  std::vector<std::uint32_t> moved_at(nl_, 0);
  std::uint32_t stamp = 0;
  std::vector<VertexId> target(kBatch);
  std::vector<std::uint8_t> check(kBatch);
  // Position of each owned vertex in the visiting order, to tell whether a
  // neighbour comes earlier in the same batch.
  std::vector<std::size_t> position(nl_);
  for (std::size_t i = 0; i < nl_; ++i) position[order_[i]] = i;
  std::uint64_t all_moves = 0;
  // Passes stop on the modularity actually gained: with ranks deciding at
  // the same time, the sum of the gains each rank expected overstates it
  // (two boundary vertices can swap places and both "gain").
  double q = modularity();

  for (int pass = 0; pass < o_.max_passes; ++pass) {
    ++timings.passes;
    std::uint64_t moves = 0;
    for (int round = 0; round < rounds; ++round) {
      const std::size_t round_begin = nl_ * static_cast<std::size_t>(round) / rounds;
      const std::size_t round_end = nl_ * static_cast<std::size_t>(round + 1) / rounds;
      for (std::size_t begin = round_begin; begin < round_end; begin += kBatch) {
        const std::size_t end = std::min(round_end, begin + kBatch);
#pragma omp parallel for schedule(dynamic, 32)
        for (std::size_t i = begin; i < end; ++i) {
          const VertexId u = order_[i];
          target[i - begin] = kNone;
          if (!active[u]) continue;
          active[u] = 0;
          auto [c, g] = best_move(u, scratch_[omp_get_thread_num()]);
          if (g > 0) {
            target[i - begin] = c;
            bool earlier = false;
            for (VertexId v : csr.neighbours(u)) {
              if (v < nl_ && position[v] >= begin && position[v] < i) earlier = true;
            }
            check[i - begin] = earlier;
          }
        }
        // Apply in order; decide again where a neighbour moved earlier in
        // this batch (as on one node).
        ++stamp;
        for (std::size_t i = begin; i < end; ++i) {
          const VertexId u = order_[i];
          VertexId c = target[i - begin];
          if (c == kNone) continue;
          if (check[i - begin]) {
            bool stale = false;
            for (VertexId v : csr.neighbours(u)) {
              if (v < nl_ && moved_at[v] == stamp) stale = true;
            }
            if (stale) {
              const auto [again, g] = best_move(u, scratch_[0]);
              c = again;
              if (g <= 0) {
                target[i - begin] = kNone;
                continue;
              }
              target[i - begin] = c;
            }
          }
          add_to_total(comm_[u], -strength_[u]);
          add_to_total(c, strength_[u]);
          comm_[u] = c;
          moved_at[u] = stamp;
          ++moves;
          for (VertexId v : csr.neighbours(u)) {
            if (v < nl_) active[v] = 1;
          }
        }
      }
      synchronise(active, round == rounds - 1);
      ++timings.supersteps;
    }
    std::uint64_t global_moves = 0;
    MPI_Allreduce(&moves, &global_moves, 1, MPI_UINT64_T, MPI_SUM, g_.comm());
    all_moves += global_moves;
    const double before = q;
    q = modularity();
    if (global_moves == 0 || q - before <= tolerance) break;
  }
  return all_moves;
}

double DistributedLevel::modularity() const {
  const graph::Csr& csr = g_.local();
  double sums[2] = {0, 0};  // internal weight, sum of squared totals
  for (VertexId u = 0; u < nl_; ++u) {
    auto nb = csr.neighbours(u);
    auto wt = csr.neighbour_weights(u);
    for (std::size_t i = 0; i < nb.size(); ++i) {
      if (comm_[nb[i]] == comm_[u]) sums[0] += wt[i];
    }
  }
  for (double t : owned_total_) sums[1] += t * t;
  double global[2] = {0, 0};
  MPI_Allreduce(sums, global, 2, MPI_DOUBLE, MPI_SUM, g_.comm());
  if (total_ <= 0) return 0;
  return global[0] / total_ - o_.resolution * global[1] / (total_ * total_);
}

// Connected components of each community, named by their smallest global
// vertex id: union-find over this rank's own edges, then rounds of ghost
// exchange that carry smaller names across ranks until none changes.
std::vector<VertexId> component_labels(const DistributedGraph& g, std::span<const VertexId> comm) {
  const graph::Csr& csr = g.local();
  const VertexId nl = g.owned(), ng = g.ghosts();
  std::vector<VertexId> parent(nl);
  std::iota(parent.begin(), parent.end(), VertexId{0});
  auto find = [&](VertexId v) {
    while (parent[v] != v) v = parent[v] = parent[parent[v]];
    return v;
  };
  for (VertexId u = 0; u < nl; ++u) {
    for (VertexId v : csr.neighbours(u)) {
      if (v < nl && comm[v] == comm[u]) {
        const VertexId a = find(u), b = find(v);
        if (a != b) parent[std::max(a, b)] = std::min(a, b);
      }
    }
  }
  std::vector<VertexId> label(static_cast<std::size_t>(nl) + ng);
  for (VertexId u = 0; u < nl; ++u) label[u] = g.first() + find(u);  // roots are the smallest member
  // Only arcs to a ghost of the same community carry names across ranks:
  // the rounds look at those alone.
  std::vector<std::pair<VertexId, VertexId>> bridges;  // (root, ghost)
  for (VertexId u = 0; u < nl; ++u) {
    for (VertexId v : csr.neighbours(u)) {
      if (v >= nl && comm[v] == comm[u]) bridges.push_back({find(u), v});
    }
  }
  for (;;) {
    g.exchange<VertexId>({label.data(), nl}, {label.data() + nl, ng});
    std::uint64_t changed = 0;
    for (const auto& [root, ghost] : bridges) {
      if (label[ghost] < label[root]) {
        label[root] = label[ghost];
        ++changed;
      }
    }
    for (VertexId u = 0; u < nl; ++u) label[u] = label[find(u)];
    std::uint64_t any = 0;
    MPI_Allreduce(&changed, &any, 1, MPI_UINT64_T, MPI_SUM, g.comm());
    if (any == 0) break;
  }
  label.resize(nl);
  return label;
}

struct CoarseArc {
  VertexId from, to;
  double weight;
};

// Sorts arcs by (from, to), both below n, stably: an LSD radix sort on the
// packed pair, 16 bits a pass. The coarse arc lists are the largest sorts
// of a distributed level, and std::sort showed in their profiles.
void sort_by_ends(std::vector<CoarseArc>& arcs, VertexId n) {
  const int bits = std::max(1, static_cast<int>(std::bit_width(n)));
  auto key = [bits](const CoarseArc& a) { return (std::uint64_t{a.from} << bits) | a.to; };
  std::vector<CoarseArc> sorted(arcs.size());
  std::vector<std::size_t> at(std::size_t{1} << 16);
  for (int shift = 0; shift < 2 * bits; shift += 16) {
    std::fill(at.begin(), at.end(), 0);
    for (const CoarseArc& a : arcs) ++at[(key(a) >> shift) & 0xFFFF];
    std::exclusive_scan(at.begin(), at.end(), at.begin(), std::size_t{0});
    for (const CoarseArc& a : arcs) sorted[at[(key(a) >> shift) & 0xFFFF]++] = a;
    arcs.swap(sorted);
  }
}

// The next level: one vertex per label (labels are vertex ids of this
// level), numbered densely in label order, so that each coarse vertex lives
// on the rank that owns its label; arcs summed, internal arcs as a
// self-loop (as on one node). coarse_of[v]: owned vertex v's coarse id.
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
  VertexId count = 0;
  for (VertexId i = 0; i < nl; ++i) count += is_label[i];
  std::vector<VertexId> counts(size);
  MPI_Allgather(&count, 1, MPI_UINT32_T, counts.data(), 1, MPI_UINT32_T, comm);
  VertexRanges ranges = VertexRanges::from_counts(counts);
  std::vector<VertexId> id_of_label(nl, kNone);
  for (VertexId i = 0, next = ranges.begin[g.rank()]; i < nl; ++i) {
    if (is_label[i]) id_of_label[i] = next++;
  }
  // Coarse ids of our vertices and ghosts.
  std::vector<VertexId> all_labels(label);
  all_labels.resize(static_cast<std::size_t>(nl) + ng);
  g.exchange<VertexId>({all_labels.data(), nl}, {all_labels.data() + nl, ng});
  const std::vector<VertexId> coarse = fetch_from_owners<VertexId>(comm, g.ranges(), all_labels, id_of_label);
  coarse_of.assign(coarse.begin(), coarse.begin() + nl);

  // Arcs, summed here first, then sent to the owner of their coarse source.
  const graph::Csr& csr = g.local();
  std::vector<CoarseArc> arcs;
  arcs.reserve(csr.num_arcs());
  for (VertexId u = 0; u < nl; ++u) {
    auto nb = csr.neighbours(u);
    auto wt = csr.neighbour_weights(u);
    for (std::size_t k = 0; k < nb.size(); ++k) arcs.push_back({coarse[u], coarse[nb[k]], wt[k]});
  }
  auto merge = [&](std::vector<CoarseArc>& list) {
    sort_by_ends(list, ranges.num_vertices());
    std::size_t out = 0;
    for (std::size_t k = 0; k < list.size();) {
      CoarseArc sum = list[k++];
      for (; k < list.size() && list[k].from == sum.from && list[k].to == sum.to; ++k) sum.weight += list[k].weight;
      list[out++] = sum;
    }
    list.resize(out);
  };
  merge(arcs);
  std::vector<std::vector<CoarseArc>> outgoing(size);
  for (const CoarseArc& a : arcs) outgoing[ranges.owner(a.from)].push_back(a);
  std::vector<CoarseArc>().swap(arcs);
  std::vector<CoarseArc> mine = all_to_all(comm, outgoing);
  outgoing.clear();
  merge(mine);

  const VertexId coarse_first = ranges.begin[g.rank()];
  std::vector<EdgeIndex> offsets(static_cast<std::size_t>(count) + 1, 0);
  std::vector<VertexId> targets(mine.size());
  std::vector<float> weights(mine.size());
  for (std::size_t k = 0; k < mine.size(); ++k) {
    ++offsets[mine[k].from - coarse_first + 1];
    targets[k] = mine[k].to;
    weights[k] = static_cast<float>(mine[k].weight);
  }
  std::partial_sum(offsets.begin(), offsets.end(), offsets.begin());
  return DistributedGraph::from_global_rows(comm, std::move(ranges), std::move(offsets), std::move(targets),
                                            std::move(weights));
}

// This rank's values of `mine` (in rank order) gathered on rank 0.
std::vector<VertexId> gather_owned(MPI_Comm comm, const std::vector<VertexId>& mine) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  int count = static_cast<int>(mine.size());
  std::vector<int> counts(size), at(size);
  MPI_Gather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, comm);
  int total = 0;
  for (int r = 0; r < size; ++r) {
    at[r] = total;
    total += counts[r];
  }
  std::vector<VertexId> all(rank == 0 ? static_cast<std::size_t>(total) : 0);
  MPI_Gatherv(mine.data(), count, MPI_UINT32_T, all.data(), counts.data(), at.data(), MPI_UINT32_T, 0, comm);
  return all;
}

}  // namespace

Status validate(const DistributedOptions& o) {
  ST_RETURN_IF_ERROR(community::validate(o.leiden));
  if (o.sync_rounds < 1) return Status::invalid_argument("sync_rounds must be at least 1");
  return Status::ok();
}

Status DistributedLeiden::run() {
  ST_RETURN_IF_ERROR(validate(options_));
  const double start = MPI_Wtime();
  const std::uint64_t bytes_before = bytes_sent();
  const MPI_Comm comm = graph_.comm();
  const int rank = graph_.rank();
  const community::LeidenOptions& lo = options_.leiden;
  hierarchy_.clear();
  timings_ = {};

  // top[v]: the vertex of the current level (global id) that owned input
  // vertex v is in; coarse vertices stay on the rank of their members.
  std::vector<VertexId> top(graph_.owned());
  std::iota(top.begin(), top.end(), graph_.first());
  const DistributedGraph* current = &graph_;
  DistributedGraph coarse;
  double tolerance = lo.tolerance;

  for (int level = 0; level < lo.max_levels; ++level) {
    const VertexId n = current->ranges().num_vertices();
    if (n <= options_.gather_vertices) break;
    double t = MPI_Wtime();
    DistributedLevel state(*current, lo, level);
    if (state.total_weight() <= 0) break;
    const std::uint64_t moves = state.move_nodes(tolerance, options_.sync_rounds, timings_);
    timings_.move_seconds += MPI_Wtime() - t;
    if (moves == 0) break;

    // This level's partition of the input vertices, for the hierarchy
    // (the level's vertex of an input vertex may live on another rank).
    const std::vector<VertexId> labels =
        fetch_from_owners<VertexId>(comm, current->ranges(), top, state.communities());
    const double q = state.modularity();
    std::vector<VertexId> all = gather_owned(comm, labels);
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
  std::vector<VertexId> top_all = gather_owned(comm, top);
  timings_.gathered_vertices = current->ranges().num_vertices();
  timings_.gather_seconds = MPI_Wtime() - t;
  Status finished = Status::ok();
  if (rank == 0) {
    t = MPI_Wtime();
    community::LeidenOptions finish = lo;
    if (timings_.distributed_levels > 0) finish.tolerance = tolerance;
    community::Leiden leiden(gathered, finish);
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
  timings_.bytes_sent = bytes_sent() - bytes_before;
  timings_.total_seconds = MPI_Wtime() - start;
  return Status::ok();
}

}  // namespace sourcetrace::dist
