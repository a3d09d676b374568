// TableReader: reads one table of the contract, validates every row, and
// hands typed rows to a RowHandler and broken rows to a RejectSink.
//
// Whole-table problems (missing required column, duplicate header, empty
// file, truncated gzip, unterminated quote) are returned as a Status: they
// stop even a lenient run. A row that breaks the contract goes to the
// RejectSink, whose Status decides: strict mode returns an error (the run
// stops with `file:line: reason`), lenient mode records the row and goes on.
// Every data row is counted: read = accepted + rejected.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "sourcetrace/status.hpp"
#include "sourcetrace/tables/contract.hpp"
#include "sourcetrace/tables/digest.hpp"

namespace sourcetrace::tables {

// Receives the rows that pass the contract's rules. A handler may still
// refuse a row for a rule that needs more than the row itself (an entity
// listed twice): it returns the reason, and the row goes to the RejectSink
// like any other bad row. nullptr accepts. Views inside a row are valid only
// during the call.
class RowHandler {
 public:
  virtual ~RowHandler() = default;
  virtual const char* on_row(const EntityRow&) { return nullptr; }
  virtual const char* on_row(const SellerLinkRow&) { return nullptr; }
  virtual const char* on_row(const StockRow&) { return nullptr; }
  virtual const char* on_row(const PaymentRow&) { return nullptr; }
  virtual const char* on_row(const ShipmentRow&) { return nullptr; }
  virtual const char* on_row(const EvidenceRow&) { return nullptr; }
};

struct RowError {
  std::string_view table;  // "stock"
  std::string_view file;   // the path as opened
  std::uint64_t line;      // physical line where the record starts
  std::string reason;
  std::string_view raw;    // the record's bytes, without its line end
  std::string location() const;  // "file:line: reason"
};

// Returns ok to go on, an error to stop reading.
using RejectSink = std::function<Status(const RowError&)>;

// The strict policy: every bad row stops the run.
Status reject_strictly(const RowError& error);

struct TableStats {
  std::string name;
  std::string path;            // empty when an optional table is absent
  std::uint64_t read = 0;      // data rows (records after the header)
  std::uint64_t accepted = 0;
  std::uint64_t rejected = 0;
  std::uint64_t content_bytes = 0;
  Digest digest;               // of the decompressed content
};

// Reports (bytes of the file read so far, file size).
using ByteProgress = std::function<void(std::uint64_t done, std::uint64_t total)>;

// Finds NAME.csv or NAME.csv.gz in `dataset_dir`. No file: nullopt.
// Both: an error (which one is meant?).
Result<std::optional<std::string>> find_table_file(const std::string& dataset_dir,
                                                   std::string_view name);

// Reads `path` as `table`.
Status read_table(const std::string& path, Table table, RowHandler& handler,
                  const RejectSink& reject, TableStats& stats, const ByteProgress& progress = {});

// One evidence row's fields in the contract's column order (kind, id,
// signal, brand, reported_on, reporter), checked by the rules read_table
// applies to evidence.csv: "" with `row` filled (its views into `fields`),
// or the reason ("column 'brand': empty (only a complaint may name no
// brand)"). For rows that arrive by other ways than a file (the service's
// reports).
std::string parse_evidence_fields(const std::array<std::string_view, 6>& fields, EvidenceRow& row);

}  // namespace sourcetrace::tables
