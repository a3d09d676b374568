// The fixed market (no --vary, no --profile) is pinned byte for byte: the
// bundled sample dataset, benchmarks and many tests depend on its exact
// tables, so any change to the generator that moves one draw of the fixed
// market must fail here. The digests were taken with the generator as it
// was before the market family existed (commit 4ed5f85).
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "../support/test_env.hpp"
#include "sourcetrace/market/generator.hpp"
#include "sourcetrace/service/sha256.hpp"
#include "sourcetrace/tables/byte_source.hpp"

namespace {

using sourcetrace::market::generate_market;
using sourcetrace::market::GeneratorOptions;
using sourcetrace::testing::read_file;
using sourcetrace::testing::TempDir;

struct Golden {
  std::uint64_t sellers, rings, seed;
  bool gzip;
  // SHA-256 of each table file as written, in the order of kTables.
  std::vector<std::string> digests;
};

const std::vector<std::string> kTables = {"entities", "evidence", "payments", "seller_links",
                                          "shipments", "stock",    "truth"};

const std::vector<Golden> kGolden = {
    {2000, 0, 42, false,
     {"2162b2b242c51eff1b218441b2de47c6ecb2ffb31a7227b37257675707dc75c6",
      "d993e41dd4ca9c7ec92e559c1d2b3fa21dc6396bd36c818123e228477c2688ef",
      "1d8756f69970d912ae2e9fd114f96a6dfffa3800c6361bc09518390643b99511",
      "c13219b7b018d0291a26786aab45e5cbe1324d7d7848c7f9209c7493580aa518",
      "a57edbbb3b35517228d43e9773904bcaa2b85b8ebe547b4f5d40e95ef54894de",
      "96808742232307605d8a602d9d0465b97ca6e41dea09dfb63bcf9bf17db71359",
      "bf090253fbc5df37d6202a223243242c59320ebc7f221decda5a235482342438"}},
    // The compressed bytes depend on zlib's deflate as well (Debian 12's
    // zlib 1.2.13); the decompressed content is pinned separately below.
    {3000, 0, 7, true,
     {"bd447c9365d653d95f0a76645a690845821df3dba5454c589e25a5d99e28376c",
      "a3415e11656f8cb27ed897e9dc3a6eb4b26ca7c81755b0d96ec17829a5795358",
      "3fb8e8e60a1ce429694ab1147428a549df1bce06732363085942aac55c03de9b",
      "8dde13812a9eb9cff791ae23228336c30a8245ab45747eb4035c8e54f6bfd92e",
      "43e72ef4c518eaa8b9f3205c4fc910bd8f9dc695b6d73a1e349597a833ee1c28",
      "aa96323c5d18a8dad914f08126d39819fa7e005829f3693e757383cd3924aadc",
      "bf17fdccc4946393470faf82e322300e95e2c96880c98f633e87d49f9d214b8f"}},
    {3000, 0, 7, false,
     {"d6bb74bda79c4fcdc6b9a00f3d4ce9758b91fa3d05ef8ce58b2767db6375458c",
      "b08620360ecb2a6948edbf0a90686def0e16875b2fbd232ee2a1159598245998",
      "d8d5e3c78346d01643483d7541ab2db8828c3916b6d0856ad522998126b6e7b0",
      "86f8150a659280775f1474ab1ed8a63f958bd3f40bc3321b8b22673f4e97a8f5",
      "403d54eaf7470629073f0d23f6f356cc4761ff50f18d98897c56d428323d697e",
      "7804218152753630b4e56df59bc58acd524f1f85d1a609fb90e7b2ec32284e9d",
      "5cb313e492c55bdcfa9f03d994d6c8f1f83a8c45edfbbaecf09d8e994ffa7aa8"}},
    {20000, 0, 5, false,
     {"664c30c6a482ae35f2de8bf0bcd53bd47c35d7704c1d813f81a7932c9efaccc3",
      "459936946cc18b21298da86e90ddb222429f81c8ce5bf454aa623e6ec56a7ded",
      "64ec1b1cd9bde70f1e1e9f3ea47176922ce18c2a8e5cd3838e556c52e6c77872",
      "5a2db71431913206d86eee024563750bcc4a31d8f201cf04107c2dba1ade24b6",
      "79b379186aed997413fc1bdb7a9fc460cb80161581ebae3c1f52e547b74a4815",
      "584c02ac946f7242a753bf7ff4245abcb1d8a7b23d11ee4bc47637014d7c9f1c",
      "ac7a05e915563ed34491c0cb188248a8a0b99a54ff9da0bc1e0c0978bc5b92f0"}},
    // --rings given, and a market too small for its drawn ring sizes (scaled).
    {5000, 3, 9, false,
     {"c8f5084202cfb7456dd9fd5f9fc81becda8d2a4c55f0bba9fabfe693d1336d83",
      "da90f06133867388a8ae4c68c767afd72e914931237fb298c24a5dfb1220de50",
      "b89b63a7e17566a506bfbd5493e9fe3ffef4f19e66458a3779eda1f25bf79b2f",
      "7b64834daf8f670f0ff5ec12e98360748925aef84a1e73d37a60add7185d7fdb",
      "a5658067491f3e930986a233b3036844327d0b4afc8ba152c397dcc6af958c99",
      "03c774367fa822d5de4cd87999707d8f1d6b8137d29218872fec7b7509a0121f",
      "f61f2efc71b4949139aa11b11274932a8dc4e176de1e6a8296fd4d3fe4118066"}},
    {16, 0, 3, false,
     {"5f4a3760538f658dedf4cc4f26ef2aa8859cbf1189660898ffa54775ded2ad23",
      "df5316a3794ced9aa2d72ae2737968f731ca6141e9317fbf801fe6dac92d5d1d",
      "1398953e744ec4b6fdedf98a855b6d11e6bc77dae5e5124449eecaccdb551c7e",
      "68e615ea3ac3e38639a4163039f971acb3033517472a4ad04a128cc69e9c2bba",
      "f367cb08316b7499c61bcedc0160eab14f4ca00904faaf762306b9b0dafbd5e8",
      "b131aef0dec18da497253c8269879cce1e61cdcac2a10186fefcedb8126c9b82",
      "5da3b5afbc7c43e805e20dccd24c0334392fe60838f6ca497f0eadaebe37716e"}},
    {900, 100, 11, false,
     {"14f6b1cb8b0d41e387c5a94a79ae2ea913d9711b01d4b3e93d64c5596b1da009",
      "6777d33db473192922ac922a68c7ec8ddbaccabc5f3ecb248d750a5bdbc7d532",
      "7073c14d701977b536d5241a0158c8fd8214a4dd20de151ea3ab0f1baf1b5887",
      "a4011dc3eba8a0bf7d9c1b41194abbb017e2ace1616a0e161e80b8e8da847bd8",
      "8630fbd628739f97f6a99643e103713b990ee572f196f369aab2123b3ba3bff4",
      "ac8a1e19780445a11a3022491ff75e72c48c6d5a7b6b8216182d117f2d34867a",
      "f310351be9ee42ffa067526d2f2db13d0bbb416b69e2acb07405dade4a08379e"}},
};

std::string digest(const std::string& bytes) {
  auto hex = sourcetrace::service::sha256_hex(bytes);
  REQUIRE(hex.is_ok());
  return hex.value();
}

// A gzip table's content, through the ingest's own decompressor.
std::string decompressed(const std::string& path) {
  auto source = sourcetrace::tables::ByteSource::open(path);
  REQUIRE(source.is_ok());
  std::string content, block;
  while (source.value()->next(block)) content += block;
  REQUIRE(source.value()->status().is_ok());
  return content;
}

}  // namespace

TEST_CASE("market: the fixed market keeps its bytes for every seed, size and ring count", "[market]") {
  TempDir tmp;
  for (const Golden& g : kGolden) {
    INFO("sellers " << g.sellers << " rings " << g.rings << " seed " << g.seed << (g.gzip ? " gzip" : ""));
    GeneratorOptions options;
    options.sellers = g.sellers;
    options.rings = g.rings;
    options.seed = g.seed;
    options.gzip = g.gzip;
    const std::string dir = tmp / ("m" + std::to_string(g.sellers) + "_" + std::to_string(g.seed) +
                                   (g.gzip ? "_gz" : ""));
    REQUIRE(generate_market(dir, options).is_ok());
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++files;
    CHECK(files == kTables.size());  // no profile.toml in a fixed market
    for (std::size_t t = 0; t < kTables.size(); ++t) {
      INFO(kTables[t]);
      const std::string path = dir + "/" + kTables[t] + (g.gzip ? ".csv.gz" : ".csv");
      CHECK(digest(read_file(path)) == g.digests[t]);
    }
  }
}

TEST_CASE("market: a gzip market holds the plain market's pinned bytes", "[market]") {
  // The plain seed-7 digests, checked on the gzip tables' content: this part
  // holds whatever zlib compresses to.
  TempDir tmp;
  GeneratorOptions options;
  options.sellers = 3000;
  options.seed = 7;
  options.gzip = true;
  REQUIRE(generate_market(tmp / "gz", options).is_ok());
  const Golden& plain = kGolden[2];
  for (std::size_t t = 0; t < kTables.size(); ++t) {
    INFO(kTables[t]);
    CHECK(digest(decompressed(tmp / ("gz/" + kTables[t] + ".csv.gz"))) == plain.digests[t]);
  }
}
