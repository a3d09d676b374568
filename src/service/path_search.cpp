// Path search: bidirectional BFS, mark the source side, enumerate in order.
#include "sourcetrace/service/path_search.hpp"

#include <algorithm>

#include "sourcetrace/service/api/investigator_types.h"

namespace sourcetrace::service {

namespace {

// Vertex → distance (low 16 bits) and an on-a-shortest-path flag: a flat
// open-addressing table sized by what the search visits, not by the graph.
class VisitMap {
 public:
  static constexpr std::uint32_t kOnPath = 1u << 16;

  VisitMap() : keys_(64, kEmpty), values_(64, 0), mask_(63) {}

  std::uint32_t* find(VertexId v) {
    const std::size_t i = locate(v);
    return keys_[i] == v ? &values_[i] : nullptr;
  }
  const std::uint32_t* find(VertexId v) const {
    const std::size_t i = locate(v);
    return keys_[i] == v ? &values_[i] : nullptr;
  }
  // Adds v; false when it was there already.
  bool insert(VertexId v, std::uint32_t value) {
    const std::size_t i = locate(v);
    if (keys_[i] == v) return false;
    keys_[i] = v;
    values_[i] = value;
    if (2 * ++size_ > keys_.size()) grow();
    return true;
  }

 private:
  static constexpr VertexId kEmpty = UINT32_MAX;
  std::size_t slot(VertexId v) const { return (v * 0x9E3779B97F4A7C15ULL >> 20) & mask_; }
  // v's slot, or the empty slot where it would go.
  std::size_t locate(VertexId v) const {
    std::size_t i = slot(v);
    while (keys_[i] != v && keys_[i] != kEmpty) i = (i + 1) & mask_;
    return i;
  }
  void grow() {
    std::vector<VertexId> keys(keys_.size() * 2, kEmpty);
    std::vector<std::uint32_t> values(keys.size(), 0);
    keys.swap(keys_);
    values.swap(values_);
    mask_ = keys_.size() - 1;
    size_ = 0;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (keys[i] != kEmpty) insert(keys[i], values[i]);
    }
  }
  std::vector<VertexId> keys_;
  std::vector<std::uint32_t> values_;
  std::size_t mask_;
  std::size_t size_ = 0;
};

// One side of the search: its distances and its last level.
struct Side {
  VisitMap distance;
  std::vector<VertexId> frontier;
  int radius = 0;
};

class Search {
 public:
  Search(const LayeredAdjacency& g, const Visibility& visible, const PathSearchOptions& o)
      : g_(g), visible_(visible), o_(o) {}

  PathSearchResult run(VertexId source, VertexId destination);

 private:
  void check_deadline() {
    if ((ticks_++ & 255) == 0 && std::chrono::steady_clock::now() > o_.deadline) {
      api::ServerBusy busy;
      busy.message = "path search ran past the call's deadline; ask for fewer hops";
      busy.retry_after_ms = 1000;
      throw busy;
    }
  }
  // Expands one whole level of `side`; returns false when it gave up.
  bool expand(Side& side, const Side& other);
  void mark_source_side();
  void enumerate(VertexId u, int k);

  const LayeredAdjacency& g_;
  const Visibility& visible_;
  const PathSearchOptions& o_;
  Side a_, b_;
  std::vector<VertexId> meeting_;
  PathSearchResult result_;
  std::vector<VertexId> path_;
  std::uint64_t ticks_ = 0;
};

bool Search::expand(Side& side, const Side& other) {
  std::vector<VertexId> next;
  const auto r = static_cast<std::uint32_t>(side.radius + 1);
  for (VertexId u : side.frontier) {
    check_deadline();
    for (std::uint64_t arc = g_.begin(u); arc < g_.end(u); ++arc) {
      const VertexId w = g_.target(arc);
      if (!visible_.entity(w) || !side.distance.insert(w, r)) continue;
      next.push_back(w);
      if (++result_.visited > o_.max_visited) return false;
      if (other.distance.find(w) != nullptr) meeting_.push_back(w);
    }
  }
  side.frontier = std::move(next);
  side.radius = static_cast<int>(r);
  return true;
}

// From the meeting vertices back to the source, one level at a time: a
// vertex at distance k lies on a shortest path iff it neighbours a marked
// vertex at distance k + 1.
void Search::mark_source_side() {
  std::vector<VertexId> level = meeting_;
  for (VertexId m : level) *a_.distance.find(m) |= VisitMap::kOnPath;
  for (int k = a_.radius; k > 0; --k) {
    std::vector<VertexId> previous;
    for (VertexId u : level) {
      check_deadline();
      for (std::uint64_t arc = g_.begin(u); arc < g_.end(u); ++arc) {
        std::uint32_t* d = a_.distance.find(g_.target(arc));
        if (d == nullptr || (*d & 0xFFFF) != static_cast<std::uint32_t>(k - 1) || (*d & VisitMap::kOnPath)) continue;
        *d |= VisitMap::kOnPath;
        previous.push_back(g_.target(arc));
      }
    }
    level = std::move(previous);
  }
}

// Depth first from `u` at position k of the path, next vertices by id.
void Search::enumerate(VertexId u, int k) {
  const int hops = result_.hops;
  if (k == hops) {
    result_.paths.push_back(path_);
    return;
  }
  std::vector<VertexId> next;
  for (std::uint64_t arc = g_.begin(u); arc < g_.end(u); ++arc) {
    const VertexId w = g_.target(arc);
    if (k + 1 <= a_.radius) {
      const std::uint32_t* d = a_.distance.find(w);
      if (d != nullptr && (*d & 0xFFFF) == static_cast<std::uint32_t>(k + 1) && (*d & VisitMap::kOnPath)) next.push_back(w);
    } else {
      const std::uint32_t* d = b_.distance.find(w);
      if (d != nullptr && (*d & 0xFFFF) == static_cast<std::uint32_t>(hops - k - 1)) next.push_back(w);
    }
  }
  std::sort(next.begin(), next.end());
  next.erase(std::unique(next.begin(), next.end()), next.end());  // linked in several layers
  for (VertexId w : next) {
    if (static_cast<int>(result_.paths.size()) >= o_.max_paths) return;
    check_deadline();
    path_.push_back(w);
    enumerate(w, k + 1);
    path_.pop_back();
  }
}

PathSearchResult Search::run(VertexId source, VertexId destination) {
  result_.visited = source == destination ? 1 : 2;
  if (source == destination) {
    if (o_.max_paths > 0) result_.paths.push_back({source});
    return result_;
  }
  a_.distance.insert(source, 0);
  a_.frontier = {source};
  b_.distance.insert(destination, 0);
  b_.frontier = {destination};
  while (meeting_.empty() && a_.radius + b_.radius < o_.max_hops && !a_.frontier.empty() && !b_.frontier.empty()) {
    const bool grow_source = a_.frontier.size() <= b_.frontier.size();
    const bool complete = grow_source ? expand(a_, b_) : expand(b_, a_);
    if (!complete) {
      result_.gave_up = true;
      return result_;
    }
  }
  if (meeting_.empty()) return result_;
  // The meeting level came from one side's expansion of a whole level, so
  // it holds every vertex at distance a_.radius from the source and
  // b_.radius from the destination, and nothing nearer met earlier.
  std::sort(meeting_.begin(), meeting_.end());
  result_.hops = a_.radius + b_.radius;
  mark_source_side();
  path_ = {source};
  enumerate(source, 0);
  return result_;
}

}  // namespace

PathSearchResult shortest_paths(const LayeredAdjacency& graph, const Visibility& visible, VertexId source,
                                VertexId destination, const PathSearchOptions& options) {
  Search search(graph, visible, options);
  return search.run(source, destination);
}

}  // namespace sourcetrace::service
