// DegreeStats: the shape of a layer in a few numbers (for `sourcetrace info`).
#pragma once

#include <cstdint>

#include "sourcetrace/graph/csr.hpp"

namespace sourcetrace::graph {

struct DegreeStats {
  VertexId vertices = 0;        // all vertices of the graph
  VertexId with_edges = 0;      // vertices of degree > 0
  EdgeIndex min = 0, max = 0;   // over vertices with edges
  double mean = 0;              // over vertices with edges
  EdgeIndex median = 0, p99 = 0;
  double total_weight = 0;      // sum over stored arcs
};

DegreeStats degree_stats(const Csr& csr);

}  // namespace sourcetrace::graph
