// Ingest: a dataset folder (or a plain edge list) in, a MarketGraph out.
//
// This is the stage that joins the two lower areas: tables yields validated
// rows, and ingest turns identifiers into vertex ids (graph::KeyIndex) and
// rows into layer events (graph::CsrBuilder), then aggregates each layer.
// It streams: memory grows with entities and distinct edges, not with the
// size of the files. Tables are read in contract order (entities first), so
// vertex ids are reproducible.
//
// Strict by default: the first bad row stops it with `file:line: reason`.
// Lenient: bad rows are written to options.rejected_path (rejected.csv,
// columns table,line,reason,raw, header always written) and counted.
// Whole-table problems stop both. The library never prints: progress goes
// through the callback.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sourcetrace/graph/market_graph.hpp"
#include "sourcetrace/status.hpp"
#include "sourcetrace/store/graph_file.hpp"
#include "sourcetrace/tables/table_reader.hpp"

namespace sourcetrace::ingest {

struct IngestProgress {
  std::string_view table;        // being read
  int table_index = 0;           // 0-based, of table_count
  int table_count = 0;
  std::uint64_t bytes_done = 0;  // of this table's file
  std::uint64_t bytes_total = 0;
};

struct IngestOptions {
  // Record bad rows in rejected_path instead of stopping.
  bool lenient = false;
  // Where a lenient run writes its rejected rows (required when lenient).
  std::string rejected_path;
  std::function<void(const IngestProgress&)> progress;
};

struct IngestReport {
  std::vector<tables::TableStats> tables;  // the tables actually read
  std::uint64_t rows_read = 0, rows_accepted = 0, rows_rejected = 0;
  // Over the digests of the tables actually read, in order (truth.csv and
  // other files in the folder never count).
  tables::Digest input_digest;
  double read_seconds = 0;   // parsing and validating the tables
  double build_seconds = 0;  // aggregating events into the layers' CSRs
};

struct IngestResult {
  graph::MarketGraph graph;
  IngestReport report;
};

// Reads the contract's tables from `dataset_dir`.
Result<IngestResult> ingest_market(const std::string& dataset_dir, const IngestOptions& options);

// Reads a plain undirected graph (`u v [w]` lines) as the single layer
// "edges". Without weights a pair listed more than once, in either
// direction, is one edge of weight 1; with weights they are summed.
// Self-loops are dropped.
Result<IngestResult> ingest_edge_list(const std::string& path, const IngestOptions& options);

// Ok when `dataset_dir` is a folder holding every required table (as
// ingest_market finds them); nothing is read.
Status find_dataset(const std::string& dataset_dir);

// The input digest ingest_market would record for `dataset_dir`, without
// parsing: the tables are only read (and inflated) to digest their content.
// `sourcetrace run` compares it with graph.h5's to skip an ingest.
Result<tables::Digest> dataset_digest(const std::string& dataset_dir);

// What graph.h5 records about where the graph came from.
store::GraphProvenance provenance_of(const std::string& source, const IngestReport& report);

}  // namespace sourcetrace::ingest
