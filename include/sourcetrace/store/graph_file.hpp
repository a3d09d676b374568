// graph.h5: the file ingest writes and every later stage reads.
//
// The schema is written down in docs/graph-h5.md; this is its one reader and
// writer. The file is written under a temporary name and renamed into place
// when complete, so a killed ingest never leaves a half file under the
// final name. Version 1 is the only version; a file of another version (or
// another format) is refused with a clear error.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sourcetrace/graph/market_graph.hpp"
#include "sourcetrace/status.hpp"
#include "sourcetrace/store/h5_file.hpp"

namespace sourcetrace::store {

inline constexpr const char* kGraphFormat = "sourcetrace.graph";
// 2: checksummed (HDF5 1.10 format, Fletcher-32 chunks, fixed-length
// string attributes; docs/integrity.md). Version 1 files are refused.
inline constexpr std::int64_t kGraphFormatVersion = 2;

// Where a graph came from: recorded in the file's root attributes.
struct GraphProvenance {
  std::string source;        // the dataset folder or edge-list file
  std::string input_digest;  // over the tables actually read, 32 hex digits
  std::string tables_json;   // per table: path, rows read/accepted/rejected, digest
  std::string created;       // ISO-8601 UTC
  std::string engine_build;  // filled when read (store/engine_stamp.hpp)
  std::string source_kind;   // filled when read: "market" or "edge_list"
};

Status write_graph_file(const std::string& path, const graph::MarketGraph& graph,
                        const GraphProvenance& provenance);

// How much of the layers (the bulk of the file) a read brings: all of them;
// only their undirected adjacency, without the directed flows of payments
// and shipments (detect, which combines the adjacencies, needs no more); or
// none (track and export work by entity and evidence).
enum class LayerRead { kAll, kAdjacency, kNone };

// Reads the graph back: entities, evidence, dictionaries, and the layers as
// `layers` says. `provenance`, when given, receives the recorded provenance.
Result<graph::MarketGraph> read_graph_file(const std::string& path, GraphProvenance* provenance = nullptr,
                                           LayerRead layers = LayerRead::kAll);

// Only the entities (keys, kinds, attributes) and the source kind: no
// layers, no evidence. For a rank that writes results by entity key.
Result<graph::MarketGraph> read_graph_entities(const std::string& path);

// Only the provenance: reads the root attributes, not the graph.
Result<GraphProvenance> read_graph_provenance(const std::string& path);

// A dictionary (brands, reporters, …: entry 0 is "") as graph.h5 keeps it,
// GROUP/offsets and GROUP/bytes; for other stage files that keep strings.
Status write_dictionary(H5File& file, const std::string& group, const graph::KeyIndex::Blob& blob);
Result<graph::KeyIndex::Blob> read_dictionary(const H5File& file, const std::string& group);

}  // namespace sourcetrace::store
