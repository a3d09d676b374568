// DistributedGraph: local renumbering, the ghost plan and the gather.
#include "sourcetrace/dist/distributed_graph.hpp"

#include <algorithm>
#include <numeric>

#include "sourcetrace/dist/id_map.hpp"

namespace sourcetrace::dist {

int VertexRanges::owner(VertexId v) const {
  return static_cast<int>(std::upper_bound(begin.begin(), begin.end() - 1, v) - begin.begin()) - 1;
}

VertexRanges VertexRanges::from_counts(const std::vector<VertexId>& counts) {
  VertexRanges r;
  r.begin.assign(counts.size() + 1, 0);
  std::partial_sum(counts.begin(), counts.end(), r.begin.begin() + 1);
  return r;
}

VertexRanges VertexRanges::balanced(MPI_Comm comm, VertexId lo, const std::vector<std::uint64_t>& load_before,
                                   VertexId n) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  std::uint64_t total = 0;
  const std::uint64_t last = load_before.back();
  MPI_Allreduce(&last, &total, 1, MPI_UINT64_T, MPI_MAX, comm);
  // Rank r's range starts where the load before it reaches r/size of all;
  // each split point is found by the rank whose block holds it.
  std::vector<std::uint64_t> split(static_cast<std::size_t>(size) + 1, 0), agreed(split.size(), 0);
  for (int r = 1; r < size; ++r) {
    const std::uint64_t share = total * static_cast<std::uint64_t>(r) / static_cast<std::uint64_t>(size);
    if (share >= load_before.front() && (share < load_before.back() || rank == size - 1)) {
      split[r] = lo + static_cast<VertexId>(std::lower_bound(load_before.begin(), load_before.end(), share) -
                                            load_before.begin());
    }
  }
  MPI_Allreduce(split.data(), agreed.data(), size + 1, MPI_UINT64_T, MPI_MAX, comm);
  VertexRanges ranges;
  ranges.begin.assign(static_cast<std::size_t>(size) + 1, 0);
  for (int r = 1; r < size; ++r) ranges.begin[r] = std::max(ranges.begin[r - 1], static_cast<VertexId>(agreed[r]));
  ranges.begin[size] = n;
  for (int r = 1; r < size; ++r) ranges.begin[r] = std::min(ranges.begin[r], n);
  return ranges;
}

DistributedGraph DistributedGraph::from_global_rows(MPI_Comm comm, VertexRanges ranges,
                                                    std::vector<EdgeIndex> offsets,
                                                    std::vector<VertexId> targets, std::vector<float> weights) {
  DistributedGraph g;
  g.comm_ = comm;
  MPI_Comm_rank(comm, &g.rank_);
  g.ranges_ = std::move(ranges);
  const VertexId first = g.ranges_.begin[g.rank_];
  const VertexId last = g.ranges_.begin[g.rank_ + 1];
  auto is_owned = [&](VertexId v) { return v >= first && v < last; };

  // Ghosts: every neighbour outside our range, sorted, so that they come
  // grouped by owner in rank order, the order an exchange delivers them in.
  // (A table removes the repeats first: arcs outnumber ghosts several times.)
  IdMap<VertexId> ghost_index;
  for (VertexId t : targets) {
    if (!is_owned(t) && !ghost_index.contains(t)) {
      ghost_index[t] = 0;
      g.ghost_global_.push_back(t);
    }
  }
  std::sort(g.ghost_global_.begin(), g.ghost_global_.end());
  const VertexId owned = last - first;
  for (VertexId i = 0; i < g.ghost_global_.size(); ++i) ghost_index[g.ghost_global_[i]] = owned + i;
#pragma omp parallel for schedule(static)
  for (std::int64_t k = 0; k < static_cast<std::int64_t>(targets.size()); ++k) {
    const VertexId t = targets[k];
    targets[k] = is_owned(t) ? t - first : ghost_index.get(t);
  }
  g.local_.offsets = std::move(offsets);
  g.local_.targets = std::move(targets);
  g.local_.weights = std::move(weights);

  // The send plan: tell each owner which of its vertices we hold as ghosts.
  std::vector<std::vector<VertexId>> wanted(static_cast<std::size_t>(g.ranges_.ranks()));
  for (VertexId v : g.ghost_global_) wanted[g.ranges_.owner(v)].push_back(v);
  std::vector<int> from;
  std::vector<VertexId> asked = all_to_all(comm, wanted, &from);
  g.send_.assign(static_cast<std::size_t>(g.ranges_.ranks()), {});
  std::size_t at = 0;
  for (int r = 0; r < g.ranges_.ranks(); ++r) {
    for (int i = 0; i < from[r]; ++i) g.send_[r].push_back(asked[at++] - first);
  }
  // Its inverse, for exchanges of changed values: where each owned vertex
  // sits in the send plan; and where each rank's ghosts start here.
  g.holder_offsets_.assign(static_cast<std::size_t>(owned) + 1, 0);
  for (const auto& list : g.send_) {
    for (VertexId v : list) ++g.holder_offsets_[v + 1];
  }
  std::partial_sum(g.holder_offsets_.begin(), g.holder_offsets_.end(), g.holder_offsets_.begin());
  g.holders_.resize(g.holder_offsets_.back());
  std::vector<EdgeIndex> cursor(g.holder_offsets_.begin(), g.holder_offsets_.end() - 1);
  for (int r = 0; r < g.ranges_.ranks(); ++r) {
    for (std::size_t i = 0; i < g.send_[r].size(); ++i) g.holders_[cursor[g.send_[r][i]]++] = {r, static_cast<VertexId>(i)};
  }
  g.ghost_begin_.assign(static_cast<std::size_t>(g.ranges_.ranks()) + 1, 0);
  for (VertexId v : g.ghost_global_) ++g.ghost_begin_[g.ranges_.owner(v) + 1];
  std::partial_sum(g.ghost_begin_.begin(), g.ghost_begin_.end(), g.ghost_begin_.begin());
  return g;
}

graph::Csr DistributedGraph::gather(int root) const {
  // Rows in global ids, this rank's part.
  std::vector<std::uint64_t> degrees(owned());
  for (VertexId v = 0; v < owned(); ++v) degrees[v] = local_.degree(v);
  std::vector<VertexId> targets(local_.targets.size());
  for (std::size_t k = 0; k < targets.size(); ++k) targets[k] = global_id(local_.targets[k]);

  graph::Csr g;
  const std::vector<std::uint64_t> all_degrees = gather_to_root<std::uint64_t>(comm_, degrees, root);
  g.targets = gather_to_root<VertexId>(comm_, targets, root);
  g.weights = gather_to_root<float>(comm_, local_.weights, root);
  if (rank_ == root) {
    g.offsets.assign(all_degrees.size() + 1, 0);
    std::partial_sum(all_degrees.begin(), all_degrees.end(), g.offsets.begin() + 1);
  }
  return g;
}

}  // namespace sourcetrace::dist
