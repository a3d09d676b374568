// Matrix Market: a symmetric Csr as the text file other graph tools read.
//
// `detect --write-combined` writes the combined graph detect runs on in
// this format so that other community-detection programs (GVE-Leiden reads
// .mtx; igraph, NetworKit and SciPy read it too) can be timed and scored
// on exactly the graph the engine partitions (bench/detect.py). The file
// is "coordinate real symmetric": a header line, a comment, "N N M", then
// one line "row col weight" per undirected edge with row >= col, 1-based
// (vertex v of the Csr is v + 1), the weight written to round-trip as a
// float. Written atomically (tables/output_file.hpp).
#pragma once

#include <string>

#include "sourcetrace/graph/csr.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::graph {

// REQUIRES: csr is symmetric (every arc stored in both directions).
Status write_matrix_market(const Csr& csr, const std::string& path, const std::string& comment);

}  // namespace sourcetrace::graph
