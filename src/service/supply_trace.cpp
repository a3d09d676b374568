// Supply trace: breadth first along one direction of one directed layer.
#include "sourcetrace/service/supply_trace.hpp"

#include <algorithm>
#include <unordered_set>

#include "sourcetrace/service/api/investigator_types.h"

namespace sourcetrace::service {

namespace {

struct Link {
  VertexId other;
  double weight;
};

// v's visible links of the layer that carry flow the way asked, by id.
// Downstream: what v sent (the flow on v's own arc). Upstream: what was
// sent to v, the flow on the reverse arc.
std::vector<Link> links_of(const LayeredAdjacency& g, const Visibility& visible, VertexId v,
                           const SupplyTraceOptions& o) {
  std::vector<Link> links;
  const auto [lo, hi] = g.layer_arcs(v, o.layer);
  for (std::uint64_t arc = lo; arc < hi; ++arc) {
    const VertexId w = g.target(arc);
    if (w == v || !visible.entity(w)) continue;
    double moved = g.flow(arc);
    if (o.upstream) {
      const auto back = g.link(w, v, o.layer);
      moved = back ? g.flow(*back) : 0.0;
    }
    if (moved > 0) links.push_back({w, moved});
  }
  return links;  // the row is sorted by target
}

void check_deadline(const SupplyTraceOptions& o) {
  if (std::chrono::steady_clock::now() > o.deadline) {
    api::ServerBusy busy;
    busy.message = "the trace ran past the call's deadline; ask for fewer hops";
    busy.retry_after_ms = 0;
    throw busy;
  }
}

}  // namespace

SupplyTrace trace_supply(const LayeredAdjacency& graph, const Visibility& visible, VertexId start,
                         const SupplyTraceOptions& options) {
  SupplyTrace out;
  std::unordered_set<VertexId> seen{start};
  std::vector<VertexId> frontier{start};
  out.visited = 1;
  for (int hops = 1; hops <= options.max_hops && !frontier.empty(); ++hops) {
    std::vector<VertexId> next;
    for (VertexId via : frontier) {
      check_deadline(options);
      const std::vector<Link> links = links_of(graph, visible, via, options);
      double total = 0;
      for (const Link& l : links) total += l.weight;
      for (const Link& l : links) {
        if (!seen.insert(l.other).second) continue;
        if (++out.visited > options.max_visited) {
          out.gave_up = true;
          return out;
        }
        SupplyStep step{l.other, via, hops, l.weight, total > 0 ? l.weight / total : 0.0, false};
        // A hub is listed where it was reached, and goes no further.
        if (hops < options.max_hops) {
          step.hub = static_cast<int>(links_of(graph, visible, l.other, options).size()) > options.max_fanout;
          if (!step.hub) next.push_back(l.other);
        }
        out.steps.push_back(step);
      }
    }
    frontier = std::move(next);
  }
  return out;
}

}  // namespace sourcetrace::service
