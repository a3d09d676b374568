// The profile's parameters, the built-in family and draw_profile.
//
// The parameter table is the one list of what a market can vary: the profile
// file reader, profile.toml, the family and the checks all walk it, so a new
// parameter is one row here (and one field of MarketProfile).
#include "sourcetrace/market/profile.hpp"

#include <charconv>
#include <cmath>
#include <string>

#include "random.hpp"

namespace sourcetrace::market {

namespace {

using P = MarketProfile;

constexpr double kMany = 1e9;

// Section, key, field, accepted values, meaning. Kept in the order of
// MarketProfile and of docs/generator.md's table.
const ProfileParameter kParameters[] = {
    {"rings", "ring_sizes", &P::ring_sizes, 0, 1,
     "storefronts_geometric (the fixed market) or entities_lognormal (whole rings, 3-700 entities)"},
    {"rings", "sellers_per_ring", &P::sellers_per_ring, 8, kMany,
     "rings when neither --rings nor ring_entity_share says: one per this many sellers"},
    {"rings", "ring_entity_share", &P::ring_entity_share, 0, 0.5,
     "entities_lognormal: ring entities per market entity (2 per seller counted); 0: use sellers_per_ring"},
    {"rings", "ring_storefronts_min", &P::ring_storefronts_min, 1, 100000,
     "storefronts_geometric: storefronts per ring before the geometric tail"},
    {"rings", "ring_storefronts_extra_chance", &P::ring_storefronts_extra_chance, 0, 0.999,
     "storefronts_geometric: chance of each further storefront"},
    {"rings", "ring_storefronts_extra_max", &P::ring_storefronts_extra_max, 0, 100000,
     "storefronts_geometric: at most this many further storefronts"},
    {"rings", "ring_distributors_min", &P::ring_distributors_min, 1, 1000, "storefronts_geometric: distributors per ring, at least"},
    {"rings", "ring_distributors_max", &P::ring_distributors_max, 1, 1000, "storefronts_geometric: distributors per ring, at most"},
    {"rings", "ring_factories_min", &P::ring_factories_min, 1, 1000, "storefronts_geometric: factories per ring, at least"},
    {"rings", "ring_factories_max", &P::ring_factories_max, 1, 1000, "storefronts_geometric: factories per ring, at most"},
    {"rings", "ring_collectors_min", &P::ring_collectors_min, 1, 1000, "storefronts_geometric: collectors per ring, at least"},
    {"rings", "ring_collectors_max", &P::ring_collectors_max, 1, 1000, "storefronts_geometric: collectors per ring, at most"},
    {"rings", "ring_entities_min", &P::ring_entities_min, 3, 100000, "entities_lognormal: entities per ring, at least"},
    {"rings", "ring_entities_max", &P::ring_entities_max, 3, 100000, "entities_lognormal: entities per ring, at most"},
    {"rings", "ring_size_median", &P::ring_size_median, 3, 100000, "entities_lognormal: median ring size in entities"},
    {"rings", "ring_size_spread", &P::ring_size_spread, 0, 4,
     "entities_lognormal: standard deviation of log2(ring size), in doublings"},
    {"rings", "storefronts_per_distributor", &P::storefronts_per_distributor, 1, 100000,
     "entities_lognormal: one distributor per this many storefronts"},
    {"rings", "distributors_per_factory", &P::distributors_per_factory, 1, 1000,
     "entities_lognormal: one factory per this many distributors"},
    {"rings", "storefronts_per_collector", &P::storefronts_per_collector, 1, 100000,
     "entities_lognormal: one collector per this many storefronts"},
    {"rings", "small_ring_entities", &P::small_ring_entities, 3, 1000,
     "entities_lognormal: a ring smaller than this is small"},
    {"rings", "small_ring_direct", &P::small_ring_direct, 0, 1,
     "entities_lognormal: share of small rings without distributors (factories ship to storefronts)"},
    {"rings", "small_ring_no_collector", &P::small_ring_no_collector, 0, 1,
     "entities_lognormal: share of small rings whose payouts sweep to one storefront's payout account"},

    {"supply", "factory_ring_region", &P::factory_ring_region, 0, 1,
     "share of factories in the ring's first factory's region"},
    {"supply", "distributor_ring_region", &P::distributor_ring_region, 0, 1,
     "share of distributors in the ring's region"},
    {"supply", "storefront_ring_region", &P::storefront_ring_region, 0, 1,
     "share of storefronts in the ring's region"},
    {"supply", "distributor_second_factory", &P::distributor_second_factory, 0, 1,
     "share of distributors fed by a second factory"},
    {"supply", "storefront_second_distributor", &P::storefront_second_distributor, 0, 1,
     "share of storefronts supplied by a second distributor"},
    {"supply", "storefront_hub", &P::storefront_hub, 0, 1,
     "share of storefronts that also stock at (and receive from) 3PL hubs"},
    {"supply", "storefront_second_hub", &P::storefront_second_hub, 0, 1,
     "share of hub-using storefronts with a second hub"},
    {"supply", "storefront_hub_only", &P::storefront_hub_only, 0, 1,
     "share of hub-using storefronts that keep all their stock at hubs (still shipped by distributors)"},
    {"supply", "storefront_unshipped", &P::storefront_unshipped, 0, 1,
     "share of storefronts whose inbound shipments are not recorded (stock rows only)"},
    {"supply", "distributor_legit_share", &P::distributor_legit_share, 0, 0.95,
     "share of a distributor's downstream sellers that are legitimate sellers buying real goods"},
    {"supply", "factory_legit_outlets", &P::factory_legit_outlets, 0, 1,
     "share of factories that also ship to a legitimate supplier or a hub"},

    {"links", "link_repeat", &P::link_repeat, 0, 1, "share of links observed twice"},
    {"links", "ring_mates_min", &P::ring_mates_min, 1, 50, "identifier links per storefront to ring mates, at least"},
    {"links", "ring_mates_max", &P::ring_mates_max, 1, 50, "identifier links per storefront to ring mates, at most"},
    {"links", "storefront_unlinked", &P::storefront_unlinked, 0, 1,
     "share of storefronts with no link to a ring mate of their own"},
    {"links", "storefront_camouflage", &P::storefront_camouflage, 0, 1,
     "share of storefronts with weak links (image, contact, address) to legitimate sellers"},
    {"links", "camouflage_links_min", &P::camouflage_links_min, 1, 50, "weak links of such a storefront, at least"},
    {"links", "camouflage_links_max", &P::camouflage_links_max, 1, 50, "weak links of such a storefront, at most"},
    {"links", "independent_linked", &P::independent_linked, 0, 1,
     "share of independent sellers with 1-2 image or contact links to other legitimate sellers"},
    {"links", "company_store_image", &P::company_store_image, 0, 1,
     "share of company stores with an image link to a random legitimate seller"},

    {"money", "payout_second_collector", &P::payout_second_collector, 0, 1,
     "share of ring payout accounts that also pay a second collector"},
    {"money", "mule_ring_share", &P::mule_ring_share, 0, 1,
     "share of rings with a collector that also takes small payments from other rings"},
    {"money", "collector_legit_income", &P::collector_legit_income, 0, 1,
     "share of collectors that also take payments from legitimate accounts"},
    {"money", "storefront_processor_fee", &P::storefront_processor_fee, 0, 1,
     "share of storefronts paying a payment processor"},
    {"money", "independent_processor_fee", &P::independent_processor_fee, 0, 1,
     "share of legitimate sellers paying a payment processor"},
    {"money", "payout_processor_fee", &P::payout_processor_fee, 0, 1,
     "share of independent payout accounts paying a payment processor"},
    {"money", "collector_processor_fee", &P::collector_processor_fee, 0, 1,
     "share of collectors paying a payment processor"},

    {"evidence", "storefront_evidence", &P::storefront_evidence, 0, 1,
     "share of storefronts with a takedown or counterfeit test-buy (the market's mean)"},
    {"evidence", "ring_evidence_spread", &P::ring_evidence_spread, 0, 4,
     "spread of each ring's evidence rate around the market's, in doublings (0: every ring alike)"},
    {"evidence", "storefront_second_report", &P::storefront_second_report, 0, 1,
     "share of reported storefronts reported twice"},
    {"evidence", "storefront_confirmed", &P::storefront_confirmed, 0, 1,
     "share of storefronts with enforcement_confirmed"},
    {"evidence", "storefront_genuine_test_buy", &P::storefront_genuine_test_buy, 0, 1,
     "share of storefronts with a genuine test-buy (noise)"},
    {"evidence", "storefront_complaint", &P::storefront_complaint, 0, 1,
     "share of storefronts with a complaint"},
    {"evidence", "distributor_confirmed", &P::distributor_confirmed, 0, 1,
     "share of distributors confirmed by customs"},
    {"evidence", "independent_complaint", &P::independent_complaint, 0, 1,
     "share of independent sellers with a complaint (noise)"},
    {"evidence", "independent_wrong_takedown", &P::independent_wrong_takedown, 0, 1,
     "share of independent sellers with a wrong takedown or counterfeit test-buy (noise)"},
    {"evidence", "independent_genuine_test_buy", &P::independent_genuine_test_buy, 0, 1,
     "share of independent sellers with a genuine test-buy"},
    {"evidence", "company_store_noise", &P::company_store_noise, 0, 1,
     "share of company stores with a wrong takedown or a complaint"},

    {"lookalikes", "companies_per_ring", &P::companies_per_ring, 0, 100,
     "legitimate multi-store businesses per ring (at least 1)"},
    {"lookalikes", "legit_sellers_per_company", &P::legit_sellers_per_company, 1, kMany,
     "at most one business per this many legitimate sellers"},
    {"lookalikes", "company_stores_min", &P::company_stores_min, 2, 200, "stores per business, at least"},
    {"lookalikes", "company_stores_max", &P::company_stores_max, 2, 200, "stores per business, at most"},
    {"lookalikes", "company_second_supplier", &P::company_second_supplier, 0, 1,
     "share of businesses with a second supplier"},
    {"lookalikes", "company_store_region", &P::company_store_region, 0, 1,
     "share of a business's stores in its region"},
    {"lookalikes", "company_store_hub", &P::company_store_hub, 0, 1,
     "share of company stores that also use a 3PL hub"},
    {"lookalikes", "franchises_per_ring", &P::franchises_per_ring, 0, 100,
     "franchises per ring (0: none; else at least 1 where the market has room)"},
    {"lookalikes", "franchise_outlets_min", &P::franchise_outlets_min, 2, 1000, "outlets per franchise, at least"},
    {"lookalikes", "franchise_outlets_max", &P::franchise_outlets_max, 2, 1000, "outlets per franchise, at most"},
    {"lookalikes", "franchise_warehouses_max", &P::franchise_warehouses_max, 1, 20,
     "central warehouses per franchise, 1 to this many"},
    {"lookalikes", "franchise_own_factory", &P::franchise_own_factory, 0, 1,
     "share of franchisors feeding their warehouses from their own factory (else from suppliers)"},
    {"lookalikes", "franchise_outlet_links", &P::franchise_outlet_links, 0, 1,
     "share of outlets sharing an image, contact or address with another outlet"},
    {"lookalikes", "franchise_pos_devices", &P::franchise_pos_devices, 0, 1,
     "share of outlets sharing a device (franchisor-provided point of sale) with another outlet"},
    {"lookalikes", "franchise_outlet_hub", &P::franchise_outlet_hub, 0, 1,
     "share of outlets that also use a 3PL hub"},
    {"lookalikes", "franchise_noise", &P::franchise_noise, 0, 1,
     "share of outlets with a wrong takedown or a complaint"},

    {"churn", "ring_churn", &P::ring_churn, 0, 0.5,
     "share of a ring's storefronts burned (taken down) and replaced by re-registered ones"},
    {"churn", "rings_with_fresh", &P::rings_with_fresh, 0, 1,
     "share of rings (with distributors and a collector) given fresh storefronts"},
    {"churn", "fresh_per_ring_max", &P::fresh_per_ring_max, 1, 100, "fresh storefronts of such a ring, 1 to this many"},
    {"churn", "fresh_controls_ratio", &P::fresh_controls_ratio, 0, 10,
     "fresh legitimate sellers per fresh ring storefront (0: none; else at least 1)"},

    {"market", "sellers_per_hub", &P::sellers_per_hub, 1, kMany, "one 3PL hub per this many sellers"},
    {"market", "hubs_min", &P::hubs_min, 1, 30000, "3PL hubs, at least"},
    {"market", "hubs_max", &P::hubs_max, 1, 30000, "3PL hubs, at most"},
    {"market", "sellers_per_processor", &P::sellers_per_processor, 1, kMany,
     "one payment processor per this many sellers"},
    {"market", "processors_min", &P::processors_min, 1, 100000, "payment processors, at least"},
    {"market", "processors_max", &P::processors_max, 1, 100000, "payment processors, at most"},
    {"market", "sellers_per_supplier", &P::sellers_per_supplier, 1, kMany,
     "one legitimate supplier per this many sellers (at least 3)"},
    {"market", "independent_hub", &P::independent_hub, 0, 1,
     "share of independent sellers stocking at a 3PL hub"},
    {"market", "independent_second_hub", &P::independent_second_hub, 0, 1,
     "share of those with a second hub"},
    {"market", "independent_small_warehouse", &P::independent_small_warehouse, 0, 1,
     "share of hub-using independent sellers that also use a small warehouse (all others do)"},
    {"market", "small_warehouse_sellers_min", &P::small_warehouse_sellers_min, 1, 1000,
     "sellers per small warehouse, at least"},
    {"market", "small_warehouse_sellers_max", &P::small_warehouse_sellers_max, 1, 1000,
     "sellers per small warehouse, at most"},
    {"market", "independent_supplier", &P::independent_supplier, 0, 1,
     "share of independent sellers buying from a legitimate supplier"},

    {"data", "entities_listed", &P::entities_listed, 0, 1, "share of entities with an entities.csv row"},
    {"data", "region_missing", &P::region_missing, 0, 1, "share of entities rows with an empty region"},
};

// Minimum and maximum pairs: a draw must never put the first above the second.
const char* const kOrderedPairs[][2] = {
    {"ring_distributors_min", "ring_distributors_max"},
    {"ring_factories_min", "ring_factories_max"},
    {"ring_collectors_min", "ring_collectors_max"},
    {"ring_entities_min", "ring_entities_max"},
    {"ring_mates_min", "ring_mates_max"},
    {"camouflage_links_min", "camouflage_links_max"},
    {"company_stores_min", "company_stores_max"},
    {"franchise_outlets_min", "franchise_outlets_max"},
    {"hubs_min", "hubs_max"},
    {"processors_min", "processors_max"},
    {"small_warehouse_sellers_min", "small_warehouse_sellers_max"},
};

// The profile's own stream: the structure uses 1-4 (market_plan.cpp) and
// the tables 100+ (generator.cpp).
constexpr std::uint64_t kProfileStream = 50;

std::size_t index_of(const ProfileParameter& parameter) {
  return static_cast<std::size_t>(&parameter - kParameters);
}

bool is_count(const ProfileParameter& p) {
  return std::holds_alternative<std::uint32_t MarketProfile::*>(p.field);
}
bool is_choice(const ProfileParameter& p) {
  return std::holds_alternative<RingSizes MarketProfile::*>(p.field);
}

std::string number_text(double x) {
  char buffer[64];
  auto end = std::to_chars(buffer, buffer + sizeof buffer, x).ptr;
  std::string text(buffer, end);
  // A TOML float needs a fraction or an exponent; "5" would read as an integer.
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

std::string range_text(const ProfileParameter& p, ParameterRange r) {
  auto one = [&](double x) { return is_count(p) ? std::to_string(static_cast<std::uint64_t>(x)) : number_text(x); };
  return r.lo == r.hi ? one(r.lo) : "[" + one(r.lo) + ", " + one(r.hi) + "]";
}

Status check_value(const ProfileParameter& p, double x) {
  if (!std::isfinite(x) || x < p.min || x > p.max) {
    return Status::invalid_argument(std::string(p.key) + " must be between " + range_text(p, {p.min, p.min}) +
                                    " and " + range_text(p, {p.max, p.max}));
  }
  if (is_count(p) && x != std::floor(x)) {
    return Status::invalid_argument(std::string(p.key) + " must be a whole number");
  }
  return Status::ok();
}

}  // namespace

std::span<const ProfileParameter> profile_parameters() { return kParameters; }

const ProfileParameter* find_parameter(std::string_view key) {
  for (const ProfileParameter& p : kParameters) {
    if (key == p.key) return &p;
  }
  return nullptr;
}

std::string_view ring_sizes_name(RingSizes sizes) {
  return sizes == RingSizes::kEntitiesLogNormal ? "entities_lognormal" : "storefronts_geometric";
}

bool parse_ring_sizes(std::string_view name, RingSizes& sizes) {
  for (RingSizes s : {RingSizes::kStorefrontsGeometric, RingSizes::kEntitiesLogNormal}) {
    if (name == ring_sizes_name(s)) {
      sizes = s;
      return true;
    }
  }
  return false;
}

double parameter_value(const MarketProfile& profile, const ProfileParameter& parameter) {
  return std::visit([&](auto member) { return static_cast<double>(profile.*member); }, parameter.field);
}

void set_parameter_value(MarketProfile& profile, const ProfileParameter& parameter, double value) {
  std::visit(
      [&](auto member) {
        using T = std::remove_reference_t<decltype(profile.*member)>;
        profile.*member = static_cast<T>(value);
      },
      parameter.field);
}

MarketFamily::MarketFamily(const MarketProfile& profile) {
  for (const ProfileParameter& p : kParameters) {
    const double x = parameter_value(profile, p);
    ranges_.push_back({x, x});
  }
}

const ParameterRange& MarketFamily::range(const ProfileParameter& parameter) const {
  return ranges_[index_of(parameter)];
}

Status MarketFamily::set(const ProfileParameter& parameter, ParameterRange range) {
  ST_RETURN_IF_ERROR(check_value(parameter, range.lo));
  ST_RETURN_IF_ERROR(check_value(parameter, range.hi));
  if (range.lo > range.hi) {
    return Status::invalid_argument(std::string(parameter.key) + ": the range's first value is above its second");
  }
  if (is_choice(parameter) && range.lo != range.hi) {
    return Status::invalid_argument(std::string(parameter.key) + " takes one value, not a range");
  }
  ranges_[index_of(parameter)] = range;
  return Status::ok();
}

Status MarketFamily::check(std::string* low, std::string* high) const {
  for (const auto& pair : kOrderedPairs) {
    const ProfileParameter* lo = find_parameter(pair[0]);
    const ProfileParameter* hi = find_parameter(pair[1]);
    if (range(*lo).hi > range(*hi).lo) {
      if (low != nullptr) *low = pair[0];
      if (high != nullptr) *high = pair[1];
      return Status::invalid_argument(std::string(pair[0]) + " " + range_text(*lo, range(*lo)) +
                                      " can exceed " + pair[1] + " " + range_text(*hi, range(*hi)));
    }
  }
  return Status::ok();
}

Status check_profile(const MarketProfile& profile) {
  MarketFamily fixed(profile);
  for (const ProfileParameter& p : kParameters) {
    ST_RETURN_IF_ERROR(fixed.set(p, fixed.range(p)));
  }
  return fixed.check();
}

const MarketFamily& builtin_family() {
  static const MarketFamily family = [] {
    MarketProfile base;
    base.ring_sizes = RingSizes::kEntitiesLogNormal;
    MarketFamily f(base);
    // Every range below is inside its parameter's accepted values: a typo
    // here fails the family's own test, never a user's run.
    auto draw = [&f](const char* key, double lo, double hi) { (void)f.set(*find_parameter(key), {lo, hi}); };
    draw("ring_entity_share", 0.01, 0.08);
    draw("ring_size_median", 8, 40);
    draw("ring_size_spread", 0.8, 2.0);
    draw("storefronts_per_distributor", 6, 25);
    draw("distributors_per_factory", 2, 5);
    draw("storefronts_per_collector", 15, 80);
    draw("small_ring_direct", 0.2, 0.8);
    draw("small_ring_no_collector", 0.2, 0.8);

    draw("factory_ring_region", 0.5, 0.95);
    draw("distributor_ring_region", 0.3, 0.9);
    draw("storefront_ring_region", 0.2, 0.8);
    draw("distributor_second_factory", 0.2, 0.7);
    draw("storefront_second_distributor", 0.1, 0.6);
    draw("storefront_hub", 0, 0.9);
    draw("storefront_second_hub", 0, 0.5);
    draw("storefront_hub_only", 0, 0.5);
    draw("storefront_unshipped", 0, 0.3);
    draw("distributor_legit_share", 0, 0.8);
    draw("factory_legit_outlets", 0, 0.8);

    draw("link_repeat", 0.05, 0.2);
    draw("ring_mates_max", 1, 4);
    draw("storefront_unlinked", 0, 0.3);
    draw("storefront_camouflage", 0, 0.6);
    draw("camouflage_links_max", 1, 3);
    draw("independent_linked", 0.4, 0.9);
    draw("company_store_image", 0.1, 0.5);

    draw("payout_second_collector", 0, 0.4);
    draw("mule_ring_share", 0, 0.6);
    draw("collector_legit_income", 0, 0.5);
    draw("storefront_processor_fee", 0.2, 0.7);
    draw("independent_processor_fee", 0.3, 0.7);
    draw("payout_processor_fee", 0, 0.3);
    draw("collector_processor_fee", 0, 0.6);

    draw("storefront_evidence", 0.02, 0.30);
    draw("ring_evidence_spread", 0, 1.5);
    draw("storefront_second_report", 0.1, 0.5);
    draw("storefront_confirmed", 0, 0.08);
    draw("storefront_genuine_test_buy", 0, 0.15);
    draw("storefront_complaint", 0, 0.06);
    draw("distributor_confirmed", 0, 0.2);
    draw("independent_complaint", 0.005, 0.05);
    draw("independent_wrong_takedown", 0, 0.01);
    draw("independent_genuine_test_buy", 0, 0.03);
    draw("company_store_noise", 0.02, 0.12);

    draw("companies_per_ring", 0.3, 2.0);
    draw("company_stores_min", 2, 4);
    draw("company_stores_max", 6, 30);
    draw("company_second_supplier", 0.2, 0.8);
    draw("company_store_hub", 0.2, 0.8);
    draw("franchises_per_ring", 0.05, 0.5);
    draw("franchise_outlets_min", 5, 10);
    draw("franchise_outlets_max", 20, 60);
    draw("franchise_warehouses_max", 1, 3);
    draw("franchise_own_factory", 0, 0.6);
    draw("franchise_outlet_links", 0.1, 0.5);
    draw("franchise_pos_devices", 0, 0.15);
    draw("franchise_outlet_hub", 0.1, 0.6);
    draw("franchise_noise", 0.01, 0.08);

    draw("ring_churn", 0, 0.4);
    draw("rings_with_fresh", 0.6, 0.95);
    draw("fresh_per_ring_max", 1, 4);
    draw("fresh_controls_ratio", 0.7, 1.4);

    draw("sellers_per_hub", 150, 600);
    draw("hubs_max", 10, 60);
    draw("sellers_per_processor", 1000, 4000);
    draw("processors_max", 5, 30);
    draw("sellers_per_supplier", 150, 500);
    draw("independent_hub", 0.6, 0.95);
    draw("independent_second_hub", 0.1, 0.5);
    draw("independent_small_warehouse", 0.15, 0.55);
    draw("small_warehouse_sellers_max", 3, 10);
    draw("independent_supplier", 0.3, 0.8);

    draw("entities_listed", 0.85, 1.0);
    draw("region_missing", 0, 0.05);
    return f;
  }();
  return family;
}

MarketProfile draw_profile(const MarketFamily& family, std::uint64_t seed) {
  Rng rng(seed, kProfileStream);
  MarketProfile profile;
  for (const ProfileParameter& p : kParameters) {
    const ParameterRange r = family.range(p);
    double x = r.lo;
    if (r.lo != r.hi) {
      if (is_count(p)) {
        x = static_cast<double>(rng.between(static_cast<std::int64_t>(r.lo), static_cast<std::int64_t>(r.hi)));
      } else {
        const double u = rng.uniform();
        x = r.lo + (r.hi - r.lo) * u;
      }
    }
    set_parameter_value(profile, p, x);
  }
  return profile;
}

std::string profile_toml(const MarketProfile& profile, std::string_view header) {
  std::string text;
  std::size_t begin = 0;
  while (begin < header.size()) {
    std::size_t end = header.find('\n', begin);
    if (end == std::string_view::npos) end = header.size();
    text += "# ";
    text += header.substr(begin, end - begin);
    text += '\n';
    begin = end + 1;
  }
  std::string_view section;
  for (const ProfileParameter& p : kParameters) {
    if (section != p.section) {
      section = p.section;
      text += "\n[";
      text += section;
      text += "]\n";
    }
    text += p.key;
    text += " = ";
    if (is_choice(p)) {
      text += '"';
      text += ring_sizes_name(profile.ring_sizes);
      text += '"';
    } else {
      text += range_text(p, {parameter_value(profile, p), parameter_value(profile, p)});
    }
    text += "  # ";
    text += p.meaning;
    text += '\n';
  }
  return text;
}

}  // namespace sourcetrace::market
