// read_combined_slice: this rank's rows of graph.h5's combined graph,
// read in parallel with MPI-IO.
//
// Every rank opens graph.h5 through HDF5's MPI-IO driver and reads, by
// hyperslab and collectively, only its contiguous range of each layer's
// offsets, targets and events: no rank ever holds the whole graph. Ranges
// are balanced by arcs, not vertices (a market's hubs would otherwise pile
// up on one rank): ranks first read equal vertex ranges of the offsets,
// agree on the vertices where the arc count crosses each rank's share, and
// then read their balanced range. The degrees of ghost neighbours, which
// hub damping needs, are fetched from their owners. The rows are combined
// with graph::combine_row, the code the single-node combine uses, so a
// rank's rows equal the same rows of the serial combined graph bit for bit
// (tests/dist checks it).
//
// Collective: every rank calls it; on any error every rank returns the
// same failure (never one rank waiting for another that gave up).
#pragma once

#include <mpi.h>

#include <string>

#include "sourcetrace/dist/distributed_graph.hpp"
#include "sourcetrace/graph/combined_graph.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::dist {

struct SliceReadStats {
  std::uint64_t bytes_read = 0;  // by this rank, from the file
  double seconds = 0;
};

Result<DistributedGraph> read_combined_slice(MPI_Comm comm, const std::string& path,
                                             const graph::CombineOptions& options,
                                             SliceReadStats* stats = nullptr);

}  // namespace sourcetrace::dist
