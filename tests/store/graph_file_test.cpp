// graph.h5: round trip, atomic publish, refusal of other formats/versions.
#include <catch2/catch.hpp>

#include "../support/test_env.hpp"
#include "sourcetrace/ingest/ingest.hpp"
#include "sourcetrace/store/graph_file.hpp"
#include "sourcetrace/store/h5_file.hpp"

using namespace sourcetrace;
using namespace sourcetrace::testing;

TEST_CASE("store: graph.h5 round trip keeps every array", "[store][fast]") {
  TempDir tmp;
  make_fixture_dataset("", tmp / "data");
  auto ingested = ingest::ingest_market(tmp / "data", {});
  REQUIRE(ingested.is_ok());
  const graph::MarketGraph& g = ingested.value().graph;
  REQUIRE(store::write_graph_file(tmp / "graph.h5", g,
                                  ingest::provenance_of("data", ingested.value().report))
              .is_ok());
  // Nothing but the final file is left in the folder.
  std::vector<std::string> names;
  for (const auto& f : fs::directory_iterator(tmp.path())) names.push_back(f.path().filename().string());
  std::sort(names.begin(), names.end());
  CHECK(names == std::vector<std::string>{"data", "graph.h5"});

  store::GraphProvenance p;
  auto back = store::read_graph_file(tmp / "graph.h5", &p);
  REQUIRE(back.is_ok());
  CHECK(p.input_digest == ingested.value().report.input_digest.hex());
  CHECK(back.value().entities.bytes == g.entities.bytes);
  CHECK(back.value().entities.tags == g.entities.tags);
  REQUIRE(back.value().layers.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(back.value().layers[i].name == g.layers[i].name);
    CHECK(back.value().layers[i].directed == g.layers[i].directed);
    CHECK(back.value().layers[i].adjacency.csr.targets == g.layers[i].adjacency.csr.targets);
    CHECK(back.value().layers[i].adjacency.csr.weights == g.layers[i].adjacency.csr.weights);
    CHECK(back.value().layers[i].flow.csr.targets == g.layers[i].flow.csr.targets);
    CHECK(back.value().layers[i].flow.events == g.layers[i].flow.events);
  }
  CHECK(back.value().evidence.day == g.evidence.day);
  CHECK(back.value().brands.bytes == g.brands.bytes);
}

TEST_CASE("store: a graph file of another version or format is refused clearly", "[store][fast]") {
  TempDir tmp;
  {
    auto f = store::H5File::create(tmp / "other.h5");
    REQUIRE(f.is_ok());
    REQUIRE(f.value().write_attribute("/", "format", std::string_view("sourcetrace.graph")).is_ok());
    REQUIRE(f.value().write_attribute("/", "version", std::int64_t{99}).is_ok());
  }
  auto r = store::read_graph_file(tmp / "other.h5");
  CHECK(r.status().code() == Status::Code::kCorrupt);
  CHECK(r.status().message().find("version 99 is not supported") != std::string::npos);

  write_file(tmp / "text.h5", "not hdf5 at all");
  CHECK(store::read_graph_file(tmp / "text.h5").status().code() == Status::Code::kCorrupt);
  CHECK(store::read_graph_file(tmp / "missing.h5").status().code() == Status::Code::kMissingInput);
}

TEST_CASE("store: h5 arrays and attributes round trip, empty arrays included", "[store][fast]") {
  TempDir tmp;
  {
    auto f = store::H5File::create(tmp / "a.h5");
    REQUIRE(f.is_ok());
    std::vector<std::uint32_t> big(300000);
    for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::uint32_t>(i * 7);
    REQUIRE(f.value().write_array("/g/big", big).is_ok());
    REQUIRE(f.value().write_array("/g/empty", std::vector<float>{}).is_ok());
    REQUIRE(f.value().write_attribute("/g", "note", std::string_view("héllo")).is_ok());
    REQUIRE(f.value().close().is_ok());
  }
  auto f = store::H5File::open(tmp / "a.h5");
  REQUIRE(f.is_ok());
  auto big = f.value().read_array<std::uint32_t>("/g/big");
  REQUIRE(big.is_ok());
  CHECK(big.value().size() == 300000);
  CHECK(big.value()[299999] == 299999u * 7);
  CHECK(f.value().read_array<float>("/g/empty").value().empty());
  CHECK(f.value().read_string_attribute("/g", "note").value() == "héllo");
  CHECK(f.value().list("/g").value() == std::vector<std::string>{"big", "empty"});
  CHECK(f.value().read_array<float>("/g/none").status().code() == Status::Code::kCorrupt);
}
