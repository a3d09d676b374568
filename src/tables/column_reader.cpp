// Header mapping and the strict by-name column reader.
#include "sourcetrace/tables/column_reader.hpp"

#include <fmt/format.h>

#include <unordered_set>

namespace sourcetrace::tables {

Result<HeaderMap> read_header(CsvReader& reader, const std::string& path,
                              std::span<const std::string_view> required,
                              std::span<const std::string_view> optional) {
  CsvRecord record;
  std::string reason;
  switch (reader.next(record, reason)) {
    case CsvReader::Next::kEnd:
      return Status::invalid_input(path + ":1: empty file (expected a header row)");
    case CsvReader::Next::kFatal:
      return reader.status();
    case CsvReader::Next::kBadRecord:
      return Status::invalid_input(fmt::format("{}:{}: header row: {}", path, record.line, reason));
    case CsvReader::Next::kRecord:
      break;
  }
  HeaderMap map;
  map.width = record.fields.size();
  map.column_of.assign(required.size() + optional.size(), -1);
  std::unordered_set<std::string_view> seen;
  for (std::size_t i = 0; i < map.width; ++i) {
    const std::string_view name = record.fields[i];
    if (!seen.insert(name).second) {
      return Status::invalid_input(fmt::format("{}:{}: duplicate column '{}' in the header", path, record.line, name));
    }
    for (std::size_t c = 0; c < required.size(); ++c) {
      if (required[c] == name) map.column_of[c] = static_cast<int>(i);
    }
    for (std::size_t c = 0; c < optional.size(); ++c) {
      if (optional[c] == name) map.column_of[required.size() + c] = static_cast<int>(i);
    }
  }
  for (std::size_t c = 0; c < required.size(); ++c) {
    if (map.column_of[c] < 0) {
      return Status::invalid_input(
          fmt::format("{}:{}: missing required column '{}'", path, record.line, required[c]));
    }
  }
  return map;
}

Status read_columns(const std::string& path, const std::vector<std::string_view>& columns,
                    const ColumnsHandler& on_row) {
  return read_columns(path, columns, {}, on_row);
}

Status read_columns(const std::string& path, const std::vector<std::string_view>& columns,
                    const std::vector<std::string_view>& optional, const ColumnsHandler& on_row) {
  auto opened = CsvReader::open(path);
  if (!opened.is_ok()) return opened.status();
  CsvReader& reader = *opened.value();
  auto header = read_header(reader, path, columns, optional);
  if (!header.is_ok()) return header.status();
  const HeaderMap& map = header.value();

  CsvRecord record;
  std::string reason;
  std::vector<std::string_view> values(map.column_of.size());
  while (true) {
    const CsvReader::Next next = reader.next(record, reason);
    if (next == CsvReader::Next::kEnd) return Status::ok();
    if (next == CsvReader::Next::kFatal) return reader.status();
    if (next == CsvReader::Next::kRecord) {
      if (record.fields.size() != map.width) {
        reason = fmt::format("{} fields, the header has {}", record.fields.size(), map.width);
      } else {
        for (std::size_t c = 0; c < values.size(); ++c) {
          values[c] = map.column_of[c] < 0 ? std::string_view() : std::string_view(record.fields[map.column_of[c]]);
        }
        reason = on_row(values);
      }
    }
    if (!reason.empty()) return Status::invalid_input(fmt::format("{}:{}: {}", path, record.line, reason));
  }
}

}  // namespace sourcetrace::tables
