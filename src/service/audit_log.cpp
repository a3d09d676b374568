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

#include "sourcetrace/service/sha256.hpp"

namespace sourcetrace::service {

const char* const kAuditChainStart = "0000000000000000000000000000000000000000000000000000000000000000";

namespace {

using nlohmann::ordered_json;

// The fixed tail of every line: ,"hash":"<64 hex>"}
constexpr std::string_view kHashKey = ",\"hash\":\"";
constexpr std::size_t kHashTail = kHashKey.size() + 64 + 2;

// The fields of a line, in the order written.
constexpr const char* kFields[] = {"time", "token", "call", "args", "result", "prev", "hash"};

std::string utc_now_millis() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03}Z", text, millis);
}

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

  std::string last_hash = kAuditChainStart;
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
  }
  return std::unique_ptr<AuditLog>(new AuditLog(path, fd, std::move(last_hash), size, sync_each_line));
}

AuditLog::AuditLog(std::string path, int fd, std::string last_hash, std::uint64_t size, bool sync)
    : path_(std::move(path)), fd_(fd), sync_each_line_(sync), last_hash_(std::move(last_hash)), size_(size) {}

AuditLog::~AuditLog() { ::close(fd_); }

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
  j["time"] = utc_now_millis();  // under the lock: times rise down the file
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
  if (sync_each_line_ && ::fdatasync(fd_) != 0) {
    return Status::io_error(path_ + ": fdatasync failed: " + std::strerror(errno));
  }
  return Status::ok();
}

Result<std::uint64_t> verify_audit_log(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 && errno == ENOENT) {
      return Status::missing_input(path + ": no such audit log");
    }
    return Status::io_error(path + ": cannot open: " + std::strerror(errno));
  }
  std::string expected_prev = kAuditChainStart;
  std::uint64_t line_number = 0;
  std::string line;
  while (std::getline(in, line)) {
    ++line_number;
    auto corrupt = [&](const std::string& why) {
      return Status::corrupt(fmt::format("{}:{}: {}", path, line_number, why));
    };
    // getline stops at end of file without a newline: a cut-short write.
    if (in.eof()) return corrupt("the last line is incomplete (no newline): a write was cut short");
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
    expected_prev = std::move(hash);
  }
  if (in.bad()) return Status::io_error(path + ": read failed");
  return line_number;
}

}  // namespace sourcetrace::service
