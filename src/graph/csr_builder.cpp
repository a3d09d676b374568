// CsrBuilder: count, prefix-sum, scatter, squish (after GAP's builder.h).
#include "sourcetrace/graph/csr_builder.hpp"

#include <omp.h>

#include <algorithm>
#include <numeric>
#include <utility>

namespace sourcetrace::graph {

namespace {

struct Arc {
  VertexId target;
  float weight;
  std::uint32_t events;
};

// Step 1: arcs per vertex (both ends when symmetric), self-loops left out.
std::vector<EdgeIndex> count_degrees(const std::vector<EdgeEvents>& edges, VertexId n,
                                     bool symmetric) {
  std::vector<EdgeIndex> degree(static_cast<std::size_t>(n) + 1, 0);
  for (const EdgeEvents& e : edges) {
    if (e.source == e.target) continue;
    ++degree[e.source];
    if (symmetric) ++degree[e.target];
  }
  return degree;
}

// Step 2: exclusive prefix sum into offsets (n + 1 entries).
std::vector<EdgeIndex> prefix_sum(const std::vector<EdgeIndex>& degree) {
  std::vector<EdgeIndex> offsets(degree.size(), 0);
  std::exclusive_scan(degree.begin(), degree.end(), offsets.begin(), EdgeIndex{0});
  return offsets;
}

// Step 4: sorts each row by target and merges duplicates in place; returns
// the squished degree of each row.
std::vector<EdgeIndex> squish_rows(std::vector<Arc>& arcs, const std::vector<EdgeIndex>& offsets) {
  const auto n = static_cast<std::int64_t>(offsets.size() - 1);
  std::vector<EdgeIndex> degree(offsets.size(), 0);
#pragma omp parallel for schedule(dynamic, 1024)
  for (std::int64_t v = 0; v < n; ++v) {
    Arc* begin = arcs.data() + offsets[v];
    Arc* end = arcs.data() + offsets[v + 1];
    std::sort(begin, end, [](const Arc& a, const Arc& b) { return a.target < b.target; });
    Arc* out = begin;
    for (Arc* a = begin; a != end;) {
      double weight = 0;
      std::uint64_t events = 0;
      VertexId t = a->target;
      for (; a != end && a->target == t; ++a) {
        weight += a->weight;
        events += a->events;
      }
      *out++ = {t, static_cast<float>(weight),
                static_cast<std::uint32_t>(std::min<std::uint64_t>(events, UINT32_MAX))};
    }
    degree[v] = static_cast<EdgeIndex>(out - begin);
  }
  return degree;
}

}  // namespace

AggregatedCsr build_csr(std::vector<EdgeEvents> edges, VertexId n, bool symmetric) {
  std::vector<EdgeIndex> offsets = prefix_sum(count_degrees(edges, n, symmetric));

  // Step 3: scatter every event into its row (sequential, so the order of
  // events within a row, and with it every floating-point sum, is fixed).
  std::vector<Arc> arcs(offsets[n]);
  {
    std::vector<EdgeIndex> cursor(offsets.begin(), offsets.end() - 1);
    for (const EdgeEvents& e : edges) {
      if (e.source == e.target) continue;
      arcs[cursor[e.source]++] = {e.target, e.weight, e.events};
      if (symmetric) arcs[cursor[e.target]++] = {e.source, e.weight, e.events};
    }
  }
  std::vector<EdgeEvents>().swap(edges);

  std::vector<EdgeIndex> squished = squish_rows(arcs, offsets);
  AggregatedCsr out;
  out.csr.offsets = prefix_sum(squished);
  const EdgeIndex m = out.csr.offsets[n];
  out.csr.targets.resize(m);
  out.csr.weights.resize(m);
  out.events.resize(m);
#pragma omp parallel for schedule(dynamic, 1024)
  for (std::int64_t v = 0; v < static_cast<std::int64_t>(n); ++v) {
    EdgeIndex from = offsets[v], to = out.csr.offsets[v];
    for (EdgeIndex k = 0; k < squished[v]; ++k) {
      out.csr.targets[to + k] = arcs[from + k].target;
      out.csr.weights[to + k] = arcs[from + k].weight;
      out.events[to + k] = arcs[from + k].events;
    }
  }
  return out;
}

void CsrBuilder::compact() {
  VertexId n = 0;
  for (const EdgeEvents& e : pending_) n = std::max({n, e.source + 1, e.target + 1});
  AggregatedCsr merged = build_csr(std::move(pending_), n, /*symmetric=*/false);
  pending_.clear();
  for (VertexId v = 0; v < n; ++v) {
    for (EdgeIndex k = merged.csr.offsets[v]; k < merged.csr.offsets[v + 1]; ++k) {
      pending_.push_back({v, merged.csr.targets[k], merged.csr.weights[k], merged.events[k]});
    }
  }
  pending_.shrink_to_fit();
  // Squish again once the new events outnumber the merged edges.
  compact_at_ = std::max<std::size_t>(compact_at_, 2 * pending_.size());
}

AggregatedCsr CsrBuilder::build(VertexId num_vertices, bool symmetric) {
  AggregatedCsr out = build_csr(std::move(pending_), num_vertices, symmetric);
  pending_ = {};
  events_added_ = 0;
  return out;
}

}  // namespace sourcetrace::graph
