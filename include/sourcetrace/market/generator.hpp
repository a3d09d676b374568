// MarketGenerator: writes a synthetic marketplace in the table contract
// (docs/tables.md), with the planted answer in truth.csv.
//
// It exists so that every stage can be tested and benchmarked on data whose
// answer is known, at any size. The market is made hard the way real
// counterfeit supply networks are (see docs/generator.md): rings of
// factories → distributors → storefronts → collectors hide among
// legitimate sellers that share the same giant 3PL warehouses and payment
// hubs, share some links with them, and legitimate multi-store businesses
// look like rings; evidence is sparse and noisy.
//
// Without a profile it writes the fixed market, the same bytes for a seed
// as it always did. With one (`generate --vary`, see profile.hpp) every
// structural choice comes from the profile, truth.csv gains the contract's
// optional `group` and `fresh` columns, and the profile is written beside
// the tables as profile.toml.
//
// Deterministic: the same options give the same bytes (gzip included),
// whatever the thread count. The library never prints: progress goes
// through the callback.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sourcetrace/market/profile.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::market {

struct GeneratorOptions {
  // Sellers in the market, ring storefronts included.
  std::uint64_t sellers = 20'000;
  // Planted counterfeit rings; 0 lets the profile decide (the fixed market:
  // one ring per 500 sellers, at least 1).
  std::uint64_t rings = 0;
  std::uint64_t seed = 1;
  // Write every table, truth.csv included, as NAME.csv.gz.
  bool gzip = false;
  // Threads used to write tables side by side (0 = OpenMP's default).
  int threads = 0;
  // Called now and then with (tables finished, tables in all).
  std::function<void(int done, int total)> progress;
  // A varied market's profile; none: the fixed market.
  std::optional<MarketProfile> profile;
  // profile.toml's opening comment: which seed and family drew the profile.
  std::string profile_origin;
};

struct GeneratedTable {
  std::string name;        // "seller_links"
  std::string path;        // the file written
  std::uint64_t rows = 0;  // data rows, header not counted
};

struct GeneratorSummary {
  std::uint64_t sellers = 0, warehouses = 0, accounts = 0, rings = 0, ring_entities = 0;
  // Fresh ring storefronts and fresh controls (sellers only; 0 in the fixed market).
  std::uint64_t fresh_storefronts = 0, fresh_controls = 0;
  std::vector<GeneratedTable> tables;
  std::string profile_path;  // profile.toml, when written
};

// Writes the tables into `dir` (created if missing), each atomically.
Result<GeneratorSummary> generate_market(const std::string& dir, const GeneratorOptions& options);

}  // namespace sourcetrace::market
