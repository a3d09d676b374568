// MarketProfile and MarketFamily: every structural choice of a synthetic
// market as a typed value, and the family of markets those values are drawn
// from, one market per seed.
//
// Why: an engine tested on one fixed market gets tuned to that market's
// quirks (one ring-size law, one camouflage rate, one evidence rate).
// `generate --vary` draws a MarketProfile from the built-in family with the
// seed, so that two seeds give markets of different shape and difficulty:
// giant and tiny rings, heavy or no hub use, suppliers shared with honest
// sellers, franchises, re-registration churn with fresh storefronts.
//
// MarketProfile's default values are exactly the fixed market's constants:
// built from the default profile, the generator writes the bytes it always
// wrote (tests/market/golden_test.cpp). The structures the fixed market does
// not have (franchises, churn, fresh entities, shared suppliers...) are off
// at their default value and then draw nothing, so they cannot move a draw
// of the fixed market. docs/generator.md lists every parameter with its
// default and its distribution in the family.
//
// The library takes these as plain structs; reading a profile file (TOML)
// is the command line's job (src/cli/profile_file.cpp).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sourcetrace/status.hpp"

namespace sourcetrace::market {

// How ring sizes are drawn. The fixed market draws storefronts (10 plus a
// geometric tail); the family draws whole rings in entities from a skewed
// log-normal, and the ring's make-up follows from its size.
enum class RingSizes : std::uint8_t { kStorefrontsGeometric, kEntitiesLogNormal };

struct MarketProfile {
  // [rings] how many rings, how large, made of what
  RingSizes ring_sizes = RingSizes::kStorefrontsGeometric;
  std::uint32_t sellers_per_ring = 500;
  double ring_entity_share = 0;
  std::uint32_t ring_storefronts_min = 10;
  double ring_storefronts_extra_chance = 14.0 / 15.0;
  std::uint32_t ring_storefronts_extra_max = 50;
  std::uint32_t ring_distributors_min = 2, ring_distributors_max = 5;
  std::uint32_t ring_factories_min = 1, ring_factories_max = 3;
  std::uint32_t ring_collectors_min = 1, ring_collectors_max = 3;
  std::uint32_t ring_entities_min = 3, ring_entities_max = 700;
  double ring_size_median = 20;
  double ring_size_spread = 1.3;
  double storefronts_per_distributor = 15;
  double distributors_per_factory = 3;
  double storefronts_per_collector = 40;
  std::uint32_t small_ring_entities = 8;
  double small_ring_direct = 0.5;
  double small_ring_no_collector = 0.5;

  // [supply] where ring goods come from and go
  double factory_ring_region = 0.8;
  double distributor_ring_region = 0.6;
  double storefront_ring_region = 0.5;
  double distributor_second_factory = 0.4;
  double storefront_second_distributor = 0.35;
  double storefront_hub = 0.8;
  double storefront_second_hub = 0.25;
  double storefront_hub_only = 0;
  double storefront_unshipped = 0;
  double distributor_legit_share = 0;
  double factory_legit_outlets = 0;

  // [links] shared identifiers
  double link_repeat = 0.1;
  std::uint32_t ring_mates_min = 1, ring_mates_max = 3;
  double storefront_unlinked = 0;
  double storefront_camouflage = 0.5;
  std::uint32_t camouflage_links_min = 1, camouflage_links_max = 2;
  double independent_linked = 0.7;
  double company_store_image = 0.3;

  // [money]
  double payout_second_collector = 0.2;
  double mule_ring_share = 0.3;
  double collector_legit_income = 0;
  double storefront_processor_fee = 0.4;
  double independent_processor_fee = 0.5;
  double payout_processor_fee = 0.1;
  double collector_processor_fee = 0.3;

  // [evidence]
  double storefront_evidence = 0.25;
  double ring_evidence_spread = 0;
  double storefront_second_report = 0.3;
  double storefront_confirmed = 0.04;
  double storefront_genuine_test_buy = 0.06;
  double storefront_complaint = 0.02;
  double distributor_confirmed = 0.08;
  double independent_complaint = 0.02;
  double independent_wrong_takedown = 0.003;
  double independent_genuine_test_buy = 0.01;
  double company_store_noise = 0.06;

  // [lookalikes] legitimate businesses shaped like rings
  double companies_per_ring = 1;
  std::uint32_t legit_sellers_per_company = 40;
  std::uint32_t company_stores_min = 3, company_stores_max = 15;
  double company_second_supplier = 0.5;
  double company_store_region = 0.7;
  double company_store_hub = 0.5;
  double franchises_per_ring = 0;
  std::uint32_t franchise_outlets_min = 5, franchise_outlets_max = 60;
  std::uint32_t franchise_warehouses_max = 3;
  double franchise_own_factory = 0.3;
  double franchise_outlet_links = 0.3;
  double franchise_pos_devices = 0.05;
  double franchise_outlet_hub = 0.3;
  double franchise_noise = 0.04;

  // [churn] re-registration and fresh entities
  double ring_churn = 0;
  double rings_with_fresh = 0;
  std::uint32_t fresh_per_ring_max = 3;
  double fresh_controls_ratio = 0;

  // [market] the legitimate market rings hide in
  std::uint32_t sellers_per_hub = 300, hubs_min = 3, hubs_max = 30;
  std::uint32_t sellers_per_processor = 2000, processors_min = 3, processors_max = 20;
  std::uint32_t sellers_per_supplier = 250;
  double independent_hub = 0.85;
  double independent_second_hub = 0.3;
  double independent_small_warehouse = 0.35;
  std::uint32_t small_warehouse_sellers_min = 2, small_warehouse_sellers_max = 6;
  double independent_supplier = 0.55;

  // [data] how complete the platform's export is
  double entities_listed = 0.95;
  double region_missing = 0.02;
};

// One parameter of MarketProfile: where it lives, what values it takes.
struct ProfileParameter {
  using Field = std::variant<double MarketProfile::*, std::uint32_t MarketProfile::*,
                             RingSizes MarketProfile::*>;
  const char* section;  // "links": the profile file's table
  const char* key;      // "storefront_camouflage"
  Field field;
  double min, max;      // the values the generator accepts
  const char* meaning;  // one line, for profile.toml and docs/generator.md
};

// Every parameter, in the order draw_profile draws them and profile.toml
// lists them.
std::span<const ProfileParameter> profile_parameters();
const ProfileParameter* find_parameter(std::string_view key);

// The names a RingSizes value is written as ("storefronts_geometric").
std::string_view ring_sizes_name(RingSizes sizes);
bool parse_ring_sizes(std::string_view name, RingSizes& sizes);

// A parameter's value as a number (RingSizes: its enumerator), and back.
double parameter_value(const MarketProfile& profile, const ProfileParameter& parameter);
void set_parameter_value(MarketProfile& profile, const ProfileParameter& parameter, double value);

// How one parameter is drawn: fixed when lo == hi, else uniform on [lo, hi]
// (a count: every whole number in it equally likely).
struct ParameterRange {
  double lo = 0, hi = 0;
};

// A distribution for every parameter of MarketProfile.
class MarketFamily {
 public:
  // Every parameter fixed at `profile`'s value.
  explicit MarketFamily(const MarketProfile& profile = MarketProfile());

  const ParameterRange& range(const ProfileParameter& parameter) const;
  // Fails (kInvalidArgument, naming the key) on a range outside the
  // parameter's values, lo > hi, a fraction for a count, or a range of a
  // RingSizes.
  Status set(const ProfileParameter& parameter, ParameterRange range);
  // Fails when a draw could break a rule between parameters (a minimum above
  // its maximum), naming the two in the message and in `low`, `high`.
  Status check(std::string* low = nullptr, std::string* high = nullptr) const;

 private:
  std::vector<ParameterRange> ranges_;  // by index in profile_parameters()
};

// The built-in family `generate --vary` draws from (docs/generator.md).
const MarketFamily& builtin_family();

// One market's profile: each parameter drawn in turn from its own stream
// (not the structure's nor a table's), so the same (family, seed) always
// gives the same profile.
MarketProfile draw_profile(const MarketFamily& family, std::uint64_t seed);

// Checks a profile the way MarketFamily::set and check do, for callers that
// fill one in by hand.
Status check_profile(const MarketProfile& profile);

// profile.toml: every parameter at its fixed value, by section, each with its
// meaning; `header` lines become comments at the top. Read back by
// `generate --profile`, it gives the same profile, to the bit.
std::string profile_toml(const MarketProfile& profile, std::string_view header);

}  // namespace sourcetrace::market
