// Feeds the fuzzer's bytes as an edge-list file (`u v [w]` lines, plain or
// gzip) to ingest_edge_list, what `sourcetrace ingest --edge-list` runs:
// the edge-list reader, then the vertex index and the CSR builder over
// whatever it accepted. Reference graphs are downloaded from anywhere, so
// any bytes must give a graph or a Status, never a crash; and a graph that
// comes out must be one the later stages can use (finite, non-negative
// weights, arcs within the vertices). Strict, as ingest runs by default: a
// lenient ingest differs only in where bad rows go (rejected.csv, fsync'd).
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "../support/test_env.hpp"
#include "sourcetrace/ingest/ingest.hpp"

using namespace sourcetrace;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const testing::TempDir scratch;
  static const std::string path = scratch / "edges.txt";
  testing::write_file(path, std::string(reinterpret_cast<const char*>(data), size));

  auto ingested = ingest::ingest_edge_list(path, {});
  if (!ingested.is_ok()) return 0;  // bad input: a Status, as expected
  const graph::MarketGraph& g = ingested.value().graph;
  const tables::TableStats& stats = ingested.value().report.tables.at(0);
  if (stats.read != stats.accepted || stats.rejected != 0) std::abort();
  const graph::Csr& csr = g.layers.at(0).adjacency.csr;
  const std::size_t vertices = csr.offsets.size() - 1;
  if (csr.targets.size() != csr.weights.size() || csr.offsets.back() != csr.targets.size()) std::abort();
  for (std::size_t v = 0; v < vertices; ++v) {
    if (csr.offsets[v] > csr.offsets[v + 1]) std::abort();
  }
  for (std::size_t a = 0; a < csr.targets.size(); ++a) {
    if (csr.targets[a] >= vertices || !std::isfinite(csr.weights[a]) || csr.weights[a] < 0) std::abort();
  }
  return 0;
}
