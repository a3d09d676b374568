// Feeds the fuzzer's bytes to the table reader (read_table: ByteSource,
// CsvReader, the header mapping, every row rule) as one table file, because
// datasets come from outside (brands' reports, platform exports) and any
// bytes must give rows or a Status, never a crash.
//
// The first byte chooses: which table (its low three bits), whether the
// harness gzips the rest before writing it (bit 3: the fuzzer alone seldom
// writes a valid deflate stream, so this is what takes fuzzed CSV through
// the inflating path), and strict or lenient (bit 4). The rest is the file.
// Raw .gz seeds in the corpus reach the gzip error paths themselves.
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "../support/test_env.hpp"
#include "sourcetrace/tables/table_reader.hpp"

using namespace sourcetrace;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const testing::TempDir scratch;
  static const std::string path = scratch / "table.csv";
  if (size == 0) return 0;
  const auto table = static_cast<tables::Table>((data[0] & 7) % tables::kNumTables);
  const bool gzip = (data[0] & 8) != 0;
  const bool lenient = (data[0] & 16) != 0;
  const std::string content(reinterpret_cast<const char*>(data + 1), size - 1);
  if (gzip) {
    gzFile out = gzopen(path.c_str(), "wb");
    gzwrite(out, content.data(), static_cast<unsigned>(content.size()));
    gzclose(out);
  } else {
    testing::write_file(path, content);
  }

  tables::RowHandler accept_all;
  tables::TableStats stats;
  std::uint64_t rejected = 0;
  const tables::RejectSink reject = [&](const tables::RowError& error) {
    ++rejected;
    if (error.reason.empty() || error.line == 0) std::abort();  // a rejection always says where and why
    return lenient ? Status::ok() : tables::reject_strictly(error);
  };
  const Status status = tables::read_table(path, table, accept_all, reject, stats);
  // Every data row read is accepted or rejected, and every rejection went
  // to the sink.
  if (stats.read != stats.accepted + stats.rejected || stats.rejected != rejected) std::abort();
  if (status.is_ok() && !lenient && stats.rejected != 0) std::abort();
  return 0;
}
