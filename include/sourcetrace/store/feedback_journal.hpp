// FeedbackJournal: what brands and investigators wrote through the query
// service — evidence reports and case verdicts — one JSON line each, in
// RUNS/feedback.jsonl, the input the next nightly run learns from.
//
//   {"seq":1,"time":"2026-12-03T17:20:00.123Z","type":"report","reporter":"alice",
//    "report":"tb-0001","kind":"seller","id":"S000123","signal":"test_buy_counterfeit",
//    "brand":"B001","reported_on":"2026-12-02"}
//   {"seq":2,"time":"…","type":"verdict","reporter":"ivan","network":"N3f9a…",
//    "outcome":"confirmed","note":"raided","run":"run-2026-12-02","members":["seller:S000123",…]}
//
// Why this shape:
// - Append-only, one writer: the server opens it with an exclusive flock,
//   so two servers on one RUNS folder cannot interleave lines; a run reads
//   it without a lock (it only reads whole lines that were already there).
// - Durable before answered: append() writes a batch's lines with one
//   write(2) and fdatasync's them before it returns, and the server answers
//   only after that; a row acknowledged is on disk.
// - No half rows: a crash mid-write can leave a last line without its line
//   end; it was never acknowledged, and open() cuts it off (and a reader
//   ignores it). A complete line that does not parse is damage, not a
//   crash: open() and the reader refuse the file, naming file:line.
// - Idempotent: a report is keyed by (reporter, report id) — the token's
//   id and the client's id — so that a client may resend after a lost
//   answer; the journal keeps the first and says so. Scoped per reporter
//   so that no brand can learn or block another's ids.
// - Sequence numbers are line numbers, so a run can record exactly which
//   prefix it read (its length in bytes and that prefix's digest).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sourcetrace/status.hpp"

namespace sourcetrace::store {

inline constexpr const char* kFeedbackJournalName = "feedback.jsonl";

struct FeedbackEntry {
  enum class Type { kReport, kVerdict };
  std::uint64_t sequence = 0;  // its line, from 1 (set by append)
  std::string time;            // ISO-8601 UTC, when accepted (set by append)
  Type type = Type::kReport;
  std::string reporter;  // the token's id
  // A report: an evidence row of the table contract, and the client's id.
  std::string report, kind, id, signal, brand, reported_on;
  // A verdict: the network's id, confirmed | cleared | inconclusive, the
  // investigator's note, the run served, and the members it labels
  // ("kind:id", those whose role hint is not legit).
  std::string network, outcome, note, run;
  std::vector<std::string> members;
};

// What identifies a report: its reporter (the token's id) and the
// reporter's own id for it.
std::string report_key(std::string_view reporter, std::string_view report);

class FeedbackJournal {
 public:
  // Opens `path` for appending (mode 0600, created when missing), taking
  // an exclusive lock (another process holding it: kIOError naming the
  // file). A last line without its line end is cut off; a complete line
  // that does not parse is kCorrupt "file:line: reason".
  static Result<std::unique_ptr<FeedbackJournal>> open(const std::string& path);
  ~FeedbackJournal();
  FeedbackJournal(const FeedbackJournal&) = delete;
  FeedbackJournal& operator=(const FeedbackJournal&) = delete;

  // The report already accepted under (reporter, report id), if any.
  std::optional<FeedbackEntry> find_report(const std::string& reporter, const std::string& report) const;

  // Appends the entries (their sequence and time set here) with one write
  // and an fdatasync: on return ok, every one is on disk. On failure none
  // is (a partial write is cut back). A report whose key is already in the
  // journal — resent, or twice in this batch — is not appended again: its
  // entry is replaced by the one the journal holds. Thread-safe.
  // `resent` (when given) gets, per entry, whether it was one of those.
  // After a failed flush the journal cannot tell what reached the disk, so
  // every later append fails too (restart the server: open() reads what is
  // there).
  Status append(std::vector<FeedbackEntry>& entries, std::vector<bool>* resent = nullptr);

  const std::string& path() const { return path_; }
  std::uint64_t entries() const;

 private:
  FeedbackJournal(std::string path, int fd, std::uint64_t size);

  const std::string path_;
  const int fd_;
  mutable std::mutex mutex_;
  std::uint64_t size_ = 0;   // bytes; guarded by mutex_
  std::uint64_t lines_ = 0;  // guarded by mutex_
  Status failed_;            // ok until a flush fails; guarded by mutex_
  std::unordered_map<std::string, FeedbackEntry> reports_;  // by key; guarded by mutex_
};

// The journal's whole lines as a run reads them: the entries, how many
// bytes they are, and those bytes' digest (recorded in the run, so that
// what it read can be checked later). A missing file is an empty journal.
struct FeedbackSnapshot {
  std::vector<FeedbackEntry> entries;
  std::uint64_t bytes = 0;
  std::string digest;  // of those bytes; "" when none
};
Result<FeedbackSnapshot> read_feedback_journal(const std::string& path);

}  // namespace sourcetrace::store
