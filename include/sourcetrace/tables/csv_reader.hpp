// CsvReader: splits one CSV file (plain or gzip) into records, RFC 4180.
//
// What it accepts: a UTF-8 byte-order mark at the start (skipped), LF or
// CRLF line ends (mixed), quoted fields with "" for a quote and with commas
// and line breaks inside, a last line without a line end. Blank lines hold
// no record and are skipped.
//
// Each record carries the physical line on which it starts (the header is
// line 1), so that errors can name `file:line`. A record that breaks the
// syntax (a quote inside an unquoted field, text after a closing quote, a
// carriage return not followed by a line feed, invalid UTF-8) is returned as
// a bad record with its reason and raw bytes: the caller decides whether that
// stops the run. A quote that is never closed makes the rest of the file
// unreadable and is fatal.
//
// Fields and raw bytes are views into the reader's buffer, valid until the
// next call to next(). Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sourcetrace/status.hpp"
#include "sourcetrace/tables/byte_source.hpp"

namespace sourcetrace::tables {

struct CsvRecord {
  std::uint64_t line = 0;                 // physical line where the record starts
  std::vector<std::string_view> fields;   // unquoted, unescaped
  std::string_view raw;                   // the record as in the file, without its line end
};

class CsvReader {
 public:
  enum class Next { kRecord, kBadRecord, kEnd, kFatal };

  static Result<std::unique_ptr<CsvReader>> open(const std::string& path);

  // Reads the next record. kBadRecord: `reason` says what is wrong and
  // record.line / record.raw locate it; reading may go on. kFatal: status()
  // says why; reading cannot go on. kEnd: the file is read.
  Next next(CsvRecord& record, std::string& reason);

  const Status& status() const { return status_; }
  const ByteSource& source() const { return *source_; }

  // The longest record accepted; longer ones are fatal (a runaway quote).
  static constexpr std::size_t kMaxRecordBytes = 16u << 20;

 private:
  explicit CsvReader(std::unique_ptr<ByteSource> source) : source_(std::move(source)) {}

  enum class Parse { kComplete, kBad, kNeedMore, kUnterminated };
  struct FieldSpan {
    std::size_t begin, size;
    bool in_scratch;
  };
  Parse parse_record(std::size_t& end, std::size_t& newlines, std::string& reason);
  bool refill();  // false when the source has nothing more

  std::unique_ptr<ByteSource> source_;
  std::string buffer_;
  std::string block_;
  std::size_t pos_ = 0;
  bool source_done_ = false;
  bool started_ = false;
  std::uint64_t line_ = 1;
  std::vector<FieldSpan> spans_;
  std::string scratch_;
  Status status_;
};

// True when `bytes` is well-formed UTF-8 (no overlongs, no surrogates).
bool is_valid_utf8(std::string_view bytes);

// `bytes` with every byte that does not start a valid UTF-8 sequence
// replaced by U+FFFD, for showing broken input in a valid table.
std::string to_valid_utf8(std::string_view bytes);

}  // namespace sourcetrace::tables
