// Reading CSV tables by column name: the header rules every table shares
// (each column once, the required ones present, in any order, unknown
// ones ignored) and a simple strict reader for tables outside the input
// contract (the engine's own exports, truth.csv).
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sourcetrace/status.hpp"
#include "sourcetrace/tables/csv_reader.hpp"

namespace sourcetrace::tables {

struct HeaderMap {
  // Per required column, then per optional column, its field index; -1 for
  // an optional column the header does not have.
  std::vector<int> column_of;
  std::size_t width = 0;  // fields in the header (every row must match)
};

// Reads the header row of `reader` (the file at `path`): an empty file, a
// duplicate column name or a missing required column is an error naming
// `path:line`. Optional columns (the contract's later additions) may be
// absent.
Result<HeaderMap> read_header(CsvReader& reader, const std::string& path,
                              std::span<const std::string_view> required,
                              std::span<const std::string_view> optional = {});

// Receives the values of the asked-for columns of one row, in the order
// asked; returns why the row is refused, or an empty string.
using ColumnsHandler = std::function<std::string(const std::vector<std::string_view>& values)>;

// Reads the CSV file at `path` (plain or gzip), finding `columns` by header
// name, and hands every row to `on_row`. The first bad row stops the
// reading with `path:line: reason`. The values of `optional` columns follow
// those of `columns`; a column the file lacks reads as empty in every row.
Status read_columns(const std::string& path, const std::vector<std::string_view>& columns,
                    const ColumnsHandler& on_row);
Status read_columns(const std::string& path, const std::vector<std::string_view>& columns,
                    const std::vector<std::string_view>& optional, const ColumnsHandler& on_row);

}  // namespace sourcetrace::tables
