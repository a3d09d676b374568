// CsrBuilder: the only code that turns observed edges into a Csr.
//
// Events are added one at a time (repeated events between the same pair are
// expected: three shipments from W1 to S1 are one edge of three events).
// build() follows the GAP recipe: count degrees, prefix-sum them into
// offsets, scatter, then squish each row (sort by target, merge duplicates
// summing their weights and event counts, drop self-loops). To keep memory
// proportional to distinct edges rather than to events, the pending events
// are squished whenever they outgrow the edges already merged.
//
// Deterministic: the same events in the same order give the same arrays,
// whatever the thread count (rows are squished independently).
// REQUIRES: add() and build() from one thread; build() uses OpenMP inside.
#pragma once

#include <cstdint>
#include <vector>

#include "sourcetrace/graph/csr.hpp"

namespace sourcetrace::graph {

// One aggregated edge with the number of events merged into it.
struct EdgeEvents {
  VertexId source, target;
  float weight;
  std::uint32_t events;
};

// A built Csr with, per stored arc, the number of events merged into it.
struct AggregatedCsr {
  Csr csr;
  std::vector<std::uint32_t> events;
};

class CsrBuilder {
 public:
  // `squish_at`: pending events that trigger the first squish (tests use a
  // small value to exercise it).
  explicit CsrBuilder(std::size_t squish_at = std::size_t{1} << 24) : compact_at_(squish_at) {}

  void add(VertexId source, VertexId target, float weight) {
    pending_.push_back({source, target, weight, 1});
    ++events_added_;
    if (pending_.size() >= compact_at_) compact();
  }
  std::uint64_t events_added() const { return events_added_; }

  // Builds over `num_vertices` vertices (every id added must be below it).
  // symmetric: each edge is stored as u→v and v→u, and u→v, v→u events are
  // one edge. Self-loops are dropped (they carry no community information).
  // The builder is empty afterwards.
  AggregatedCsr build(VertexId num_vertices, bool symmetric);

 private:
  void compact();

  std::vector<EdgeEvents> pending_;
  std::uint64_t events_added_ = 0;
  std::size_t compact_at_;
};

// The aggregation step on its own, usable on any edge list. `edges` is
// taken (move it in): it is freed as soon as its events are in their rows,
// before the output is allocated, so the two are never held at once.
AggregatedCsr build_csr(std::vector<EdgeEvents> edges, VertexId num_vertices, bool symmetric);

}  // namespace sourcetrace::graph
