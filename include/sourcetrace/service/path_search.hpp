// Path search: the shortest paths between two entities that a caller may
// see, over every layer at once.
//
// "How is this storefront connected to that factory?" is the question an
// investigator asks most after "who is in the ring?". The answer is the
// shortest chains of links (fewest hops, any layer) that never step on an
// entity the caller may not see, so that a path never reveals a hidden
// network's member.
//
// Method: bidirectional breadth-first search, expanding a whole level of
// the smaller frontier at a time, until the frontiers meet (the meeting
// level then holds exactly the middle vertices of every shortest path) or
// the hops run out. A backward pass from the meeting vertices marks the
// source side's vertices that lie on a shortest path, so the enumeration
// (depth first, neighbours by ascending id) never enters a dead end: it
// returns the first `max_paths` shortest paths in lexicographic order of
// their vertex ids — the same paths for the same question, whatever the
// thread or the order the frontiers were expanded in.
//
// Bounded three ways: `max_hops` (the search stops when the two radii add
// up to it), `max_visited` (entities put into either search; past it the
// search gives up and says so) and a deadline (past it, api::ServerBusy).
// Memory is proportional to the entities visited, not to the graph.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "sourcetrace/service/layered_adjacency.hpp"
#include "sourcetrace/service/visibility.hpp"

namespace sourcetrace::service {

struct PathSearchOptions {
  int max_hops = 6;
  int max_paths = 16;
  std::int64_t max_visited = 200000;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

struct PathSearchResult {
  // Each path is its vertices, source first, destination last.
  std::vector<std::vector<VertexId>> paths;
  int hops = 0;                // length of the shortest paths; 0 when none
  std::int64_t visited = 0;    // entities put into either search
  bool gave_up = false;        // stopped at max_visited before an answer
};

// REQUIRES: source and destination are visible. Throws api::ServerBusy
// when the deadline passes.
PathSearchResult shortest_paths(const LayeredAdjacency& graph, const Visibility& visible, VertexId source,
                                VertexId destination, const PathSearchOptions& options);

}  // namespace sourcetrace::service
