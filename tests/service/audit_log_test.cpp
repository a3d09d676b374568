// The audit log: a valid chain under concurrent appends, carried on across
// reopening, and verify naming the line an edit or a deletion broke.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../support/test_env.hpp"
#include "sourcetrace/service/audit_log.hpp"
#include "sourcetrace/service/sha256.hpp"

using namespace sourcetrace;
using namespace sourcetrace::testing;
using service::AuditEntry;
using service::AuditLog;

namespace {

AuditEntry entry(const std::string& token, const std::string& network, std::int64_t size) {
  AuditEntry e;
  e.token_id = token;
  e.call = "network";
  e.args = {{"network", network}};
  e.result_size = size;
  return e;
}

// Writes `n` lines (every third one a refusal) to a fresh log.
void write_log(const std::string& path, int n) {
  auto log = AuditLog::open(path);
  REQUIRE(log.is_ok());
  for (int i = 0; i < n; ++i) {
    AuditEntry e = entry(i % 3 == 2 ? "-" : "alice", "N" + std::to_string(i), 1);
    if (i % 3 == 2) {
      e.error = "Forbidden";
      e.message = "unknown token";
    }
    REQUIRE(log.value()->append(e).is_ok());
  }
}

std::vector<std::string> lines_of(const std::string& path) {
  std::istringstream in(read_file(path));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

void write_lines(const std::string& path, const std::vector<std::string>& lines) {
  std::string bytes;
  for (const std::string& l : lines) bytes += l + "\n";
  write_file(path, bytes);
}

}  // namespace

TEST_CASE("service: audit lines carry the call, the result and the chain", "[service]") {
  TempDir tmp;
  const std::string path = tmp / "audit.jsonl";
  write_log(path, 3);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  const auto lines = lines_of(path);
  REQUIRE(lines.size() == 3);
  const auto first = nlohmann::json::parse(lines[0]);
  CHECK(first["token"] == "alice");
  CHECK(first["call"] == "network");
  CHECK(first["args"]["network"] == "N0");
  CHECK(first["result"]["size"] == 1);
  CHECK(first["prev"] == service::kAuditChainStart);
  const auto third = nlohmann::json::parse(lines[2]);
  CHECK(third["token"] == "-");
  CHECK(third["result"]["error"] == "Forbidden");
  CHECK(third["prev"] == nlohmann::json::parse(lines[1])["hash"]);
  CHECK(service::verify_audit_log(path).value().lines == 3);
}

TEST_CASE("service: appends from 8 threads give one valid chain", "[service]") {
  TempDir tmp;
  const std::string path = tmp / "audit.jsonl";
  constexpr int kThreads = 8, kEach = 250;
  {
    auto log = AuditLog::open(path);
    REQUIRE(log.is_ok());
    std::vector<std::thread> threads;
    std::vector<int> failures(kThreads, 0);
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i) {
          // Arguments with bytes that are not UTF-8 still make a valid line.
          AuditEntry e = entry("t" + std::to_string(t), "N\xff" + std::to_string(i), i);
          if (!log.value()->append(e).is_ok()) ++failures[t];
        }
      });
    }
    for (auto& th : threads) th.join();
    CHECK(failures == std::vector<int>(kThreads, 0));
    CHECK(log.value()->lines_written() == kThreads * kEach);
  }
  auto verified = service::verify_audit_log(path);
  INFO(verified.status().message());
  REQUIRE(verified.is_ok());
  CHECK(verified.value().lines == kThreads * kEach);
}

TEST_CASE("service: audit verify names an edited line", "[service]") {
  TempDir tmp;
  const std::string path = tmp / "audit.jsonl";
  write_log(path, 5);
  auto lines = lines_of(path);
  lines[2].replace(lines[2].find("\"N2\""), 4, "\"N9\"");
  write_lines(path, lines);
  auto verified = service::verify_audit_log(path);
  REQUIRE_FALSE(verified.is_ok());
  CHECK(verified.status().code() == Status::Code::kCorrupt);
  CHECK_THAT(verified.status().message(),
             Catch::StartsWith(path + ":3: ") && Catch::Contains("edited"));

  // An editor who recomputes that line's hash breaks the next line's prev.
  lines = lines_of(path);
  auto j = nlohmann::ordered_json::parse(lines[2]);
  j.erase("hash");
  std::string content = j.dump();
  content.pop_back();
  lines[2] = content + ",\"hash\":\"" + service::sha256_hex(j.dump()).value() + "\"}";
  write_lines(path, lines);
  verified = service::verify_audit_log(path);
  REQUIRE_FALSE(verified.is_ok());
  CHECK_THAT(verified.status().message(), Catch::StartsWith(path + ":4: prev does not match line 3"));
}

TEST_CASE("service: audit verify names a deleted line", "[service]") {
  TempDir tmp;
  const std::string path = tmp / "audit.jsonl";
  write_log(path, 5);
  auto lines = lines_of(path);
  lines.erase(lines.begin() + 1);  // line 2 of 5
  write_lines(path, lines);
  auto verified = service::verify_audit_log(path);
  REQUIRE_FALSE(verified.is_ok());
  CHECK_THAT(verified.status().message(),
             Catch::StartsWith(path + ":2: prev does not match line 1") && Catch::Contains("deleted"));

  write_log(path + ".b", 3);
  lines = lines_of(path + ".b");
  lines.erase(lines.begin());  // the first line
  write_lines(path + ".b", lines);
  CHECK_THAT(service::verify_audit_log(path + ".b").status().message(),
             Catch::StartsWith(path + ".b:1: the first line does not start a chain"));
}

TEST_CASE("service: reopening an audit log continues its chain", "[service]") {
  TempDir tmp;
  const std::string path = tmp / "audit.jsonl";
  write_log(path, 2);
  {
    auto log = AuditLog::open(path);
    REQUIRE(log.is_ok());
    // One writer per log: a second open while the first holds it is refused.
    auto second = AuditLog::open(path);
    REQUIRE_FALSE(second.is_ok());
    CHECK_THAT(second.status().message(), Catch::Contains("another process"));
    REQUIRE(log.value()->append(entry("alice", "N7", 1)).is_ok());
  }
  write_log(path, 2);
  CHECK(lines_of(path).size() == 5);
  CHECK(service::verify_audit_log(path).value().lines == 5);
}

TEST_CASE("service: an audit log with a damaged last line is refused on open", "[service]") {
  TempDir tmp;
  const std::string path = tmp / "audit.jsonl";
  write_log(path, 3);
  const std::string intact = read_file(path);

  write_file(path, intact + "{\"time\":\"2024");  // a write cut short
  auto log = AuditLog::open(path);
  REQUIRE_FALSE(log.is_ok());
  CHECK(log.status().code() == Status::Code::kCorrupt);
  CHECK_THAT(log.status().message(), Catch::StartsWith(path + ":4: the last line is incomplete"));
  // Past the 3 lines the head seals: a crash mid-write, not a cut.
  CHECK_THAT(service::verify_audit_log(path).status().message(),
             Catch::StartsWith(path + ":4: the last line is incomplete") &&
                 Catch::Contains("after line 3, the last its head seals"));

  auto lines = lines_of(path);
  lines.pop_back();
  lines.back().replace(lines.back().find("\"N2\""), 4, "\"N5\"");
  write_lines(path, lines);
  log = AuditLog::open(path);
  REQUIRE_FALSE(log.is_ok());
  CHECK_THAT(log.status().message(), Catch::StartsWith(path + ":3: ") && Catch::Contains("edited"));

  write_file(path, intact);
  CHECK(AuditLog::open(path).is_ok());
}

TEST_CASE("service: sourcetrace audit verify exit codes", "[service][cli]") {
  TempDir tmp;
  const std::string path = tmp / "audit.jsonl";
  write_log(path, 4);
  CommandResult ok = run_sourcetrace({"audit", "verify", path});
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.out, Catch::Contains("4 lines, chain intact"));

  auto lines = lines_of(path);
  lines.erase(lines.begin() + 2);
  write_lines(path, lines);
  CommandResult broken = run_sourcetrace({"audit", "verify", path});
  CHECK(broken.exit_code == 65);
  CHECK_THAT(broken.err, Catch::Contains(path + ":3: "));

  CHECK(run_sourcetrace({"audit", "verify", tmp / "missing.jsonl"}).exit_code == 66);
  write_file(tmp / "empty.jsonl", "");
  CHECK_THAT(run_sourcetrace({"audit", "verify", tmp / "empty.jsonl"}).out,
             Catch::Contains("0 lines, chain intact"));
}

TEST_CASE("service: lines cut from the end of an audit log fail verify, naming them", "[service]") {
  TempDir tmp;
  const std::string path = tmp / "audit.jsonl";
  write_log(path, 7);
  const auto lines = lines_of(path);
  auto verified = service::verify_audit_log(path);
  REQUIRE(verified.is_ok());
  CHECK(verified.value().lines == 7);
  CHECK(verified.value().sealed == 7);

  // One line, then three: the rest is still a valid chain; the head is not.
  for (int cut : {1, 3}) {
    write_lines(path, std::vector<std::string>(lines.begin(), lines.end() - cut));
    auto v = service::verify_audit_log(path);
    REQUIRE_FALSE(v.is_ok());
    CHECK(v.status().code() == Status::Code::kCorrupt);
    const std::string what = cut == 1 ? "line 7 was" : "lines " + std::to_string(8 - cut) + "–7 were";
    CHECK_THAT(v.status().message(),
               Catch::StartsWith(path + ": " + what + " cut from the end: " + path + ".head records 7 lines"));
    // And the server will not chain onto it.
    auto reopened = AuditLog::open(path);
    REQUIRE_FALSE(reopened.is_ok());
    CHECK_THAT(reopened.status().message(), Catch::Contains("cut from the end"));
  }
  // Everything cut.
  write_file(path, "");
  CHECK_THAT(service::verify_audit_log(path).status().message(), Catch::Contains("lines 1–7 were cut"));
  CHECK_FALSE(AuditLog::open(path).is_ok());

  CommandResult r = run_sourcetrace({"audit", "verify", path});
  CHECK(r.exit_code == 65);
  CHECK_THAT(r.err, Catch::Contains("were cut from the end"));
}

TEST_CASE("service: an audit log cut mid-line fails verify, naming the lines cut", "[service]") {
  TempDir tmp;
  const std::string path = tmp / "audit.jsonl";
  write_log(path, 7);
  const std::string whole = read_file(path);
  const auto lines = lines_of(path);
  // Inside line 7, then inside line 5: the head records 7 lines.
  std::size_t end_of_6 = 0;
  for (int i = 0; i < 6; ++i) end_of_6 += lines[i].size() + 1;
  std::size_t end_of_4 = end_of_6 - lines[5].size() - 1 - lines[4].size() - 1;
  for (const auto& [cut_at, what] : {std::pair{end_of_6 + 20, std::string(":7: cut mid-line: line 7 was")},
                                     std::pair{end_of_4 + 1, std::string(":5: cut mid-line: lines 5–7 were")}}) {
    write_file(path, whole.substr(0, cut_at));
    auto v = service::verify_audit_log(path);
    REQUIRE_FALSE(v.is_ok());
    CHECK(v.status().code() == Status::Code::kCorrupt);
    CHECK_THAT(v.status().message(),
               Catch::StartsWith(path + what + " cut from the end: " + path + ".head records 7 lines"));
    CHECK_FALSE(AuditLog::open(path).is_ok());
    CommandResult r = run_sourcetrace({"audit", "verify", path});
    CHECK(r.exit_code == 65);
    CHECK_THAT(r.err, Catch::Contains("cut mid-line"));
  }
  // Cut exactly at a line's end is a plain cut tail.
  write_file(path, whole.substr(0, end_of_6));
  CHECK_THAT(service::verify_audit_log(path).status().message(),
             Catch::StartsWith(path + ": line 7 was cut from the end"));
  write_file(path, whole);
  CHECK(service::verify_audit_log(path).is_ok());
}

TEST_CASE("service: a crash between a line and its head leaves one line unsealed, not tampering", "[service]") {
  TempDir tmp;
  const std::string path = tmp / "audit.jsonl";
  write_log(path, 3);
  const std::string head_before = read_file(service::audit_head_path(path));
  write_log(path, 1);                                       // a fourth line...
  write_file(service::audit_head_path(path), head_before);  // ...whose head write never happened
  auto v = service::verify_audit_log(path);
  REQUIRE(v.is_ok());
  CHECK(v.value().lines == 4);
  CHECK(v.value().sealed == 3);
  CHECK_THAT(run_sourcetrace({"audit", "verify", path}).out, Catch::Contains("sealed by its head up to line 3"));
  // Opening catches the head up.
  REQUIRE(AuditLog::open(path).is_ok());
  CHECK(service::verify_audit_log(path).value().sealed == 4);

  // A head that vouches for a line that is not the last: rewritten.
  auto lines = lines_of(path);
  write_log(tmp / "other.jsonl", 4);
  write_file(service::audit_head_path(path), read_file(service::audit_head_path(tmp / "other.jsonl")));
  CHECK_THAT(service::verify_audit_log(path).status().message(),
             Catch::StartsWith(path + ":4: not the line") && Catch::Contains("rewritten"));
}

TEST_CASE("service: an audit log whose head is missing is refused, and verify says why", "[service]") {
  TempDir tmp;
  const std::string path = tmp / "audit.jsonl";
  write_log(path, 2);
  std::filesystem::remove(service::audit_head_path(path));
  auto v = service::verify_audit_log(path);
  REQUIRE_FALSE(v.is_ok());
  CHECK_THAT(v.status().message(), Catch::Contains(".head is missing") && Catch::Contains("cut from its end"));
  CommandResult r = run_sourcetrace({"audit", "verify", path});
  CHECK(r.exit_code == 65);
  CHECK_THAT(r.err, Catch::Contains(".head is missing") && Catch::Contains("before heads were kept"));
  // Cut mid-line without a head: which of a cut or a crash cannot be told.
  const std::string whole = read_file(path);
  write_file(path, whole.substr(0, whole.size() - 10));
  CHECK_THAT(service::verify_audit_log(path).status().message(),
             Catch::StartsWith(path + ":2: the last line is incomplete") && Catch::Contains(".head is missing"));
  write_file(path, whole);
  auto opened = AuditLog::open(path);
  REQUIRE_FALSE(opened.is_ok());
  CHECK_THAT(opened.status().message(), Catch::Contains(".head is missing") && Catch::Contains("move it aside"));
  // A damaged head is named as such.
  write_file(service::audit_head_path(path), "{\"lines\":12}\n");
  CHECK_THAT(service::verify_audit_log(path).status().message(), Catch::Contains("not an audit head"));
}
