// AuditLog: hash-chained JSON lines, appended whole, verified line by line.
#include "sourcetrace/service/audit_log.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iterator>
#include <optional>

#include "sourcetrace/service/sha256.hpp"
#include "sourcetrace/store/run_file.hpp"

namespace sourcetrace::service {

const char* const kAuditChainStart = "0000000000000000000000000000000000000000000000000000000000000000";

namespace {

using nlohmann::ordered_json;

// The fixed tail of every line: ,"hash":"<64 hex>"}
constexpr std::string_view kHashKey = ",\"hash\":\"";
constexpr std::size_t kHashTail = kHashKey.size() + 64 + 2;

// The fields of a line, in the order written.
constexpr const char* kFields[] = {"time", "token", "call", "args", "result", "prev", "hash"};

// Checks one line on its own: a JSON object with our fields, hash last and
// equal to the SHA-256 of the rest. Returns "" (and the line's prev and
// hash) or the reason it is not an entry.
std::string check_line(std::string_view line, std::string& prev, std::string& hash) {
  const ordered_json j = ordered_json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return "not a JSON object";
  std::size_t i = 0;
  for (const auto& [key, value] : j.items()) {
    if (i >= std::size(kFields) || key != kFields[i]) {
      return "fields are not time, token, call, args, result, prev, hash in that order";
    }
    ++i;
  }
  if (i != std::size(kFields)) return "fields are not time, token, call, args, result, prev, hash";
  if (!j["time"].is_string() || !j["token"].is_string() || !j["call"].is_string()) {
    return "time, token and call must be strings";
  }
  if (!j["args"].is_object() || !j["result"].is_object()) return "args and result must be objects";
  if (!j["prev"].is_string() || !is_sha256_hex(j["prev"].get<std::string>())) {
    return "prev is not 64 lowercase hex digits";
  }
  if (!j["hash"].is_string() || !is_sha256_hex(j["hash"].get<std::string>())) {
    return "hash is not 64 lowercase hex digits";
  }
  // The hash is checked on the bytes as they are, not on a re-serialisation.
  if (line.size() <= kHashTail || line.substr(line.size() - kHashTail, kHashKey.size()) != kHashKey ||
      line.substr(line.size() - 2) != "\"}") {
    return "the hash field is not written last";
  }
  hash = std::string(line.substr(line.size() - kHashTail + kHashKey.size(), 64));
  if (hash != j["hash"].get<std::string>()) return "the hash field appears twice";
  std::string content(line.substr(0, line.size() - kHashTail));
  content += '}';
  auto digest = sha256_hex(content);
  if (!digest.is_ok()) return digest.status().message();
  if (digest.value() != hash) return "the line's hash does not match its content: the line was edited";
  prev = j["prev"].get<std::string>();
  return {};
}

// For messages only: the 1-based number of the line that starts at `offset`.
std::uint64_t line_number_at(int fd, std::uint64_t offset) {
  std::uint64_t lines = 1, pos = 0;
  char buffer[1 << 16];
  while (pos < offset) {
    const ssize_t n = ::pread(fd, buffer, std::min<std::uint64_t>(sizeof buffer, offset - pos),
                              static_cast<off_t>(pos));
    if (n <= 0) break;
    lines += static_cast<std::uint64_t>(std::count(buffer, buffer + n, '\n'));
    pos += static_cast<std::uint64_t>(n);
  }
  return lines;
}

// The last line of a non-empty file (without its newline) and the offset
// where it starts; `complete` is false when the file does not end in one.
Status read_last_line(int fd, std::uint64_t size, const std::string& path, std::string& line,
                      std::uint64_t& offset, bool& complete) {
  std::string tail;
  std::uint64_t pos = size;
  constexpr std::uint64_t kChunk = 1 << 14;
  for (;;) {
    const std::uint64_t from = pos > kChunk ? pos - kChunk : 0;
    std::string chunk(pos - from, '\0');
    std::size_t got = 0;
    while (got < chunk.size()) {
      const ssize_t n = ::pread(fd, chunk.data() + got, chunk.size() - got,
                                static_cast<off_t>(from + got));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Status::io_error(path + ": read failed: " + std::strerror(errno));
      got += static_cast<std::size_t>(n);
    }
    tail.insert(0, chunk);
    pos = from;
    // The newline that ends the line before the last one (the last byte
    // itself is the last line's own newline, or a cut-short line's end).
    const std::size_t newline = tail.size() >= 2 ? tail.rfind('\n', tail.size() - 2) : std::string::npos;
    if (newline != std::string::npos || pos == 0) {
      const std::size_t start = newline == std::string::npos ? 0 : newline + 1;
      offset = pos + start;
      complete = tail.back() == '\n';
      line = tail.substr(start, tail.size() - start - (complete ? 1 : 0));
      return Status::ok();
    }
  }
}

// The head: one fixed-size record, so that rewriting it in place never
// leaves a mix of two lengths.
//   {"lines":00000000000000000042,"hash":"<64 hex>"}\n
struct Head {
  std::uint64_t lines = 0;
  std::string hash;
};

std::string head_record(std::uint64_t lines, const std::string& hash) {
  return fmt::format("{{\"lines\":{:020},\"hash\":\"{}\"}}\n", lines, hash);
}
const std::size_t kHeadSize = head_record(0, kAuditChainStart).size();

// Reads a head; nullopt when the file is missing or empty, an error when it
// is there but not a head.
Result<std::optional<Head>> read_head(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::optional<Head>();
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.empty()) return std::optional<Head>();
  const auto bad = [&] { return Status::corrupt(path + ": not an audit head (one record of lines and hash)"); };
  if (text.size() != kHeadSize || text.rfind("{\"lines\":", 0) != 0) return bad();
  Head h;
  for (std::size_t i = 9; i < 29; ++i) {
    if (text[i] < '0' || text[i] > '9') return bad();
    h.lines = h.lines * 10 + static_cast<std::uint64_t>(text[i] - '0');
  }
  h.hash = text.substr(38, 64);
  if (head_record(h.lines, h.hash) != text) return bad();
  return std::optional<Head>(h);
}

// "line 7 was" or "lines 5–7 were", for messages.
std::string line_range(std::uint64_t first, std::uint64_t last) {
  if (first == last) return fmt::format("line {} was", first);
  return fmt::format("lines {}–{} were", first, last);
}

}  // namespace

Result<std::unique_ptr<AuditLog>> AuditLog::open(const std::string& path, bool sync_each_line) {
  int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  const bool created = fd >= 0;
  if (!created && errno == EEXIST) fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  if (fd < 0) return Status::cannot_create(path + ": cannot open the audit log: " + std::strerror(errno));
  auto fail = [fd](Status s) {
    ::close(fd);
    return s;
  };
  // The umask may have taken bits away; a new log is the owner's alone.
  if (created && ::fchmod(fd, 0600) != 0) {
    return fail(Status::cannot_create(path + ": chmod 600: " + std::strerror(errno)));
  }
  // Two writers would fork the chain.
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    return fail(Status::cannot_create(
        path + ": the audit log is held by another process (one writer per log)"));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail(Status::io_error(path + ": cannot stat: " + std::strerror(errno)));
  if (!S_ISREG(st.st_mode)) return fail(Status::invalid_input(path + ": not a regular file"));
  const auto size = static_cast<std::uint64_t>(st.st_size);

  std::string last_hash = kAuditChainStart, last_prev;
  if (size > 0) {
    std::string line;
    std::uint64_t offset = 0;
    bool complete = false;
    Status read = read_last_line(fd, size, path, line, offset, complete);
    if (!read.is_ok()) return fail(read);
    std::string why, prev, hash;
    if (!complete) {
      why = "the last line is incomplete (no newline): a write was cut short";
    } else {
      why = check_line(line, prev, hash);
    }
    if (!why.empty()) {
      return fail(Status::corrupt(fmt::format(
          "{}:{}: {}; refusing to chain onto it (check with `sourcetrace audit verify {}`)", path,
          line_number_at(fd, offset), why, path)));
    }
    last_hash = hash;
    last_prev = prev;
  }

  // The head must vouch for the log's last line (or the one before it: the
  // line written just before a crash, whose head never followed).
  const std::string head_path = audit_head_path(path);
  auto head = read_head(head_path);
  if (!head.is_ok()) return fail(head.status());
  std::uint64_t lines = 0;
  if (!head.value()) {
    if (size > 0) {
      return fail(Status::corrupt(fmt::format(
          "{} is missing: cannot tell whether lines were cut from the end of {}; check it with `sourcetrace audit "
          "verify {}`, and if it is a log from before heads were kept, move it aside to start a new one",
          head_path, path, path)));
    }
  } else if (head.value()->hash == last_hash) {
    lines = head.value()->lines;
  } else if (size > 0 && head.value()->hash == last_prev) {
    lines = head.value()->lines + 1;
  } else {
    return fail(Status::corrupt(fmt::format(
        "{}: its last line is not the one {} records (line {}): lines were cut from the end, or the log was "
        "replaced; check it with `sourcetrace audit verify {}`",
        path, head_path, head.value()->lines, path)));
  }
  const int head_fd = ::open(head_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (head_fd < 0) return fail(Status::cannot_create(head_path + ": " + std::strerror(errno)));
  std::unique_ptr<AuditLog> log(new AuditLog(path, fd, head_fd, std::move(last_hash), size, lines, sync_each_line));
  std::lock_guard<std::mutex> lock(log->mutex_);
  if (Status s = log->write_head(); !s.is_ok()) return s;
  return log;
}

AuditLog::AuditLog(std::string path, int fd, int head_fd, std::string last_hash, std::uint64_t size,
                   std::uint64_t lines, bool sync)
    : path_(std::move(path)),
      fd_(fd),
      head_fd_(head_fd),
      sync_each_line_(sync),
      last_hash_(std::move(last_hash)),
      size_(size),
      lines_(lines) {}

AuditLog::~AuditLog() {
  ::close(head_fd_);
  ::close(fd_);
}

Status AuditLog::write_head() {
  const std::string record = head_record(lines_, last_hash_);
  const std::string head_path = audit_head_path(path_);
  if (::pwrite(head_fd_, record.data(), record.size(), 0) != static_cast<ssize_t>(record.size())) {
    return Status::io_error(head_path + ": write failed: " + std::strerror(errno));
  }
  if (sync_each_line_ && ::fdatasync(head_fd_) != 0) {
    return Status::io_error(head_path + ": fdatasync failed: " + std::strerror(errno));
  }
  return Status::ok();
}

std::string audit_head_path(const std::string& log_path) { return log_path + ".head"; }

std::uint64_t AuditLog::lines_written() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return written_;
}

Status AuditLog::append(const AuditEntry& entry) {
  ordered_json result = ordered_json::object();
  if (entry.error.empty()) {
    result["size"] = entry.result_size;
  } else {
    result["error"] = entry.error;
    result["message"] = entry.message;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  ordered_json j;
  j["time"] = store::utc_now_millis();  // under the lock: times rise down the file
  j["token"] = entry.token_id;
  j["call"] = entry.call;
  j["args"] = entry.args.is_object() ? entry.args : ordered_json{{"value", entry.args}};
  j["result"] = std::move(result);
  j["prev"] = last_hash_;
  // Arguments come from callers: bytes that are not UTF-8 are replaced
  // (U+FFFD) rather than make the line unwritable or unreadable.
  std::string line = j.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
  auto hash = sha256_hex(line);
  if (!hash.is_ok()) return hash.status();
  line.pop_back();  // the closing brace
  line += kHashKey;
  line += hash.value();
  line += "\"}\n";

  std::string_view rest = line;
  while (!rest.empty()) {
    const ssize_t n = ::write(fd_, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      // Cut a partial line back off, so that the file stays a valid chain.
      if (rest.size() != line.size() && ::ftruncate(fd_, static_cast<off_t>(size_)) != 0) {
        return Status::io_error(fmt::format("{}: write failed ({}) and a partial line is left",
                                            path_, std::strerror(err)));
      }
      return Status::io_error(path_ + ": write failed: " + std::strerror(err));
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  // The line is in the file: the chain goes on from it whatever fdatasync says.
  last_hash_ = std::move(hash).value();
  size_ += line.size();
  ++written_;
  ++lines_;
  // The line first, then the head: a crash between them leaves the log one
  // line ahead of its head, never a head that vouches for a missing line.
  if (sync_each_line_ && ::fdatasync(fd_) != 0) {
    return Status::io_error(path_ + ": fdatasync failed: " + std::strerror(errno));
  }
  return write_head();
}

Result<AuditVerification> verify_audit_log(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) {
      return Status::missing_input(path + ": no such audit log");
    }
    return Status::io_error(path + ": cannot open: " + std::strerror(errno));
  }
  const std::string head_path = audit_head_path(path);
  auto head = read_head(head_path);
  if (!head.is_ok()) return head.status();
  std::string expected_prev = kAuditChainStart, hash_at_head = kAuditChainStart;
  std::uint64_t line_number = 0;
  std::string line;
  while (std::getline(in, line)) {
    ++line_number;
    auto corrupt = [&](const std::string& why) {
      return Status::corrupt(fmt::format("{}:{}: {}", path, line_number, why));
    };
    // getline stops at end of file without a newline: the file ends inside
    // a line. Under the head's count, the tail was cut there; past it, a
    // write was cut short before its head followed (a crash).
    if (in.eof()) {
      if (head.value() && head.value()->lines >= line_number) {
        return corrupt(fmt::format("cut mid-line: {} cut from the end: {} records {} lines",
                                   line_range(line_number, head.value()->lines), head_path, head.value()->lines));
      }
      if (!head.value()) {
        return corrupt(fmt::format("the last line is incomplete (no newline), and {} is missing: the log was cut "
                                   "mid-line or a write was cut short",
                                   head_path));
      }
      return corrupt(fmt::format("the last line is incomplete (no newline): a write was cut short after line {}, "
                                 "the last its head seals (a crash, not a cut)",
                                 head.value()->lines));
    }
    if (line.empty()) return corrupt("empty line");
    std::string prev, hash;
    if (std::string why = check_line(line, prev, hash); !why.empty()) return corrupt(why);
    if (prev != expected_prev) {
      if (line_number == 1) {
        return corrupt("the first line does not start a chain (prev is not 64 zeros): "
                       "lines were removed from the start");
      }
      return corrupt(fmt::format(
          "prev does not match line {}'s hash: a line before this one was deleted or moved, "
          "or line {} was rewritten with a new hash",
          line_number - 1, line_number - 1));
    }
    if (head.value() && line_number == head.value()->lines) hash_at_head = hash;
    expected_prev = std::move(hash);
  }
  if (in.bad()) return Status::io_error(path + ": read failed");
  if (!head.value()) {
    if (line_number == 0) return AuditVerification{};
    return Status::corrupt(fmt::format(
        "{} is missing: the {} lines of {} chain, but whether lines were cut from its end cannot be told (a log "
        "written before heads were kept has none; otherwise the head was removed)",
        head_path, line_number, path));
  }
  const Head& h = *head.value();
  if (h.lines > line_number) {
    return Status::corrupt(fmt::format("{}: {} cut from the end: {} records {} lines", path,
                                       line_range(line_number + 1, h.lines), head_path, h.lines));
  }
  if (h.hash != hash_at_head) {
    return Status::corrupt(fmt::format(
        "{}:{}: not the line {} records: the log was rewritten from this line or before", path, h.lines, head_path));
  }
  return AuditVerification{line_number, h.lines};
}

}  // namespace sourcetrace::service
