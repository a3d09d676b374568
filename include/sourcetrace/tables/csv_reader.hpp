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
// Splitting runs on a thread of its own, a batch of records ahead of the
// caller (who validates and stores them): so the three parts of reading a
// gzipped table — inflating (ByteSource's thread), splitting, and what the
// caller does with each row — use two cores.
//
// Fields and raw bytes are views into the reader's memory, valid until the
// next call to next(). Not thread-safe: one thread calls next().
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
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
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Reads the next record. kBadRecord: `reason` says what is wrong and
  // record.line / record.raw locate it; reading may go on. kFatal: status()
  // says why; reading cannot go on. kEnd: the file is read.
  Next next(CsvRecord& record, std::string& reason);

  const Status& status() const { return status_; }
  // The file's bytes: its size and progress at any time; its digest and
  // content size once next() has returned kEnd.
  const ByteSource& source() const { return *source_; }

  // The longest record accepted; longer ones are fatal (a runaway quote).
  static constexpr std::size_t kMaxRecordBytes = 16u << 20;

 private:
  class Splitter;  // the record splitter, on the reader's thread
  struct Batch;    // records split, copied out, handed over
  explicit CsvReader(std::unique_ptr<ByteSource> source);
  void split_loop();

  std::unique_ptr<ByteSource> source_;
  std::unique_ptr<Splitter> splitter_;

  // Shared between the threads, under mutex_.
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::unique_ptr<Batch>> ready_;
  std::deque<std::unique_ptr<Batch>> spare_;
  bool stopping_ = false;

  // Consumer state.
  std::unique_ptr<Batch> current_;
  std::size_t at_ = 0;  // the next item of current_
  bool done_ = false;   // kEnd or kFatal was returned
  Status status_;
  std::thread thread_;
};

// True when `bytes` is well-formed UTF-8 (no overlongs, no surrogates).
bool is_valid_utf8(std::string_view bytes);

// `bytes` with every byte that does not start a valid UTF-8 sequence
// replaced by U+FFFD, for showing broken input in a valid table.
std::string to_valid_utf8(std::string_view bytes);

}  // namespace sourcetrace::tables
