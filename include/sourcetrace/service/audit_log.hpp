// AuditLog: every call to the query service, allowed or not, one JSON line
// each, chained by SHA-256 so that an edited or deleted line shows.
//
//   {"time":"2024-05-01T12:00:00.123Z","token":"alice","call":"network",
//    "args":{"network":"N3f9a0c1d2b4e5f60"},"result":{"size":1},
//    "prev":"<64 hex>","hash":"<64 hex>"}
//
// `token` is the token's id, "-" when the secret matched no token: never a
// secret. `result` is {"size":N} for an answer or
// {"error":"NotFound","message":"..."} for a refusal. `hash` is the SHA-256
// of the line's own text up to the hash field (the line as written with
// `,"hash":"..."` taken out); it is always the last field, so a reader
// checks it on the exact bytes, with no JSON re-serialisation. `prev` is the
// previous line's `hash` (64 zeros on the first line); since `hash` covers
// everything else in its line, chaining on it is chaining on the whole line.
//
// verify_audit_log detects: an edited line (its hash no longer matches),
// a deleted or reordered line (the next line's prev no longer matches),
// lines cut from the start (the first prev is not zeros), a half-written
// last line, and lines cut from the end, whole or mid-line.
//
// The end is sealed by a head: beside the log, `<log>.head` records how
// many lines the log has and the last one's hash. A chain stays valid when
// its tail is cut; the head then records more lines than remain, and
// verify names them ("lines 1201–1207 were cut from the end: audit.jsonl.head
// records 1207 lines"). Why these choices:
// - A head file, not a key: a server key would let the server sign its
//   tail, but then the key must be kept from whoever can write the log
//   (the same operator, on one host); a head is a plain number and hash
//   that anyone can check, and a copy of it kept elsewhere (or a line of
//   it sent off-host) gives the same protection without a secret.
// - Rewritten in place, not renamed into place: one fixed-size record
//   (105 bytes at offset 0, inside one disk sector, so never half of two
//   records) costs one pwrite per call; a temporary file, rename and
//   directory flush per call would cost a file creation and two flushes.
// - Ordering: the line is written first, then the head, both before the
//   call is answered. A crash between them leaves the log one line ahead
//   of its head: verify reports that line as not sealed, not as tampering
//   (removal is what hides a call, and a head behind loses none), and open
//   catches the head up. A head ahead of the log means lines are missing.
// - Syncing: with `sync_each_line` both are fdatasync'd, line then head, so
//   the order holds across a power loss too; that costs two disk flushes
//   per call (0.4–0.8 ms measured on the development VM), serialised under
//   the log's lock. Without it the page cache keeps the order against a
//   killed process; after a power loss the head may reach the disk before
//   its line, and verify then reports that line as cut: a false alarm is
//   possible, a cut log that passes is not.
// A log without a head (written before heads were kept, or its head
// removed) is reported as such: whether its tail was cut cannot be told,
// and the server refuses to chain onto it. Nothing here stops someone who
// can write both files from rewriting the whole chain and its head (the
// hashes are keyless; anyone can recompute them): keep a copy of the head
// elsewhere for that. The chain makes tampering evident, not impossible.
//
// One process writes a log at a time (open takes an exclusive flock);
// append is safe from any number of threads in that process.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "sourcetrace/status.hpp"

namespace sourcetrace::service {

// The 64 zeros a chain starts from.
extern const char* const kAuditChainStart;

// One call as the server saw it. `error` empty means it was answered.
struct AuditEntry {
  std::string token_id;             // the token's id (never its secret), "-" when unknown
  std::string call;                 // the service method, e.g. "network"
  nlohmann::ordered_json args = nlohmann::ordered_json::object();  // never the secret
  std::int64_t result_size = 0;     // items answered (1 for a single object)
  std::string error;                // e.g. "NotFound", "Forbidden"; empty on success
  std::string message;              // the error's message
};

class AuditLog {
 public:
  // Opens `path` for appending, creating it (mode 0600) when missing. An
  // existing log continues its chain from its last line; a log whose last
  // line is not a complete, self-consistent entry is refused (kCorrupt,
  // "file:line: reason") rather than chained onto. `sync_each_line` makes
  // every append wait for fdatasync: lines then survive a power loss, not
  // only a crash of the process, at the cost of a disk flush per call.
  static Result<std::unique_ptr<AuditLog>> open(const std::string& path,
                                                bool sync_each_line = false);
  ~AuditLog();
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Appends one line, time-stamped now, with one write(2): a line is in the
  // file whole or, if the write fails, not at all (a partial write is cut
  // back off). Thread-safe: lines are chained in the order appended.
  Status append(const AuditEntry& entry);

  const std::string& path() const { return path_; }
  std::uint64_t lines_written() const;

 private:
  AuditLog(std::string path, int fd, int head_fd, std::string last_hash, std::uint64_t size, std::uint64_t lines,
           bool sync);
  Status write_head();  // REQUIRES: mutex_ held

  const std::string path_;
  const int fd_;
  const int head_fd_;
  const bool sync_each_line_;
  mutable std::mutex mutex_;
  std::string last_hash_;   // guarded by mutex_
  std::uint64_t size_;      // bytes in the file; guarded by mutex_
  std::uint64_t lines_;         // lines in the file; guarded by mutex_
  std::uint64_t written_ = 0;  // guarded by mutex_
};

// The head file that seals a log's length: `<log>.head`.
std::string audit_head_path(const std::string& log_path);

struct AuditVerification {
  std::uint64_t lines = 0;   // in the log, chain intact
  std::uint64_t sealed = 0;  // of which the head vouches for (lines - sealed were written after it)
};

// Checks every line of an audit log, the chain between them and the head.
// Returns the lines, or kCorrupt "file:line: reason" for the first line that
// breaks the chain, or naming the lines cut from the end (kMissingInput
// when the file is not there).
Result<AuditVerification> verify_audit_log(const std::string& path);

}  // namespace sourcetrace::service
