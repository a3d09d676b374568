// Matrix Market: count the lower triangle, then write it in row order.
#include "sourcetrace/graph/matrix_market.hpp"

#include <fmt/format.h>

#include "sourcetrace/tables/output_file.hpp"

namespace sourcetrace::graph {

Status write_matrix_market(const Csr& csr, const std::string& path, const std::string& comment) {
  EdgeIndex edges = 0;
  for (VertexId v = 0; v < csr.num_vertices(); ++v) {
    for (VertexId u : csr.neighbours(v)) edges += u <= v;
  }
  auto out = tables::OutputFile::create(path);
  if (!out.is_ok()) return out.status();
  std::string buffer = fmt::format("%%MatrixMarket matrix coordinate real symmetric\n% {}\n{} {} {}\n", comment,
                                   csr.num_vertices(), csr.num_vertices(), edges);
  for (VertexId v = 0; v < csr.num_vertices(); ++v) {
    const auto targets = csr.neighbours(v);
    const auto weights = csr.neighbour_weights(v);
    for (std::size_t i = 0; i < targets.size(); ++i) {
      if (targets[i] > v) continue;
      fmt::format_to(std::back_inserter(buffer), "{} {} {}\n", v + 1, targets[i] + 1, weights[i]);
    }
    if (buffer.size() > (1 << 20)) {
      ST_RETURN_IF_ERROR(out.value()->write(buffer));
      buffer.clear();
    }
  }
  ST_RETURN_IF_ERROR(out.value()->write(buffer));
  return out.value()->publish();
}

}  // namespace sourcetrace::graph
