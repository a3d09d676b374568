// Feeds damaged HDF5 stage files to the store readers (docs/integrity.md):
// graph.h5, communities.h5, risk.h5 (with and without /risk/fit),
// lineage.h5 and targets.h5 of a real run, made at start-up by this
// build's `sourcetrace` binary, then damaged as the fuzzer's bytes say and read directly, with
// no manifest check, so that only HDF5's checksums and the readers' own
// checks stand between the damage and an answer. Every read must give an
// error Status or the undamaged file's answer exactly (what it read,
// written back, is the same bytes: tests/support/stage_read_back.hpp),
// never another answer and never a crash.
//
// Input: byte 0 picks the file (its value mod 6); bit 0x80 of it also cuts
// the file short at the first offset. Then up to 64 mutations of 4 bytes
// each: a 24-bit little-endian offset (mod the file's size) and a byte
// XORed into the file there. Small inputs reach every part of the file.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "../support/stage_read_back.hpp"
#include "../support/test_env.hpp"

using namespace sourcetrace;

namespace {

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "h5_reader_fuzz: %s\n", what.c_str());
  std::exit(1);
}

struct StageFile {
  std::string name;
  testing::ReadBack read_back;
  std::string pristine;  // the file's bytes
  std::string answer;    // what the reader read from them, written back
};

// The run and the undamaged answers, made once per process.
struct Seeds {
  testing::TempDir dir;
  std::vector<StageFile> files;

  Seeds() {
    const std::string run = dir / "run";
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"generate", dir / "market", "--sellers", "300", "--seed", "4"},
          std::vector<std::string>{"run", dir / "market", "--out", run, "--threads", "1"},
          std::vector<std::string>{"score", run + "/graph.h5", run + "/communities.h5", "--out", dir / "fit.h5", "--fit"}}) {
      testing::CommandResult r = testing::run_sourcetrace(args);
      if (r.exit_code != 0) die("sourcetrace " + args[0] + " failed: " + r.err);
    }
    files = {{run + "/graph.h5", testing::graph_read_back, {}, {}},
             {run + "/communities.h5", testing::communities_read_back, {}, {}},
             {run + "/risk.h5", testing::risk_read_back, {}, {}},
             {dir / "fit.h5", testing::risk_read_back, {}, {}},
             {run + "/lineage.h5", testing::lineage_read_back, {}, {}},
             {run + "/targets.h5", testing::targets_read_back, {}, {}}};
    for (StageFile& f : files) {
      f.pristine = testing::read_file(f.name);
      // Read from a copy outside the run: no manifest check.
      const std::string copy = dir / "damaged.h5";
      testing::write_file(copy, f.pristine);
      auto answer = f.read_back(copy, dir / "answer.h5");
      if (!answer.is_ok()) die(f.name + ": " + answer.status().message());
      f.answer = std::move(answer).value();
    }
  }
};

Seeds* seeds = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  static Seeds s;
  seeds = &s;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const StageFile& file = seeds->files[data[0] % seeds->files.size()];
  std::string bytes = file.pristine;
  const bool cut = (data[0] & 0x80) != 0;
  std::size_t mutations = 0;
  for (std::size_t i = 1; i + 4 <= size && mutations < 64; i += 4, ++mutations) {
    const std::size_t offset = (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16)) % bytes.size();
    if (cut && mutations == 0) bytes.resize(std::max<std::size_t>(offset, 1));
    if (offset < bytes.size()) bytes[offset] = static_cast<char>(bytes[offset] ^ data[i + 3]);
  }
  const std::string damaged = seeds->dir / "damaged.h5";
  testing::write_file(damaged, bytes);
  auto got = file.read_back(damaged, seeds->dir / "read.h5");
  if (!got.is_ok()) {
    // A damaged file is named in the error.
    if (got.status().message().find(damaged) == std::string::npos) {
      std::fprintf(stderr, "h5_reader_fuzz: the error does not name the file: %s\n", got.status().message().c_str());
      std::abort();
    }
    return 0;
  }
  if (got.value() != file.answer) {
    std::fprintf(stderr, "h5_reader_fuzz: %s damaged read without an error as another answer\n", file.name.c_str());
    std::abort();
  }
  return 0;
}
