// FeedbackJournal: append-only JSON lines, locked, synced before answered.
#include "sourcetrace/store/feedback_journal.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_set>

#include "sourcetrace/store/run_file.hpp"
#include "sourcetrace/tables/digest.hpp"

namespace sourcetrace::store {

namespace {

using nlohmann::ordered_json;

std::string line_of(const FeedbackEntry& e) {
  ordered_json j;
  j["seq"] = e.sequence;
  j["time"] = e.time;
  j["reporter"] = e.reporter;
  if (e.type == FeedbackEntry::Type::kReport) {
    j["type"] = "report";
    j["report"] = e.report;
    j["kind"] = e.kind;
    j["id"] = e.id;
    j["signal"] = e.signal;
    j["brand"] = e.brand;
    j["reported_on"] = e.reported_on;
  } else {
    j["type"] = "verdict";
    j["network"] = e.network;
    j["outcome"] = e.outcome;
    j["note"] = e.note;
    j["run"] = e.run;
    j["members"] = e.members;
  }
  return j.dump() + '\n';
}

// One complete line back into an entry, or why not.
Result<FeedbackEntry> parse_line(std::string_view line, std::uint64_t expected_sequence) {
  const ordered_json j = ordered_json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::corrupt("not a JSON object");
  FeedbackEntry e;
  auto text = [&](const char* key, std::string& out) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return false;
    out = it->get<std::string>();
    return true;
  };
  auto seq = j.find("seq");
  if (seq == j.end() || !seq->is_number_unsigned()) return Status::corrupt("no sequence number");
  e.sequence = seq->get<std::uint64_t>();
  if (e.sequence != expected_sequence) {
    return Status::corrupt(fmt::format("sequence {} where {} was due (a line is missing or repeated)", e.sequence,
                                       expected_sequence));
  }
  std::string type;
  if (!text("time", e.time) || !text("reporter", e.reporter) || !text("type", type)) {
    return Status::corrupt("time, reporter or type missing");
  }
  if (type == "report") {
    e.type = FeedbackEntry::Type::kReport;
    if (!text("report", e.report) || !text("kind", e.kind) || !text("id", e.id) || !text("signal", e.signal) ||
        !text("brand", e.brand) || !text("reported_on", e.reported_on)) {
      return Status::corrupt("a report without all of report, kind, id, signal, brand, reported_on");
    }
  } else if (type == "verdict") {
    e.type = FeedbackEntry::Type::kVerdict;
    if (!text("network", e.network) || !text("outcome", e.outcome) || !text("note", e.note) ||
        !text("run", e.run)) {
      return Status::corrupt("a verdict without all of network, outcome, note, run");
    }
    auto members = j.find("members");
    if (members == j.end() || !members->is_array()) return Status::corrupt("a verdict without its members");
    for (const auto& m : *members) {
      if (!m.is_string()) return Status::corrupt("a member that is not a string");
      e.members.push_back(m.get<std::string>());
    }
  } else {
    return Status::corrupt("unknown type '" + type + "'");
  }
  return e;
}

// Every complete line of `bytes` (a line end after it), parsed; `complete`
// gets how many bytes they take.
Result<std::vector<FeedbackEntry>> parse_lines(const std::string& path, std::string_view bytes,
                                               std::uint64_t& complete) {
  std::vector<FeedbackEntry> entries;
  std::size_t begin = 0;
  for (;;) {
    const std::size_t end = bytes.find('\n', begin);
    if (end == std::string_view::npos) break;
    auto e = parse_line(bytes.substr(begin, end - begin), entries.size() + 1);
    if (!e.is_ok()) return Status::corrupt(fmt::format("{}:{}: {}", path, entries.size() + 1, e.status().message()));
    entries.push_back(std::move(e).value());
    begin = end + 1;
  }
  complete = begin;
  return entries;
}

Result<std::string> read_whole(int fd, const std::string& path) {
  std::string bytes;
  char buffer[1 << 16];
  off_t at = 0;
  for (;;) {
    const ssize_t n = ::pread(fd, buffer, sizeof buffer, at);
    if (n < 0) return Status::io_error(path + ": read failed: " + std::strerror(errno));
    if (n == 0) break;
    bytes.append(buffer, static_cast<std::size_t>(n));
    at += n;
  }
  return bytes;
}

}  // namespace

std::string report_key(std::string_view reporter, std::string_view report) {
  std::string key(reporter);
  key += '\n';  // neither may hold a line end (token ids and report ids are plain)
  key += report;
  return key;
}

FeedbackJournal::FeedbackJournal(std::string path, int fd, std::uint64_t size)
    : path_(std::move(path)), fd_(fd), size_(size) {}

FeedbackJournal::~FeedbackJournal() { ::close(fd_); }

Result<std::unique_ptr<FeedbackJournal>> FeedbackJournal::open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status::cannot_create(path + ": cannot open the feedback journal: " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return Status::io_error(path + ": another process holds the feedback journal (one server per RUNS folder)");
  }
  auto bytes = read_whole(fd, path);
  if (!bytes.is_ok()) {
    ::close(fd);
    return bytes.status();
  }
  std::uint64_t complete = 0;
  auto entries = parse_lines(path, bytes.value(), complete);
  if (!entries.is_ok()) {
    ::close(fd);
    return entries.status();
  }
  // A torn last line was never acknowledged: cut it off, durably.
  if (complete < bytes.value().size() && (::ftruncate(fd, static_cast<off_t>(complete)) != 0 || ::fsync(fd) != 0)) {
    ::close(fd);
    return Status::io_error(path + ": cannot cut off a half-written last line: " + std::strerror(errno));
  }
  std::unique_ptr<FeedbackJournal> journal(new FeedbackJournal(path, fd, complete));
  journal->lines_ = entries.value().size();
  for (FeedbackEntry& e : entries.value()) {
    if (e.type == FeedbackEntry::Type::kReport) journal->reports_.emplace(report_key(e.reporter, e.report), std::move(e));
  }
  return journal;
}

std::optional<FeedbackEntry> FeedbackJournal::find_report(const std::string& reporter,
                                                          const std::string& report) const {
  std::lock_guard lock(mutex_);
  auto it = reports_.find(report_key(reporter, report));
  if (it == reports_.end()) return std::nullopt;
  return it->second;
}

std::uint64_t FeedbackJournal::entries() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

Status FeedbackJournal::append(std::vector<FeedbackEntry>& entries, std::vector<bool>* resent) {
  std::lock_guard lock(mutex_);
  if (!failed_.is_ok()) return failed_;
  if (resent != nullptr) resent->assign(entries.size(), false);
  const std::string now = utc_now_millis();
  std::string text;
  std::vector<std::size_t> appended;
  std::unordered_set<std::string> in_batch;
  std::uint64_t next = lines_ + 1;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    FeedbackEntry& e = entries[i];
    if (e.type == FeedbackEntry::Type::kReport) {
      const std::string key = report_key(e.reporter, e.report);
      const auto it = reports_.find(key);
      const bool twice = it == reports_.end() && !in_batch.insert(key).second;  // filled in below, once appended
      if (it != reports_.end() || twice) {
        if (it != reports_.end()) e = it->second;
        if (resent != nullptr) (*resent)[i] = true;
        continue;
      }
    }
    e.sequence = next++;
    e.time = now;
    text += line_of(e);
    appended.push_back(i);
  }
  if (text.empty()) return Status::ok();
  const ssize_t n = ::write(fd_, text.data(), text.size());
  if (n != static_cast<ssize_t>(text.size())) {
    const std::string why = n < 0 ? std::strerror(errno) : "short write";
    if (n > 0 && ::ftruncate(fd_, static_cast<off_t>(size_)) != 0) {
      return Status::io_error(path_ + ": write failed (" + why + ") and the partial lines could not be cut back");
    }
    return Status::io_error(path_ + ": write failed: " + why);
  }
  if (::fdatasync(fd_) != 0) {
    // The lines may or may not be on disk: nothing is acknowledged, and the
    // journal cannot say which; stop taking writes rather than guess.
    failed_ = Status::io_error(path_ + ": fdatasync failed (" + std::strerror(errno) +
                               "); no more writes until the server restarts");
    return failed_;
  }
  size_ += text.size();
  lines_ = next - 1;
  for (std::size_t i : appended) {
    if (entries[i].type == FeedbackEntry::Type::kReport) {
      reports_.emplace(report_key(entries[i].reporter, entries[i].report), entries[i]);
    }
  }
  // A key twice in the batch: the later copies answer as the first.
  for (FeedbackEntry& e : entries) {
    if (e.type == FeedbackEntry::Type::kReport && e.sequence == 0) e = reports_.at(report_key(e.reporter, e.report));
  }
  return Status::ok();
}

Result<FeedbackSnapshot> read_feedback_journal(const std::string& path) {
  FeedbackSnapshot snapshot;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return snapshot;
    return Status::io_error(path + ": cannot read the feedback journal: " + std::strerror(errno));
  }
  auto bytes = read_whole(fd, path);
  ::close(fd);
  if (!bytes.is_ok()) return bytes.status();
  auto entries = parse_lines(path, bytes.value(), snapshot.bytes);
  if (!entries.is_ok()) return entries.status();
  snapshot.entries = std::move(entries).value();
  if (snapshot.bytes > 0) {
    snapshot.digest = tables::digest_of(std::string_view(bytes.value()).substr(0, snapshot.bytes)).hex();
  }
  return snapshot;
}

}  // namespace sourcetrace::store
