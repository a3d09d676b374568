// verify_flow: capacities, conservation and value, one plain loop each.
#include "sourcetrace/targets/verify_flow.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace sourcetrace::targets {

std::string verify_flow(const FlowSolution& f, double tolerance) {
  if (f.source >= f.num_nodes || f.sink >= f.num_nodes) return "source or sink out of range";
  if (f.source == f.sink) return "source and sink are the same node";
  // The scale that "equal" is measured against: flows add up to at most
  // what the source can send, whatever the size of the other capacities.
  double scale = 1;
  for (const FlowArc& a : f.arcs) {
    if (a.tail == f.source) scale = std::max(scale, a.capacity);
  }
  const double eps = tolerance * scale;

  std::vector<double> balance(f.num_nodes, 0.0);  // in − out
  for (std::size_t k = 0; k < f.arcs.size(); ++k) {
    const FlowArc& a = f.arcs[k];
    if (a.tail >= f.num_nodes || a.head >= f.num_nodes) {
      return fmt::format("arc {} has an endpoint out of range", k);
    }
    if (!std::isfinite(a.capacity) || !std::isfinite(a.flow)) {
      return fmt::format("arc {} ({} -> {}) has a non-finite capacity or flow", k, a.tail, a.head);
    }
    if (a.capacity < 0) return fmt::format("arc {} ({} -> {}) has a negative capacity", k, a.tail, a.head);
    if (a.flow < -eps) {
      return fmt::format("arc {} ({} -> {}) carries a negative flow {}", k, a.tail, a.head, a.flow);
    }
    if (a.flow > a.capacity + eps) {
      return fmt::format("arc {} ({} -> {}) carries {} over its capacity {}", k, a.tail, a.head,
                         a.flow, a.capacity);
    }
    balance[a.tail] -= a.flow;
    balance[a.head] += a.flow;
  }
  for (std::uint32_t v = 0; v < f.num_nodes; ++v) {
    if (v == f.source || v == f.sink) continue;
    // The solver's rounding adds up over a node's arcs: allow a few eps.
    if (std::abs(balance[v]) > 4 * eps) {
      return fmt::format("node {} is not conserved: receives {} more than it sends", v, balance[v]);
    }
  }
  const double sent = -balance[f.source];
  if (std::abs(sent - f.value) > 4 * eps) {
    return fmt::format("value {} differs from the source's net outflow {}", f.value, sent);
  }
  if (std::abs(balance[f.sink] - f.value) > 4 * eps) {
    return fmt::format("value {} differs from the sink's net inflow {}", f.value, balance[f.sink]);
  }
  return {};
}

}  // namespace sourcetrace::targets
