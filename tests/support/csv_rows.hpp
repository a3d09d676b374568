// Every record of a CSV file, read with the project's own reader: what
// tests use to look at the tables the binary writes.
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "sourcetrace/tables/csv_reader.hpp"

namespace sourcetrace::testing {

inline std::vector<std::vector<std::string>> read_csv_rows(const std::string& path) {
  auto reader = tables::CsvReader::open(path);
  REQUIRE(reader.is_ok());
  std::vector<std::vector<std::string>> rows;
  tables::CsvRecord record;
  std::string reason;
  while (reader.value()->next(record, reason) == tables::CsvReader::Next::kRecord) {
    rows.emplace_back(record.fields.begin(), record.fields.end());
  }
  REQUIRE(reader.value()->status().is_ok());
  return rows;
}

}  // namespace sourcetrace::testing
