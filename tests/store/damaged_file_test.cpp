// Damaged stage files (docs/integrity.md): for each HDF5 file kind a run
// writes, bytes flipped at 64 positions spread over the file. Each flip
//   (a) is reported by the manifest check, naming the file, and by the
//       stage's public reader, which checks the manifest first;
//   (b) read directly (a copy outside the run folder, so no manifest
//       check), gives an error Status, or, where the flip lands in bytes
//       nothing reads, exactly the undamaged file's data: the record read
//       is written back and compared byte for byte with the undamaged
//       record written back. Never a different answer.
// The direct reads run in a child process, so that a libhdf5 crash on
// damaged metadata is counted (and must be kept out by the manifest
// check) instead of ending the test run; none was seen with libhdf5
// 1.10.8 (Debian 12), and a crash is reported as a warning with its
// offset.
#include <omp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <functional>

#include "../support/stage_read_back.hpp"
#include "../support/test_env.hpp"
#include "sourcetrace/store/run_file.hpp"
#include "sourcetrace/store/run_manifest.hpp"

using namespace sourcetrace;
using namespace sourcetrace::testing;

namespace {

// One small finished run for every test here (a second to make).
struct DamageFixture {
  TempDir tmp;
  std::string run = tmp / "run";
  DamageFixture() {
    REQUIRE(run_sourcetrace({"generate", tmp / "m", "--sellers", "800", "--seed", "5"}).exit_code == 0);
    CommandResult r = run_sourcetrace({"run", tmp / "m", "--out", run, "--threads", "1"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    // risk.h5 with a /risk/fit group too (score --fit), outside the run.
    r = run_sourcetrace({"score", run + "/graph.h5", run + "/communities.h5", "--out", tmp / "fit/risk.h5", "--fit"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
};

const DamageFixture& fixture() {
  static DamageFixture f;
  return f;
}

// What a direct read of a damaged file did.
enum class Outcome { kError, kSame, kDifferent, kCrashed };

// Runs the read in a child process: 'E' error, 'S' same bytes as
// `expected`, 'D' different; a signal or a hang is a crash.
Outcome read_in_child(const ReadBack& read_back, const std::string& file, const std::string& scratch,
                      const std::string& expected, std::string& message) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    ::alarm(30);  // a libhdf5 loop on damaged metadata counts as a crash
    auto got = read_back(file, scratch);
    std::string report = !got.is_ok() ? "E" + got.status().message() : got.value() == expected ? "S" : "D";
    (void)!::write(fds[1], report.data(), report.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string report;
  char buffer[4096];
  for (ssize_t got; (got = ::read(fds[0], buffer, sizeof buffer)) > 0;) report.append(buffer, static_cast<std::size_t>(got));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || report.empty()) {
    message = WIFSIGNALED(status) ? "signal " + std::to_string(WTERMSIG(status)) : "no report";
    return Outcome::kCrashed;
  }
  message = report.substr(1);
  return report[0] == 'E' ? Outcome::kError : report[0] == 'S' ? Outcome::kSame : Outcome::kDifferent;
}

// 64 positions: 16 over the first KiB (superblock, root object header),
// 48 spread over the whole file; each flips one bit or a whole byte.
std::vector<std::pair<std::size_t, unsigned char>> flips(std::size_t size) {
  std::vector<std::pair<std::size_t, unsigned char>> out;
  const std::size_t head = std::min<std::size_t>(size, 1024);
  for (std::size_t i = 0; i < 16; ++i) out.push_back({(2 * i + 1) * head / 32, static_cast<unsigned char>(1u << (i % 8))});
  for (std::size_t i = 0; i < 48; ++i) {
    out.push_back({(2 * i + 1) * size / 96, i % 2 == 0 ? static_cast<unsigned char>(0xff) : static_cast<unsigned char>(1u << (i % 8))});
  }
  return out;
}

void flip_byte(const std::string& path, std::size_t offset, unsigned char mask) {
  std::string bytes = read_file(path);
  bytes[offset] = static_cast<char>(static_cast<unsigned char>(bytes[offset]) ^ mask);
  write_file(path, bytes);
}

struct Tally {
  int positions = 0, manifest = 0, public_reader = 0, reader_error = 0, harmless = 0, crashed = 0;
};

// Flips bytes of `dir/name` (a finished run's file when `in_run`) and
// checks (a) and (b) for each.
Tally damage(const std::string& dir, const std::string& name, bool in_run, const ReadBack& read_back) {
  ::omp_set_num_threads(1);  // no OpenMP thread pool in a process that forks
  TempDir scratch;
  const std::string original = dir + "/" + name;
  const std::string pristine = read_file(original);
  REQUIRE(pristine.size() > 1024);
  // The undamaged answer, written back, from a copy outside the run.
  const std::string copy = scratch / name;
  write_file(copy, pristine);
  auto baseline = read_back(copy, scratch / "baseline.h5");
  INFO(name << ": " << baseline.status().message());
  REQUIRE(baseline.is_ok());
  REQUIRE(read_back(copy, scratch / "again.h5").value() == baseline.value());

  Tally tally;
  for (const auto& [offset, mask] : flips(pristine.size())) {
    ++tally.positions;
    INFO(name << " byte " << offset << " ^ " << int(mask));
    if (in_run) {
      // (a) The manifest check names the file; so does the public reader.
      flip_byte(original, offset, mask);
      const Status checked = store::verify_run_files(dir, {name});
      CHECK(checked.code() == Status::Code::kCorrupt);
      CHECK(checked.message().find(original) != std::string::npos);
      CHECK(checked.message().find("changed or damaged") != std::string::npos);
      tally.manifest += checked.code() == Status::Code::kCorrupt;
      auto through_reader = read_back(original, scratch / "public.h5");
      CHECK(through_reader.status().code() == Status::Code::kCorrupt);
      CHECK(through_reader.status().message().find(original) != std::string::npos);
      tally.public_reader += through_reader.status().code() == Status::Code::kCorrupt;
      write_file(original, pristine);
    }
    // (b) Directly: an error or the same answer.
    write_file(copy, pristine);
    flip_byte(copy, offset, mask);
    std::string message;
    const Outcome outcome = read_in_child(read_back, copy, scratch / "damaged.h5", baseline.value(), message);
    INFO(message);
    CHECK(outcome != Outcome::kDifferent);
    switch (outcome) {
      case Outcome::kError:
        ++tally.reader_error;
        // The error names the file.
        CHECK(message.find(copy) != std::string::npos);
        break;
      case Outcome::kSame: ++tally.harmless; break;
      case Outcome::kCrashed:
        ++tally.crashed;
        WARN("libhdf5 crashed reading " << name << " damaged at byte " << offset << " (" << message
                                        << "); the manifest check keeps such a file out");
        break;
      case Outcome::kDifferent: break;
    }
  }
  CHECK(read_file(original) == pristine);
  WARN(name << ": " << tally.positions << " flips; manifest check " << tally.manifest << ", public reader "
            << tally.public_reader << "; direct read: error " << tally.reader_error << ", same data "
            << tally.harmless << ", crashed " << tally.crashed);
  return tally;
}

}  // namespace

TEST_CASE("store: byte flips in graph.h5 are reported, never read as other data", "[store][fast]") {
  const Tally t = damage(fixture().run, "graph.h5", true, graph_read_back);
  CHECK(t.manifest == t.positions);
  CHECK(t.reader_error + t.harmless + t.crashed == t.positions);
}

TEST_CASE("store: byte flips in communities.h5 are reported, never read as other data", "[store][fast]") {
  const Tally t = damage(fixture().run, "communities.h5", true, communities_read_back);
  CHECK(t.manifest == t.positions);
  CHECK(t.reader_error + t.harmless + t.crashed == t.positions);
}

TEST_CASE("store: byte flips in risk.h5 are reported, never read as other data", "[store][fast]") {
  const Tally t = damage(fixture().run, "risk.h5", true, risk_read_back);
  CHECK(t.manifest == t.positions);
  CHECK(t.reader_error + t.harmless + t.crashed == t.positions);
  // With the learned weights' /risk/fit group (no manifest: direct reads only).
  const Tally fit = damage(fixture().tmp / "fit", "risk.h5", false, risk_read_back);
  CHECK(fit.reader_error + fit.harmless + fit.crashed == fit.positions);
}

TEST_CASE("store: byte flips in lineage.h5 are reported, never read as other data", "[store][fast]") {
  const Tally t = damage(fixture().run, "lineage.h5", true, lineage_read_back);
  CHECK(t.manifest == t.positions);
  CHECK(t.reader_error + t.harmless + t.crashed == t.positions);
}

TEST_CASE("store: byte flips in targets.h5 are reported, never read as other data", "[store][fast]") {
  const Tally t = damage(fixture().run, "targets.h5", true, targets_read_back);
  CHECK(t.manifest == t.positions);
  CHECK(t.reader_error + t.harmless + t.crashed == t.positions);
}

TEST_CASE("store: a finished run's file that changed size or is gone is named", "[store][fast]") {
  TempDir tmp;
  const DamageFixture& f = fixture();
  fs::copy(f.run, tmp / "run");
  const std::string graph = tmp / "run/graph.h5";
  CHECK(store::verify_run_files(tmp / "run", {"graph.h5", "risk.h5"}).is_ok());
  // Cut short: the size differs, no digest needed.
  fs::resize_file(graph, fs::file_size(graph) - 1);
  Status s = store::verify_run_files(tmp / "run", {"graph.h5"});
  CHECK(s.code() == Status::Code::kCorrupt);
  CHECK(s.message().find(graph) != std::string::npos);
  CHECK(s.message().find("bytes") != std::string::npos);
  CHECK(store::read_graph_provenance(graph).status().code() == Status::Code::kCorrupt);
  // Gone.
  fs::remove(graph);
  CHECK(store::verify_run_files(tmp / "run", {"graph.h5"}).code() == Status::Code::kMissingInput);
  // Not listed.
  CHECK(store::verify_run_files(tmp / "run", {"other.h5"}).code() == Status::Code::kCorrupt);
  // A file the manifest does not list is not checked against it.
  fs::copy(tmp / "run/risk.h5", tmp / "run/other.h5");
  CHECK(store::check_against_manifest(tmp / "run/other.h5").is_ok());
  // Without a manifest (a run still being made) nothing is checked.
  fs::remove(tmp / "run/manifest.json");
  CHECK(store::check_against_manifest(tmp / "run/risk.h5").is_ok());
  CHECK(store::verify_run_files(tmp / "run", {"risk.h5"}).code() == Status::Code::kNotFound);
}

TEST_CASE("store: a stage written into a finished run retires its manifest", "[store][fast]") {
  TempDir tmp;
  fs::copy(fixture().run, tmp / "run");
  auto record = targets::read_targets_file(tmp / "run/targets.h5");
  REQUIRE(record.is_ok());
  // A file the manifest does not list leaves the run finished.
  REQUIRE(store::write_run_file(tmp / "run/extra.h5", [&](store::H5File& f) {
            return targets::write_targets(f, record.value());
          }).is_ok());
  CHECK(fs::exists(tmp / "run/manifest.json"));
  // A new targets.h5 is no longer the file the manifest describes.
  REQUIRE(store::write_run_file(tmp / "run/targets.h5", [&](store::H5File& f) {
            return targets::write_targets(f, record.value());
          }).is_ok());
  CHECK(!fs::exists(tmp / "run/manifest.json"));
  CHECK(targets::read_targets_file(tmp / "run/targets.h5").is_ok());
}
