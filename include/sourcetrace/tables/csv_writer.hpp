// CsvWriter: writes RFC 4180 CSV rows (LF line ends) to an OutputFile.
//
// Fields are quoted only when they must be (a comma, quote or line break in
// them), so the output reads back with any CSV reader, ours included. Rows
// are built field by field into a buffer that is handed to the file in
// large pieces. Not thread-safe: one writer per file.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>

#include "sourcetrace/tables/output_file.hpp"

namespace sourcetrace::tables {

class CsvWriter {
 public:
  explicit CsvWriter(std::unique_ptr<OutputFile> file) : file_(std::move(file)) {}

  // Opens `final_path` atomically and writes the header row.
  static Result<CsvWriter> create(const std::string& final_path,
                                  std::initializer_list<std::string_view> header,
                                  OutputFile::Compression compression =
                                      OutputFile::Compression::kNone);

  CsvWriter& field(std::string_view text);
  CsvWriter& field(std::int64_t value);
  CsvWriter& field(std::uint64_t value);
  CsvWriter& field(int value) { return field(static_cast<std::int64_t>(value)); }
  CsvWriter& field(std::uint32_t value) { return field(static_cast<std::uint64_t>(value)); }
  // Shortest text that reads back as the same double.
  CsvWriter& field(double value);
  // Ends the row; hands the buffer to the file when it is large.
  Status end_row();

  // Writes a whole row of text fields.
  Status row(std::initializer_list<std::string_view> fields);

  std::uint64_t rows_written() const { return rows_; }

  // REQUIRES: called once, after the last row.
  Status publish();

 private:
  void separator();

  std::unique_ptr<OutputFile> file_;
  std::string buffer_;
  bool row_started_ = false;
  std::uint64_t rows_ = 0;
};

}  // namespace sourcetrace::tables
