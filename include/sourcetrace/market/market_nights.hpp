// Market nights: a generated market written night after night, so that a
// chain of runs (`run --previous`) can be tested and measured against what
// was planted between two nights (docs/generator.md, "Nights").
//
// Night k+1 is night k's dataset, every table, plus one day of planted
// events dated the day after night k's newest date:
//   new_evidence      new takedowns on storefronts of a few rings
//   fresh_storefront  a ring re-registers a burned storefront: a new seller
//                     opened today, tied by device and phone to two of the
//                     ring's storefronts and stocked by its distributor,
//                     before its first sale
//   dismantled        one ring's entities leave the market (every row that
//                     names them is gone)
//   new_ring          a ring the market did not have: a factory, two
//                     distributors, storefronts with their payout accounts
//                     and a collector, with a few reports
//   legit_growth      new legitimate sellers stocked at the market's hubs,
//                     some tied to an older legitimate seller
// Each night is a complete dataset with truth.csv, and events.csv lists
// that night's planted events (`night,event,ring,kind,id`, one row per
// entity of the event; night 0 has a header only). An alert matches an
// event when its network holds at least half the event's entities; the
// first three kinds and new_ring call for one, dismantled and legit_growth
// for none.
//
// Deterministic: the same previous night and options give the same bytes.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sourcetrace/market/generator.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::market {

struct NightOptions {
  std::uint64_t seed = 1;
  std::uint32_t evidence_rings = 3;     // rings with new takedowns
  std::uint32_t fresh_storefronts = 4;  // rings re-registering one storefront each
  std::uint32_t legit_sellers = 40;     // new legitimate sellers
  std::uint32_t new_ring_storefronts = 8;
  bool gzip = false;
};

struct NightSummary {
  std::uint32_t night = 0;
  std::string date;  // the planted events' day, YYYY-MM-DD
  std::uint64_t events = 0;  // rows of events.csv
  std::uint64_t rows_added = 0, rows_removed = 0;
};

// Reads the dataset in `previous` (written by generate_market or by this
// function; its events.csv, if any, says which night it is) and writes the
// next night into `dir` (created; each table atomically).
Result<NightSummary> write_next_night(const std::string& previous, const std::string& dir,
                                      const NightOptions& options);

// `nights` complete datasets in dir/night-0 … dir/night-(nights-1): night 0
// is generate_market's market (with a header-only events.csv), each later
// one write_next_night of the one before, seeded with the market's seed.
// `progress` is called with each night done.
Result<std::vector<NightSummary>> generate_nights(const std::string& dir, const GeneratorOptions& market,
                                                  std::uint32_t nights, NightOptions options,
                                                  const std::function<void(std::uint32_t done)>& progress = {});

}  // namespace sourcetrace::market
