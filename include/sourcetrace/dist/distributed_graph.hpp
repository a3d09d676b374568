// DistributedGraph: one rank's share of a symmetric graph split by vertex ranges.
//
// Rank r owns the contiguous global vertices [ranges.begin[r],
// ranges.begin[r+1]) and holds their rows, nothing else. Rows are renumbered
// locally so that the kernels index plain arrays, as on one node: owned
// vertices are 0..owned()-1 (global id first() + i), the neighbours owned
// by other ranks ("ghosts") follow as owned()..owned()+ghosts()-1, in
// increasing global id. `local` is therefore a Csr whose rows are the owned
// vertices and whose targets reach past them into the ghosts.
//
// The ghost exchange is built with the graph: exchange(owned, ghosts) sends
// every owned vertex's value to the ranks that see it as a ghost and fills
// this rank's ghost values, with one collective call (the paper's "ghost
// vertex update", as in Vite); exchange_changed sends only the values of
// vertices that changed. Contiguous ranges keep the owner of any id a
// binary search away.
#pragma once

#include <mpi.h>

#include <span>
#include <vector>

#include "sourcetrace/dist/all_to_all.hpp"
#include "sourcetrace/graph/csr.hpp"

namespace sourcetrace::dist {

using graph::EdgeIndex;
using graph::VertexId;

struct VertexRanges {
  std::vector<VertexId> begin{0};  // one per rank, then the vertex count

  int ranks() const { return static_cast<int>(begin.size()) - 1; }
  VertexId num_vertices() const { return begin.back(); }
  // The rank that owns global vertex v.
  int owner(VertexId v) const;
  // Ranges of `counts[r]` vertices each, in rank order.
  static VertexRanges from_counts(const std::vector<VertexId>& counts);
  // Ranges of about equal load, collectively: each rank holds the block of
  // vertices lo .. lo+k-1 (blocks in rank order, covering 0..n-1) and
  // load_before[i] = the load of all vertices before lo + i (k + 1 values).
  static VertexRanges balanced(MPI_Comm comm, VertexId lo, const std::vector<std::uint64_t>& load_before,
                               VertexId n);
};

class DistributedGraph {
 public:
  // Collective. Rows of the owned vertices in global ids: offsets (owned + 1
  // entries, from 0), targets sorted within a row, weights.
  static DistributedGraph from_global_rows(MPI_Comm comm, VertexRanges ranges, std::vector<EdgeIndex> offsets,
                                           std::vector<VertexId> targets, std::vector<float> weights);

  MPI_Comm comm() const { return comm_; }
  int rank() const { return rank_; }
  const VertexRanges& ranges() const { return ranges_; }
  VertexId owned() const { return local_.num_vertices(); }
  VertexId ghosts() const { return static_cast<VertexId>(ghost_global_.size()); }
  VertexId first() const { return ranges_.begin[rank_]; }
  VertexId global_id(VertexId local) const {
    return local < owned() ? first() + local : ghost_global_[local - owned()];
  }
  const graph::Csr& local() const { return local_; }

  // Collective: ghosts[i] = owned value of ghost i on its owner.
  template <typename T>
  void exchange(std::span<const T> owned_values, std::span<T> ghost_values) const {
    std::vector<std::vector<T>> buckets(static_cast<std::size_t>(ranges_.ranks()));
    for (int r = 0; r < ranges_.ranks(); ++r) {
      for (VertexId v : send_[r]) buckets[r].push_back(owned_values[v]);
    }
    std::vector<T> received = all_to_all(comm_, buckets);
    std::copy(received.begin(), received.end(), ghost_values.begin());
  }

  // Collective: the same for the owned vertices in `changed` only (the
  // others' ghosts keep their values): what a round of local moving
  // sends, where few vertices move. Returns the ghosts (0-based among the
  // ghosts) that received a value.
  template <typename T>
  std::vector<VertexId> exchange_changed(std::span<const VertexId> changed, std::span<const T> owned_values,
                                         std::span<T> ghost_values) const {
    struct Update {
      VertexId at;  // index among the receiver's ghosts from this rank
      T value;
    };
    std::vector<std::vector<Update>> buckets(static_cast<std::size_t>(ranges_.ranks()));
    for (VertexId v : changed) {
      for (EdgeIndex k = holder_offsets_[v]; k < holder_offsets_[v + 1]; ++k) {
        buckets[holders_[k].rank].push_back({holders_[k].at, owned_values[v]});
      }
    }
    std::vector<int> from;
    const std::vector<Update> received = all_to_all(comm_, buckets, &from);
    std::vector<VertexId> updated(received.size());
    std::size_t i = 0;
    for (int r = 0; r < ranges_.ranks(); ++r) {
      for (int k = 0; k < from[r]; ++k, ++i) {
        updated[i] = ghost_begin_[r] + received[i].at;
        ghost_values[updated[i]] = received[i].value;
      }
    }
    return updated;
  }

  // Collective: the whole graph on `root` as a plain Csr in global ids (an
  // empty Csr elsewhere). For the coarse graph, once it is small.
  graph::Csr gather(int root) const;

 private:
  MPI_Comm comm_ = MPI_COMM_WORLD;
  int rank_ = 0;
  VertexRanges ranges_;
  graph::Csr local_;
  std::vector<VertexId> ghost_global_;
  std::vector<std::vector<VertexId>> send_;  // per rank: owned local ids it holds as ghosts
  // The send plan by vertex: owned v is entry `at` of send_[rank] for each
  // holders_[holder_offsets_[v] .. holder_offsets_[v+1]).
  struct Holder {
    int rank;
    VertexId at;
  };
  std::vector<EdgeIndex> holder_offsets_;
  std::vector<Holder> holders_;
  std::vector<VertexId> ghost_begin_;  // per rank: its ghosts' first index among ours
};

// Collective: for each key (a global id under `ranges`), the value its
// owner holds at owned_values[key - owner's first id]. Keys in any order,
// repeats allowed; the answer is aligned with them.
template <typename T>
std::vector<T> fetch_from_owners(MPI_Comm comm, const VertexRanges& ranges, std::span<const VertexId> keys,
                                 std::span<const T> owned_values) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  const auto size = static_cast<std::size_t>(ranges.ranks());
  std::vector<std::vector<VertexId>> asks(size);
  std::vector<std::vector<std::size_t>> where(size);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const int r = ranges.owner(keys[i]);
    asks[r].push_back(keys[i]);
    where[r].push_back(i);
  }
  std::vector<int> from;
  const std::vector<VertexId> asked = all_to_all(comm, asks, &from);
  std::vector<std::vector<T>> answers(size);
  std::size_t at = 0;
  const VertexId first = ranges.begin[rank];
  for (std::size_t r = 0; r < size; ++r) {
    for (int i = 0; i < from[r]; ++i, ++at) answers[r].push_back(owned_values[asked[at] - first]);
  }
  std::vector<int> back;
  const std::vector<T> got = all_to_all(comm, answers, &back);
  std::vector<T> out(keys.size());
  at = 0;
  for (std::size_t r = 0; r < size; ++r) {
    for (std::size_t i : where[r]) out[i] = got[at++];
  }
  return out;
}

}  // namespace sourcetrace::dist
