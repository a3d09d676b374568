// CsvReader: RFC 4180 records, physical line numbers, bad records, gzip.
#include <catch2/catch.hpp>
#include <zlib.h>

#include "../support/test_env.hpp"
#include "sourcetrace/tables/csv_reader.hpp"
#include "sourcetrace/tables/output_file.hpp"

using namespace sourcetrace;
using namespace sourcetrace::testing;
using tables::CsvReader;

namespace {

struct Read {
  std::vector<std::vector<std::string>> fields;
  std::vector<std::uint64_t> lines;
  std::vector<std::string> bad;  // "line: reason"
  Status status;
};

Read read_all(const std::string& path) {
  Read r;
  auto reader = CsvReader::open(path);
  REQUIRE(reader.is_ok());
  tables::CsvRecord rec;
  std::string reason;
  while (true) {
    auto next = reader.value()->next(rec, reason);
    if (next == CsvReader::Next::kEnd) break;
    if (next == CsvReader::Next::kFatal) {
      r.status = reader.value()->status();
      break;
    }
    if (next == CsvReader::Next::kBadRecord) {
      r.bad.push_back(std::to_string(rec.line) + ": " + reason);
      continue;
    }
    r.fields.emplace_back(rec.fields.begin(), rec.fields.end());
    r.lines.push_back(rec.line);
  }
  return r;
}

}  // namespace

TEST_CASE("tables: csv reader splits quoted fields, escaped quotes and line breaks", "[tables][fast]") {
  TempDir tmp;
  write_file(tmp / "a.csv", "a,b,c\r\n\"x,1\",\"say \"\"hi\"\"\",\"two\nlines\"\n\nplain,,end");
  Read r = read_all(tmp / "a.csv");
  REQUIRE(r.status.is_ok());
  REQUIRE(r.fields.size() == 3);
  CHECK(r.fields[0] == std::vector<std::string>{"a", "b", "c"});
  CHECK(r.fields[1] == std::vector<std::string>{"x,1", "say \"hi\"", "two\nlines"});
  CHECK(r.fields[2] == std::vector<std::string>{"plain", "", "end"});
  // Physical lines: the quoted record spans lines 2-3, line 4 is blank.
  CHECK(r.lines == std::vector<std::uint64_t>{1, 2, 5});
}

TEST_CASE("tables: csv reader numbers records by their first physical line", "[tables][fast]") {
  TempDir tmp;
  write_file(tmp / "a.csv", "h\n\"1\n2\n3\"\nfour\n\nsix\r\n");
  Read r = read_all(tmp / "a.csv");
  REQUIRE(r.fields.size() == 4);
  CHECK(r.lines == std::vector<std::uint64_t>{1, 2, 5, 7});
}

TEST_CASE("tables: csv reader skips a byte-order mark and accepts a last line without line end",
          "[tables][fast]") {
  TempDir tmp;
  write_file(tmp / "a.csv", "\xEF\xBB\xBFid,x\nS1,2");
  Read r = read_all(tmp / "a.csv");
  REQUIRE(r.fields.size() == 2);
  CHECK(r.fields[0][0] == "id");
  CHECK(r.fields[1] == std::vector<std::string>{"S1", "2"});
}

TEST_CASE("tables: csv reader reports bad records and goes on", "[tables][fast]") {
  TempDir tmp;
  write_file(tmp / "a.csv", "h,i\nab\"c,1\n\"ok\"x,2\nbare\rcr,3\nbad\xC3\x28,4\ngood,5\n");
  Read r = read_all(tmp / "a.csv");
  REQUIRE(r.status.is_ok());
  REQUIRE(r.bad.size() == 4);
  CHECK(r.bad[0] == "2: a quote inside an unquoted field (quote the whole field)");
  CHECK(r.bad[1] == "3: text after the closing quote of a field");
  CHECK(r.bad[2] == "4: a carriage return not followed by a line feed");
  CHECK(r.bad[3] == "5: invalid UTF-8");
  REQUIRE(r.fields.size() == 2);
  CHECK(r.fields[1] == std::vector<std::string>{"good", "5"});
  CHECK(r.lines[1] == 6);
}

TEST_CASE("tables: csv reader stops at an unterminated quote", "[tables][fast]") {
  TempDir tmp;
  write_file(tmp / "a.csv", "h,i\nx,\"never closed\ny,2\n");
  Read r = read_all(tmp / "a.csv");
  CHECK(r.status.code() == Status::Code::kInvalidInput);
  CHECK(r.status.message().find("a.csv:2: a quoted field is never closed") != std::string::npos);
}

TEST_CASE("tables: csv reader reads gzip and records that straddle blocks", "[tables][fast]") {
  TempDir tmp;
  // Enough rows for several 1 MiB blocks, some with quoted line breaks.
  std::string text = "id,note\n";
  for (int i = 0; i < 60000; ++i) {
    text += "S" + std::to_string(i) + (i % 7 == 0 ? ",\"multi\nline, note\"\n" : ",plain note text\n");
  }
  auto out = tables::OutputFile::create(tmp / "big.csv.gz", tables::OutputFile::Compression::kGzip);
  REQUIRE(out.is_ok());
  REQUIRE(out.value()->write(text).is_ok());
  REQUIRE(out.value()->publish().is_ok());
  write_file(tmp / "big.csv", text);

  Read gz = read_all(tmp / "big.csv.gz");
  Read plain = read_all(tmp / "big.csv");
  REQUIRE(gz.status.is_ok());
  CHECK(gz.fields.size() == 60001);
  CHECK(gz.fields == plain.fields);
  CHECK(gz.lines == plain.lines);
  CHECK(gz.fields[8][1] == "multi\nline, note");  // row 7 (field 0 is the header)

  // The digest is of the content: the same plain or gzipped.
  auto a = tables::CsvReader::open(tmp / "big.csv.gz");
  auto b = tables::CsvReader::open(tmp / "big.csv");
  tables::CsvRecord rec;
  std::string reason;
  while (a.value()->next(rec, reason) != CsvReader::Next::kEnd) {}
  while (b.value()->next(rec, reason) != CsvReader::Next::kEnd) {}
  CHECK(a.value()->source().digest() == b.value()->source().digest());
  CHECK(a.value()->source().digest() == tables::digest_of(text));
}

TEST_CASE("tables: a truncated gzip file is an error, never a short read", "[tables][fast]") {
  TempDir tmp;
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "row" + std::to_string(i) + ",x\n";
  auto out = tables::OutputFile::create(tmp / "t.csv.gz", tables::OutputFile::Compression::kGzip);
  REQUIRE(out.value()->write(text).is_ok());
  REQUIRE(out.value()->publish().is_ok());
  std::string gz = read_file(tmp / "t.csv.gz");
  write_file(tmp / "cut.csv.gz", gz.substr(0, gz.size() / 2));
  Read r = read_all(tmp / "cut.csv.gz");
  CHECK(r.status.code() == Status::Code::kInvalidInput);
  CHECK(r.status.message().find("truncated gzip") != std::string::npos);
}

TEST_CASE("tables: utf-8 validation", "[tables][fast]") {
  CHECK(tables::is_valid_utf8("plain ascii text, long enough for the fast path"));
  CHECK(tables::is_valid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  CHECK_FALSE(tables::is_valid_utf8("\xC3"));          // cut short
  CHECK_FALSE(tables::is_valid_utf8("\xC0\xAF"));      // overlong
  CHECK_FALSE(tables::is_valid_utf8("\xED\xA0\x80"));  // surrogate
  CHECK_FALSE(tables::is_valid_utf8("\xFF"));
}
