// Feeds the fuzzer's bytes, as one request frame's body, to
// FrameProcessor::process: exactly what `sourcetrace serve` does with each
// frame a client sends, so the Thrift parsing, the handler's argument
// checks, authentication, the queries over a real run and the audit log
// all see hostile bytes. Anyone who can reach the port can send any bytes;
// the answer must be a reply frame (a result or a typed exception) or
// nullopt (the connection is closed), never a crash, and no reply may
// grow past a small multiple of the limits.
//
// The service it fuzzes is real: at start-up the `sourcetrace` binary of
// this build generates a small market and runs the batch job on it, and
// the harness serves that run with two tokens of fixed secrets (so that
// seeds can authenticate; tests/fuzz/make_corpus.py writes them):
//   st_111...1 (64 ones)  investigator "fuzz-investigator"
//   st_222...2 (64 twos)  brand "fuzz-brand", brand B001
#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "../support/test_env.hpp"
#include "sourcetrace/service/frame_processor.hpp"
#include "sourcetrace/service/investigator_handler.hpp"

using namespace sourcetrace;
using namespace sourcetrace::service;

namespace {

constexpr int kMaxFrameBytes = 1 << 20;  // serve's default --max-frame
// Every call appends a line to the audit log: start a fresh log now and
// then, so that hours of fuzzing do not fill the disk.
constexpr int kCallsPerAuditLog = 1 << 16;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "thrift_frame_fuzz: %s\n", what.c_str());
  std::exit(1);
}

std::string token_line(const std::string& id, const std::string& secret, const char* role,
                       const std::vector<std::string>& brands) {
  auto hash = sha256_hex(secret);
  if (!hash.is_ok()) die(hash.status().message());
  return nlohmann::json{{"id", id},         {"role", role},       {"brands", brands},
                        {"sha256", hash.value()},  {"created", "2025-01-01T00:00:00Z"}, {"revoked", false}}
             .dump() + "\n";
}

// The served run, made once per process.
struct Service {
  testing::TempDir dir;
  std::shared_ptr<const RunSnapshot> snapshot;
  std::shared_ptr<const TokenStore> tokens;
  std::unique_ptr<ServiceState> state;
  std::unique_ptr<FrameProcessor> processor;
  int calls = 0;

  Service() {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"generate", dir / "market", "--sellers", "400", "--seed", "2"},
          std::vector<std::string>{"run", dir / "market", "--out", dir / "run"}}) {
      testing::CommandResult r = testing::run_sourcetrace(args);
      if (r.exit_code != 0) die("sourcetrace " + args[0] + " failed: " + r.err);
    }
    auto loaded = RunSnapshot::load(dir / "run");
    if (!loaded.is_ok()) die(loaded.status().message());
    snapshot = loaded.value();

    const std::string tokens_file = dir / "tokens";
    testing::write_file(tokens_file,
                        token_line("fuzz-investigator", "st_" + std::string(64, '1'), "investigator", std::vector<std::string>{}) +
                            token_line("fuzz-brand", "st_" + std::string(64, '2'), "brand", std::vector<std::string>{"B001"}));
    ::chmod(tokens_file.c_str(), 0600);
    auto store = TokenStore::load(tokens_file);
    if (!store.is_ok()) die(store.status().message());
    tokens = std::make_shared<const TokenStore>(std::move(store).value());
    start_audit_log();
  }

  void start_audit_log() {
    processor.reset();
    state.reset();
    const std::string log = dir / "audit.jsonl";
    std::remove(log.c_str());
    std::remove(audit_head_path(log).c_str());
    auto audit = AuditLog::open(log);
    if (!audit.is_ok()) die(audit.status().message());
    const std::string journal_path = dir / "feedback.jsonl";
    std::remove(journal_path.c_str());
    auto journal = store::FeedbackJournal::open(journal_path);
    if (!journal.is_ok()) die(journal.status().message());
    state = std::make_unique<ServiceState>(snapshot, tokens, std::move(audit).value(), std::move(journal).value(),
                                           ServiceLimits{});
    processor = std::make_unique<FrameProcessor>(std::make_shared<InvestigatorHandler>(*state), kMaxFrameBytes);
    calls = 0;
  }
};

Service* served = nullptr;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  static Service s;
  served = &s;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (++served->calls > kCallsPerAuditLog) served->start_audit_log();
  const auto reply = served->processor->process(std::string_view(reinterpret_cast<const char*>(data), size));
  // A page is at most max_page items of a few hundred bytes each.
  if (reply && reply->size() > (std::size_t{64} << 20)) std::abort();
  return 0;
}
