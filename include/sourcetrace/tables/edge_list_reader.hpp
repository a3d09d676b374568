// Edge-list reader: a plain graph as `u v [w]` lines (SNAP / KONECT style).
//
// So that the reference graphs (karate, LFR, SNAP) go through the same
// engine as marketplace data. Fields are separated by spaces or tabs; lines
// starting with `#` or `%` are comments; blank lines are skipped; a fourth
// field (KONECT's timestamp) is allowed and ignored. The first edge decides
// whether the file is weighted; every later edge must agree. Weights are
// numbers from 0 to kMaxEdgeWeight: the graph keeps them as 32-bit floats
// and sums an edge listed more than once, so a larger one (1e64, say) would
// become infinite there. Plain or gzip, like every table.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "sourcetrace/tables/table_reader.hpp"

namespace sourcetrace::tables {

inline constexpr double kMaxEdgeWeight = 1e30;

struct EdgeListRow {
  std::string_view u, v;
  double weight;   // 1 when the file has no weights
  bool weighted;
};

// `on_edge` may refuse an edge by returning a reason (nullptr accepts).
Status read_edge_list(const std::string& path,
                      const std::function<const char*(const EdgeListRow&)>& on_edge,
                      const RejectSink& reject, TableStats& stats,
                      const ByteProgress& progress = {});

}  // namespace sourcetrace::tables
