// Tests of generate_market: the synthetic market must be reproducible byte
// for byte, follow the table contract, and plant a truth that names every
// entity and complete rings, since every other stage is judged against it.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "sourcetrace/market/generator.hpp"
#include "sourcetrace/tables/byte_source.hpp"

namespace {

namespace fs = std::filesystem;
using sourcetrace::market::generate_market;
using sourcetrace::market::GeneratorOptions;

const std::vector<std::string> kTables = {"entities", "seller_links", "stock", "payments",
                                          "shipments", "evidence", "truth"};

// A scratch folder removed when the test ends, whatever its outcome.
struct ScratchDir {
  explicit ScratchDir(const std::string& name)
      : path(fs::temp_directory_path() /
             ("sourcetrace_market_test_" + std::to_string(::getpid()) + "_" + name)) {
    fs::remove_all(path);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string str(const std::string& sub) const { return (path / sub).string(); }
  fs::path path;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The generator never needs quoting, so a plain split reads its rows.
std::vector<std::vector<std::string>> read_rows(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(read_file(path));
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::string field;
    std::istringstream cells(line);
    while (std::getline(cells, field, ',')) fields.push_back(field);
    if (!line.empty() && line.back() == ',') fields.emplace_back();
    rows.push_back(std::move(fields));
  }
  return rows;
}

// The content of a gzip file, decompressed by the ingest's ByteSource.
std::string decompressed(const std::string& path) {
  auto source = sourcetrace::tables::ByteSource::open(path);
  REQUIRE(source.is_ok());
  REQUIRE(source.value()->compressed());
  std::string content, block;
  while (source.value()->next(block)) content += block;
  REQUIRE(source.value()->status().is_ok());
  return content;
}

GeneratorOptions small_market(std::uint64_t seed) {
  GeneratorOptions options;
  options.sellers = 2000;
  options.seed = seed;
  return options;
}

}  // namespace

TEST_CASE("market: same seed gives identical bytes whatever the thread count", "[market]") {
  ScratchDir dir("same_seed");
  GeneratorOptions one = small_market(42);
  one.threads = 1;
  GeneratorOptions many = small_market(42);
  many.threads = 4;
  REQUIRE(generate_market(dir.str("a"), one).is_ok());
  REQUIRE(generate_market(dir.str("b"), many).is_ok());
  for (const auto& table : kTables) {
    INFO(table);
    const std::string a = read_file(dir.str("a/" + table + ".csv"));
    CHECK(!a.empty());
    CHECK(a == read_file(dir.str("b/" + table + ".csv")));
  }
}

TEST_CASE("market: a different seed gives a different market", "[market]") {
  ScratchDir dir("other_seed");
  REQUIRE(generate_market(dir.str("a"), small_market(1)).is_ok());
  REQUIRE(generate_market(dir.str("b"), small_market(2)).is_ok());
  for (const auto& table : {"seller_links", "payments", "shipments", "truth"}) {
    INFO(table);
    CHECK(read_file(dir.str(std::string("a/") + table + ".csv")) !=
          read_file(dir.str(std::string("b/") + table + ".csv")));
  }
}

TEST_CASE("market: every table has the contract header and the rows the summary counts",
          "[market]") {
  ScratchDir dir("headers");
  auto result = generate_market(dir.str("m"), small_market(7));
  REQUIRE(result.is_ok());
  const std::map<std::string, std::string> headers = {
      {"entities", "kind,id,region,created_on"},
      {"seller_links", "seller_a,seller_b,link,observed_on"},
      {"stock", "seller,warehouse,units,observed_on"},
      {"payments", "payer_kind,payer,payee_kind,payee,amount,paid_on"},
      {"shipments", "shipment,origin_kind,origin,destination_kind,destination,units,shipped_on"},
      {"evidence", "kind,id,signal,brand,reported_on,reporter"},
      {"truth", "kind,id,ring,role"}};
  REQUIRE(result->tables.size() == headers.size());
  CHECK(result->sellers == 2000);
  for (const auto& table : result->tables) {
    INFO(table.name);
    REQUIRE(headers.count(table.name) == 1);
    CHECK(table.path == dir.str("m/" + table.name + ".csv"));
    const std::string text = read_file(table.path);
    CHECK(text.substr(0, text.find('\n')) == headers.at(table.name));
    const auto lines = static_cast<std::uint64_t>(std::count(text.begin(), text.end(), '\n'));
    CHECK(lines == table.rows + 1);
    CHECK(table.rows > 0);
  }
}

TEST_CASE("market: truth names every entity and every ring is complete", "[market]") {
  ScratchDir dir("truth");
  auto result = generate_market(dir.str("m"), small_market(3));
  REQUIRE(result.is_ok());

  std::map<std::pair<std::string, std::string>, std::pair<std::string, std::string>> truth;
  std::map<std::string, std::set<std::string>> ring_roles;
  std::uint64_t ring_entities = 0;
  auto rows = read_rows(dir.str("m/truth.csv"));
  for (std::size_t i = 1; i < rows.size(); ++i) {
    REQUIRE(rows[i].size() == 4);
    const auto& r = rows[i];
    CHECK(truth.emplace(std::make_pair(r[0], r[1]), std::make_pair(r[2], r[3])).second);
    CHECK((r[2].empty() == (r[3] == "legit")));
    if (!r[2].empty()) {
      ring_roles[r[2]].insert(r[3]);
      ++ring_entities;
    }
  }
  CHECK(ring_entities == result->ring_entities);
  CHECK(ring_roles.size() == result->rings);
  CHECK(truth.size() == result->sellers + result->warehouses + result->accounts);
  const std::set<std::string> all_roles = {"source", "distributor", "storefront", "collector"};
  for (const auto& [ring, roles] : ring_roles) {
    INFO(ring);
    CHECK(roles == all_roles);
  }

  // (table, kind column or fixed kind, id column) for every entity reference.
  struct Ref {
    std::string table;
    int kind_column;  // -1: fixed kind
    std::string fixed_kind;
    int id_column;
  };
  const std::vector<Ref> refs = {
      {"entities", 0, "", 1},        {"seller_links", -1, "seller", 0},
      {"seller_links", -1, "seller", 1}, {"stock", -1, "seller", 0},
      {"stock", -1, "warehouse", 1}, {"payments", 0, "", 1},
      {"payments", 2, "", 3},        {"shipments", 1, "", 2},
      {"shipments", 3, "", 4},       {"evidence", 0, "", 1}};
  std::set<std::string> shipment_ids;
  for (const auto& ref : refs) {
    auto table = read_rows(dir.str("m/" + ref.table + ".csv"));
    for (std::size_t i = 1; i < table.size(); ++i) {
      const auto& r = table[i];
      const std::string kind = ref.kind_column < 0 ? ref.fixed_kind : r.at(ref.kind_column);
      const std::string& id = r.at(ref.id_column);
      CHECK(!id.empty());
      CHECK(id.size() <= 128);
      if (truth.count({kind, id}) == 0) FAIL(ref.table << " names " << kind << " " << id);
    }
    if (ref.table == "shipments" && ref.kind_column == 1) {
      for (std::size_t i = 1; i < table.size(); ++i) CHECK(shipment_ids.insert(table[i][0]).second);
    }
  }
}

TEST_CASE("market: gzip mode writes .csv.gz files holding the plain tables' bytes", "[market]") {
  ScratchDir dir("gzip");
  GeneratorOptions options = small_market(5);
  options.gzip = true;
  int calls = 0, last_done = 0, last_total = 0;
  options.progress = [&](int done, int total) {
    ++calls;
    last_done = done;
    last_total = total;
  };
  auto packed = generate_market(dir.str("gz"), options);
  REQUIRE(packed.is_ok());
  CHECK(calls == 7);
  CHECK(last_done == 7);
  CHECK(last_total == 7);
  auto plain = generate_market(dir.str("plain"), small_market(5));
  REQUIRE(plain.is_ok());
  for (std::size_t t = 0; t < kTables.size(); ++t) {
    const std::string& table = kTables[t];
    INFO(table);
    CHECK_FALSE(fs::exists(dir.str("gz/" + table + ".csv")));
    // Read the rows back through the ingest's own decompressor: a gzip
    // stream of no rows, or of other rows, would pass a check of its magic
    // bytes and size.
    const std::string expected = read_file(dir.str("plain/" + table + ".csv"));
    REQUIRE(std::count(expected.begin(), expected.end(), '\n') > 1);
    CHECK(decompressed(dir.str("gz/" + table + ".csv.gz")) == expected);
    CHECK(packed->tables[t].rows == plain->tables[t].rows);
  }
  // Nothing but the tables: temporary files were all renamed into place.
  CHECK(std::distance(fs::directory_iterator(dir.path / "gz"), fs::directory_iterator()) == 7);
}

TEST_CASE("market: sizes it cannot honour are refused", "[market]") {
  ScratchDir dir("refused");
  GeneratorOptions options = small_market(1);
  options.sellers = 0;
  auto none = generate_market(dir.str("m"), options);
  REQUIRE_FALSE(none.is_ok());
  CHECK(none.status().code() == sourcetrace::Status::Code::kInvalidArgument);
  options.sellers = 100;
  options.rings = 50;
  auto crowded = generate_market(dir.str("m"), options);
  REQUIRE_FALSE(crowded.is_ok());
  CHECK(crowded.status().code() == sourcetrace::Status::Code::kInvalidArgument);
}
