// MarketPlan: draws who exists and who is connected to whom, from the seed.
//
// Everything here is sequential and uses one random stream, so the structure
// depends on (seed, sellers, rings, profile) only. The proportions come from
// the profile (profile.hpp; the fixed market's are its defaults) and are the
// ones docs/generator.md promises; change them there too. A structure the
// fixed market lacks is drawn only when its parameter is non-zero, so that
// it never moves a draw of the fixed market.
#include "market_plan.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "random.hpp"

namespace sourcetrace::market {

const std::array<std::string_view, kRegions> kRegionNames = {
    "US-CA", "US-NY", "US-TX", "US-FL", "GB-LND", "DE-BE", "DE-BY", "FR-IDF", "IT-LOM", "ES-MD",
    "NL-NH", "PL-MZ", "CN-GD", "CN-ZJ", "CN-FJ",  "CN-JS", "HK",    "TW",     "JP-13",  "KR-11",
    "IN-MH", "IN-DL", "VN-SG", "TH-10", "TR-34",  "AE-DU", "BR-SP", "MX-CMX", "CA-ON",  "AU-NSW"};

std::string_view role_name(Role role) {
  switch (role) {
    case Role::kLegit: return "legit";
    case Role::kSource: return "source";
    case Role::kDistributor: return "distributor";
    case Role::kStorefront: return "storefront";
    case Role::kCollector: return "collector";
  }
  return "legit";
}

std::string_view group_name(Group group) {
  switch (group) {
    case Group::kNone: return "";
    case Group::kMultiStore: return "multi_store";
    case Group::kFranchise: return "franchise";
    case Group::kHub: return "hub";
  }
  return "";
}

namespace {

// Stream numbers of the structure's draws; tables use their own (generator.cpp).
constexpr std::uint64_t kStructureStream = 1;
constexpr std::uint64_t kSellerIdStream = 2;
constexpr std::uint64_t kWarehouseIdStream = 3;
constexpr std::uint64_t kAccountIdStream = 4;

// Where goods are made, legitimate or not: factories and suppliers cluster
// there, so a region alone does not single out a ring.
constexpr std::uint8_t kMakerRegions[] = {12, 13, 14, 15, 22, 24, 20};

// Identifier numbers are rank * kIdStride + a random offset: unique, sorted
// by rank, with gaps so that consecutive entities do not get consecutive ids.
constexpr std::uint32_t kIdStride = 7;

int digits(std::uint64_t n) {
  int d = 1;
  while (n >= 10) {
    n /= 10;
    ++d;
  }
  return d;
}

std::int32_t day_between(Rng& rng, int lo, int hi) {
  return static_cast<std::int32_t>(rng.between(lo, hi));
}

// Legitimate sellers opened over years, more of them recently.
std::int32_t legit_seller_opened(Rng& rng) {
  const int lo = day_of(2012, 1, 1), hi = day_of(2026, 8, 31);
  const double u = std::sqrt(rng.uniform());
  return lo + static_cast<std::int32_t>(u * (hi - lo));
}

std::uint8_t any_region(Rng& rng) { return static_cast<std::uint8_t>(rng.below(kRegions)); }

std::uint8_t maker_region(Rng& rng) {
  return kMakerRegions[rng.below(sizeof kMakerRegions)];
}

// `first`, and with `second_chance` a second distinct pick from [0, n).
void pick_one_or_two(Rng& rng, std::uint32_t first, std::uint32_t n, double second_chance,
                     std::int32_t out[2]) {
  out[0] = static_cast<std::int32_t>(first);
  out[1] = -1;
  if (n > 1 && rng.chance(second_chance)) {
    auto other = static_cast<std::int32_t>(rng.below(n - 1));
    out[1] = other >= out[0] ? other + 1 : other;
  }
}

void pick_hubs(Rng& rng, std::uint32_t hubs, double first, double second, std::int16_t out[2]) {
  out[0] = out[1] = -1;
  if (!rng.chance(first)) return;
  out[0] = static_cast<std::int16_t>(rng.skewed(hubs));
  if (hubs > 1 && rng.chance(second)) {
    auto h = static_cast<std::int16_t>(rng.below(hubs));
    if (h != out[0]) out[1] = h;
  }
}

}  // namespace

IdBook::IdBook(char prefix, std::uint32_t count, std::uint64_t seed, std::uint64_t stream)
    : prefix_(prefix), number_(count), by_rank_(count) {
  width_ = std::max(6, digits(static_cast<std::uint64_t>(count) * kIdStride));
  Rng rng(seed, stream);
  std::vector<std::uint32_t> rank(count);
  for (std::uint32_t i = 0; i < count; ++i) rank[i] = i;
  for (std::uint32_t i = count; i > 1; --i) {
    std::swap(rank[i - 1], rank[rng.below(i)]);
  }
  for (std::uint32_t i = 0; i < count; ++i) {
    number_[i] = rank[i] * kIdStride + static_cast<std::uint32_t>(rng.below(kIdStride));
    by_rank_[rank[i]] = i;
  }
}

IdBook::Text IdBook::text(std::uint32_t index) const {
  Text t;
  t.data[0] = prefix_;
  std::uint32_t n = number_[index];
  for (int i = width_; i >= 1; --i) {
    t.data[i] = static_cast<char>('0' + n % 10);
    n /= 10;
  }
  t.size = static_cast<std::uint8_t>(width_ + 1);
  return t;
}

namespace {

// A ring's make-up in the entities_lognormal model.
struct RingShape {
  std::uint32_t factories = 1, distributors = 0, storefronts = 1, collectors = 0;
};

// Entities of one ring: median * 2^(spread * Z) with Z roughly normal,
// redrawn outside [min, max]: a truncated discrete log-normal, many small
// rings and a few giant ones.
std::uint32_t ring_entities(Rng& rng, const MarketProfile& p) {
  for (int attempt = 0; attempt < 64; ++attempt) {
    const double z = rng.normal();
    const double size = std::round(p.ring_size_median * pow2_piecewise(p.ring_size_spread * z));
    if (size >= p.ring_entities_min && size <= p.ring_entities_max) return static_cast<std::uint32_t>(size);
  }
  // A median far outside [min, max]: the nearest bound.
  return static_cast<std::uint32_t>(
      std::clamp(std::round(p.ring_size_median), static_cast<double>(p.ring_entities_min),
                 static_cast<double>(p.ring_entities_max)));
}

// The make-up of a ring of at most `entities` entities: storefronts and
// their payout accounts take most of it, with one distributor per
// storefronts_per_distributor storefronts, one factory per
// distributors_per_factory distributors and one collector per
// storefronts_per_collector storefronts. A small ring may ship straight from
// its factory or sweep its takings to one storefront's payout account.
RingShape compose_ring(Rng& rng, const MarketProfile& p, std::uint32_t entities) {
  const bool small = entities < p.small_ring_entities;
  bool direct = small && rng.chance(p.small_ring_direct);
  bool no_collector = small && rng.chance(p.small_ring_no_collector);
  auto one_per = [](std::uint32_t n, double each) {
    return std::max<std::uint32_t>(1, static_cast<std::uint32_t>(std::ceil(n / each)));
  };
  RingShape shape;
  std::uint32_t storefronts = std::max<std::uint32_t>(1, (entities - 1) / 2);
  for (;;) {
    shape.storefronts = storefronts;
    shape.distributors = direct ? 0 : one_per(storefronts, p.storefronts_per_distributor);
    shape.factories = one_per(direct ? 1 : shape.distributors, p.distributors_per_factory);
    shape.collectors = no_collector ? 0 : one_per(storefronts, p.storefronts_per_collector);
    if (shape.factories + shape.distributors + shape.collectors + 2 * storefronts <= entities) break;
    // Fewer storefronts first; a one-storefront ring then drops its
    // middlemen (3 entities: a factory, a storefront, its payout account).
    if (storefronts > 1) {
      --storefronts;
    } else if (!no_collector) {
      no_collector = true;
    } else if (!direct) {
      direct = true;
    } else {
      break;
    }
  }
  return shape;
}

// A legitimate look-alike's warehouse or account, opened with the business.
EntityInfo lookalike_info(std::int32_t created, std::uint8_t region, Group group) {
  EntityInfo info;
  info.created = created;
  info.region = region;
  info.group = group;
  return info;
}

// Appends a warehouse or an account (WarehousePlan, AccountPlan); returns its index.
template <typename EntityPlan, typename Type>
std::uint32_t append(std::vector<EntityPlan>& entities, Type type, std::int32_t owner, const EntityInfo& info) {
  EntityPlan e;
  e.type = type;
  e.owner = owner;
  e.info = info;
  entities.push_back(e);
  return static_cast<std::uint32_t>(entities.size() - 1);
}

// Two distinct picks (or one when n == 1) from [begin, begin + n).
void pick_ties(Rng& rng, std::uint32_t begin, std::uint32_t n, std::int32_t out[2]) {
  const auto wanted = n > 1 ? rng.between(1, 2) : 1;
  const auto a = static_cast<std::uint32_t>(rng.below(n));
  out[0] = static_cast<std::int32_t>(begin + a);
  if (wanted == 2) {
    auto b = static_cast<std::uint32_t>(rng.below(n - 1));
    if (b >= a) ++b;
    out[1] = static_cast<std::int32_t>(begin + b);
  }
}

}  // namespace

Result<MarketPlan> build_market_plan(const GeneratorOptions& options) {
  const MarketProfile p = options.profile.value_or(MarketProfile());
  if (Status checked = check_profile(p); !checked.is_ok()) return checked.with_context("profile");
  const std::uint64_t n_sellers = options.sellers;
  if (n_sellers < 16) {
    return Status::invalid_argument("a market needs at least 16 sellers (got " +
                                    std::to_string(n_sellers) + ")");
  }
  if (n_sellers > 200'000'000) {
    return Status::invalid_argument("at most 200000000 sellers (got " +
                                    std::to_string(n_sellers) + ")");
  }
  const bool lognormal = p.ring_sizes == RingSizes::kEntitiesLogNormal;
  // With a ring-entity share the ring count follows from the drawn sizes.
  const bool by_share = options.rings == 0 && lognormal && p.ring_entity_share > 0;
  const std::uint64_t n_rings =
      options.rings != 0 ? options.rings : std::max<std::uint64_t>(1, n_sellers / p.sellers_per_ring);
  if (!by_share && n_rings * 8 > n_sellers) {
    return Status::invalid_argument(std::to_string(n_rings) + " rings need at least " +
                                    std::to_string(n_rings * 8) + " sellers (got " +
                                    std::to_string(n_sellers) + ")");
  }

  MarketPlan plan;
  plan.seed = options.seed;
  plan.profile = p;
  plan.varied = options.profile.has_value();
  Rng rng(options.seed, kStructureStream);
  const auto N = static_cast<std::uint32_t>(n_sellers);

  // ---- ring sizes. Scaled down when the market is too small for them, so
  // that ring storefronts stay about half the sellers at most.
  const std::uint64_t storefront_cap = n_sellers / 2;
  std::vector<std::uint32_t> ring_size;  // storefronts_geometric: storefronts per ring
  std::vector<RingShape> shapes;         // entities_lognormal
  std::uint64_t total_storefronts = 0;
  if (!lognormal) {
    // min + geometric (the fixed market: 10 + a tail of mean ~14, at most 60).
    ring_size.resize(n_rings);
    for (auto& size : ring_size) {
      std::uint32_t extra = 0;
      while (extra < p.ring_storefronts_extra_max && rng.chance(p.ring_storefronts_extra_chance)) ++extra;
      size = p.ring_storefronts_min + extra;
      total_storefronts += size;
    }
    if (total_storefronts > storefront_cap) {
      const std::uint64_t before = total_storefronts;
      total_storefronts = 0;
      for (auto& size : ring_size) {
        size = static_cast<std::uint32_t>(std::max<std::uint64_t>(2, size * storefront_cap / before));
        total_storefronts += size;
      }
    }
  } else {
    std::vector<std::uint32_t> entities;
    if (by_share) {
      // Every seller comes with a payout account: 2 entities per seller.
      const double target = p.ring_entity_share * 2.0 * static_cast<double>(n_sellers);
      const std::uint64_t most = std::max<std::uint64_t>(1, n_sellers / 8);
      double sum = 0;
      while (entities.empty() || (sum < target && entities.size() < most)) {
        // The last ring is cut to twice the room left, so that a giant ring
        // drawn for a small market does not swamp its share.
        const double room = std::max(target - sum, 1.0);
        const std::uint32_t drawn = ring_entities(rng, p);
        entities.push_back(std::min(drawn, std::max(p.ring_entities_min, static_cast<std::uint32_t>(2 * room))));
        sum += entities.back();
      }
    } else {
      for (std::uint64_t r = 0; r < n_rings; ++r) entities.push_back(ring_entities(rng, p));
    }
    std::uint64_t sum = 0;
    for (std::uint32_t e : entities) sum += e;
    if (sum / 2 > storefront_cap) {
      for (auto& e : entities) {
        e = static_cast<std::uint32_t>(std::max<std::uint64_t>(p.ring_entities_min, e * storefront_cap * 2 / sum));
      }
    }
    for (std::uint32_t e : entities) {
      shapes.push_back(compose_ring(rng, p, e));
      total_storefronts += shapes.back().storefronts;
    }
  }
  const auto R = static_cast<std::uint32_t>(lognormal ? shapes.size() : ring_size.size());
  const auto SF = static_cast<std::uint32_t>(total_storefronts);

  plan.hubs = static_cast<std::uint32_t>(
      std::clamp<std::uint64_t>(n_sellers / p.sellers_per_hub, p.hubs_min, p.hubs_max));
  plan.processors = static_cast<std::uint32_t>(
      std::clamp<std::uint64_t>(n_sellers / p.sellers_per_processor, p.processors_min, p.processors_max));
  const auto n_suppliers =
      static_cast<std::uint32_t>(std::max<std::uint64_t>(3, n_sellers / p.sellers_per_supplier));

  plan.sellers.resize(N);
  plan.storefronts.resize(SF);
  plan.accounts.resize(N);  // payout accounts; the others are appended

  // ---- hubs and legitimate suppliers
  for (std::uint32_t h = 0; h < plan.hubs; ++h) {
    WarehousePlan w;
    w.type = WarehouseType::kHub;
    w.info.created = day_between(rng, day_of(2010, 1, 1), day_of(2018, 12, 31));
    w.info.region = any_region(rng);
    w.info.group = Group::kHub;
    plan.warehouses.push_back(w);
  }
  plan.processor_begin = N;
  for (std::uint32_t k = 0; k < plan.processors; ++k) {
    AccountPlan a;
    a.type = AccountType::kProcessor;
    a.info.created = day_between(rng, day_of(2010, 1, 1), day_of(2015, 12, 31));
    a.info.region = any_region(rng);
    a.info.group = Group::kHub;
    plan.accounts.push_back(a);
  }
  for (std::uint32_t s = 0; s < n_suppliers; ++s) {
    SupplierPlan sp;
    sp.warehouse = static_cast<std::uint32_t>(plan.warehouses.size());
    sp.account = static_cast<std::uint32_t>(plan.accounts.size());
    const auto n_hubs = static_cast<int>(rng.between(1, 3));
    for (int k = 0; k < n_hubs; ++k) {
      auto h = static_cast<std::int16_t>(rng.skewed(plan.hubs));
      bool seen = false;
      for (int j = 0; j < k; ++j) seen |= sp.hubs[j] == h;
      if (!seen) sp.hubs[k] = h;
    }
    WarehousePlan w;
    w.type = WarehouseType::kSupplier;
    w.owner = static_cast<std::int32_t>(s);
    w.info.created = day_between(rng, day_of(2010, 1, 1), day_of(2022, 12, 31));
    w.info.region = rng.chance(0.5) ? maker_region(rng) : any_region(rng);
    plan.warehouses.push_back(w);
    AccountPlan a;
    a.type = AccountType::kSupplier;
    a.owner = static_cast<std::int32_t>(s);
    a.info.created = w.info.created;
    a.info.region = w.info.region;
    plan.accounts.push_back(a);
    plan.suppliers.push_back(sp);
  }

  // ---- rings: factories → distributors → storefronts → payout → collectors
  std::uint32_t next_storefront = 0;
  std::uint64_t fresh_storefronts = 0;
  for (std::uint32_t r = 0; r < R; ++r) {
    RingPlan ring;
    const auto ring_id = static_cast<std::int32_t>(r);
    ring.region = any_region(rng);
    ring.brand_count = static_cast<std::uint8_t>(rng.between(1, 3));
    for (int b = 0; b < ring.brand_count;) {
      auto brand = static_cast<std::uint8_t>(rng.below(kBrands));
      bool seen = false;
      for (int j = 0; j < b; ++j) seen |= ring.brands[j] == brand;
      if (!seen) ring.brands[b++] = brand;
    }
    // Every factory feeds a distributor and every distributor a storefront
    // (round robin below), so no planted member is a dead end.
    if (!lognormal) {
      ring.storefronts = ring_size[r];
      ring.distributors = std::min(
          static_cast<std::uint32_t>(rng.between(p.ring_distributors_min, p.ring_distributors_max)),
          ring.storefronts);
      ring.factories = std::min(
          static_cast<std::uint32_t>(rng.between(p.ring_factories_min, p.ring_factories_max)), ring.distributors);
      ring.collectors = std::min(
          static_cast<std::uint32_t>(rng.between(p.ring_collectors_min, p.ring_collectors_max)), ring.storefronts);
    } else {
      ring.storefronts = shapes[r].storefronts;
      ring.distributors = shapes[r].distributors;
      ring.factories = shapes[r].factories;
      ring.collectors = shapes[r].collectors;
    }
    // Fresh storefronts come last in the ring (never a ring mate's pick);
    // the burned ones first, their replacements at the end of the
    // established ones. Both only when the profile plants them.
    ring.established = ring.storefronts;
    if (p.rings_with_fresh > 0 && ring.distributors > 0 && ring.collectors > 0 && ring.storefronts > 1 &&
        rng.chance(p.rings_with_fresh)) {
      const auto fresh = static_cast<std::uint32_t>(rng.between(1, p.fresh_per_ring_max));
      ring.established -= std::min(fresh, ring.storefronts - 1);
    }
    if (p.ring_churn > 0) {
      ring.burned = std::min(static_cast<std::uint32_t>(std::llround(p.ring_churn * ring.established)),
                             (ring.established - 1) / 2);
    }
    fresh_storefronts += ring.storefronts - ring.established;
    ring.evidence_rate = p.storefront_evidence;
    if (p.ring_evidence_spread > 0) {
      const double z = rng.normal();
      ring.evidence_rate = std::min(1.0, p.storefront_evidence * pow2_piecewise(p.ring_evidence_spread * z));
    }

    ring.factory_begin = static_cast<std::uint32_t>(plan.warehouses.size());
    const std::uint8_t factory_region = maker_region(rng);
    for (std::uint32_t f = 0; f < ring.factories; ++f) {
      WarehousePlan w;
      w.type = WarehouseType::kFactory;
      w.owner = ring_id;
      w.info = {ring_id, day_between(rng, day_of(2014, 1, 1), day_of(2024, 6, 30)), Role::kSource,
                rng.chance(p.factory_ring_region) ? factory_region : maker_region(rng)};
      // Genuine generic goods by day: some output goes to a legitimate
      // supplier or straight to a hub.
      if (p.factory_legit_outlets > 0 && rng.chance(p.factory_legit_outlets)) {
        if (rng.chance(0.5)) {
          w.outlet = static_cast<std::int32_t>(rng.skewed(plan.hubs));
        } else {
          w.outlet = static_cast<std::int32_t>(plan.suppliers[rng.below(n_suppliers)].warehouse);
        }
      }
      plan.warehouses.push_back(w);
    }
    ring.distributor_begin = static_cast<std::uint32_t>(plan.warehouses.size());
    for (std::uint32_t d = 0; d < ring.distributors; ++d) {
      WarehousePlan w;
      w.type = WarehouseType::kDistributor;
      w.owner = static_cast<std::int32_t>(plan.distributor_factories.size());
      w.info = {ring_id, day_between(rng, day_of(2018, 1, 1), day_of(2024, 12, 31)),
                Role::kDistributor, rng.chance(p.distributor_ring_region) ? ring.region : any_region(rng)};
      plan.warehouses.push_back(w);
      std::int32_t fed_by[2];
      pick_one_or_two(rng, d % ring.factories, ring.factories, p.distributor_second_factory, fed_by);
      for (auto& f : fed_by) {
        if (f >= 0) f += static_cast<std::int32_t>(ring.factory_begin);
      }
      plan.distributor_factories.push_back({fed_by[0], fed_by[1]});
    }
    ring.collector_begin = static_cast<std::uint32_t>(plan.accounts.size());
    for (std::uint32_t c = 0; c < ring.collectors; ++c) {
      AccountPlan a;
      a.type = AccountType::kCollector;
      a.owner = ring_id;
      a.info = {ring_id, day_between(rng, day_of(2021, 1, 1), day_of(2025, 3, 31)),
                Role::kCollector, any_region(rng)};
      plan.accounts.push_back(a);
    }
    ring.storefront_begin = next_storefront;
    // A ring without distributors ships from its factories.
    const bool direct = ring.distributors == 0;
    const std::uint32_t suppliers = direct ? ring.factories : ring.distributors;
    const std::uint32_t supplier_begin = direct ? ring.factory_begin : ring.distributor_begin;
    const std::uint32_t reregistered_begin = ring.established - ring.burned;
    for (std::uint32_t j = 0; j < ring.storefronts; ++j) {
      const std::uint32_t s = next_storefront++;
      SellerPlan& seller = plan.sellers[s];
      StorefrontPlan& front = plan.storefronts[s];
      const bool fresh = j >= ring.established;
      const bool reregistered = !fresh && j >= reregistered_begin && ring.burned > 0;
      seller.type = SellerType::kStorefront;
      std::int32_t opened = 0;
      if (fresh) {
        opened = day_between(rng, kFreshBegin, kEventsEnd);
      } else if (reregistered) {
        // Opened in the days up to its predecessor's takedown: a ring keeps
        // replacements ready on the same device or bank holder.
        const auto predecessor = ring.storefront_begin + (j - reregistered_begin);
        const std::int32_t burned_on = plan.storefronts[predecessor].burned_on;
        opened = day_between(rng, burned_on - 7, burned_on);
        front.tie[0] = static_cast<std::int32_t>(predecessor);
      } else {
        opened = day_between(rng, day_of(2024, 10, 1), day_of(2026, 6, 30));
      }
      seller.info = {ring_id, opened, Role::kStorefront,
                     rng.chance(p.storefront_ring_region) ? ring.region : any_region(rng)};
      seller.info.fresh = fresh;
      pick_hubs(rng, plan.hubs, p.storefront_hub, p.storefront_second_hub, seller.hub);
      if (fresh) {
        // Stocked at one distributor.
        front.distributor[0] = static_cast<std::int32_t>(supplier_begin + j % suppliers);
      } else {
        std::int32_t fed_by[2];
        pick_one_or_two(rng, j % suppliers, suppliers, p.storefront_second_distributor, fed_by);
        for (int k = 0; k < 2; ++k) {
          front.distributor[k] = fed_by[k] < 0 ? -1 : fed_by[k] + static_cast<std::int32_t>(supplier_begin);
        }
      }
      if (ring.collectors > 0) {
        // Round robin gives every collector at least one payer; a few payout
        // accounts split their money over two collectors.
        const std::uint32_t primary = j % ring.collectors;
        front.collector[0] = static_cast<std::int32_t>(ring.collector_begin + primary);
        if (ring.collectors > 1 && rng.chance(p.payout_second_collector)) {
          const auto other = static_cast<std::uint32_t>(rng.below(ring.collectors - 1));
          front.collector[1] =
              static_cast<std::int32_t>(ring.collector_begin + (other >= primary ? other + 1 : other));
        }
      } else if (j > 0) {
        // No collector of its own: the first storefront's payout account
        // (account index = seller index) takes the ring's money.
        front.collector[0] = static_cast<std::int32_t>(ring.storefront_begin);
      }
      AccountPlan& payout = plan.accounts[s];
      payout.type = AccountType::kPayout;
      payout.owner = static_cast<std::int32_t>(s);
      payout.info = seller.info;
      payout.info.created = std::min<std::int32_t>(
          seller.info.created + static_cast<std::int32_t>(rng.below(11)), kEventsEnd);
      if (j < ring.burned) {
        // Taken down at least 20 days after it opened and once every
        // distributor and collector of the ring exists (so its own flows
        // are on the record), early enough that its replacement is not fresh.
        const int from = std::max<int>(seller.info.created + 20, day_of(2025, 4, 30));
        front.burned_on = day_between(rng, from, kFreshBegin - 1);
      }
      if (fresh) {
        // Tied to one or two older storefronts still running.
        pick_ties(rng, ring.storefront_begin + ring.burned, ring.established - ring.burned, front.tie);
      }
      // The first storefronts of the round robin keep every link, so that
      // every distributor still serves someone on the record.
      if (!fresh && j >= suppliers) {
        if (p.storefront_hub_only > 0 && seller.hub[0] >= 0) front.hub_only = rng.chance(p.storefront_hub_only);
        if (p.storefront_unshipped > 0) front.unshipped = rng.chance(p.storefront_unshipped);
      }
    }
    plan.rings.push_back(ring);
  }

  // ---- shared mules: some collectors also take small payments from
  // storefronts of one or two other rings. At most three foreign payers of
  // at most 150.00 once each, against at least one own payer of 500.00 and
  // more, so the mule's truth ring (the ring paying it most) is its own.
  if (R > 1) {
    for (std::uint32_t r = 0; r < R; ++r) {
      const RingPlan& ring = plan.rings[r];
      if (ring.collectors == 0) continue;
      if (!rng.chance(p.mule_ring_share)) continue;
      const auto mule = static_cast<std::int32_t>(ring.collector_begin + rng.below(ring.collectors));
      const auto other_rings = std::min<std::uint32_t>(static_cast<std::uint32_t>(rng.between(1, 2)), R - 1);
      int payers_left = 3;
      for (std::uint32_t k = 0; k < other_rings && payers_left > 0; ++k) {
        auto other = static_cast<std::uint32_t>(rng.below(R - 1));
        if (other >= r) ++other;
        const RingPlan& foreign = plan.rings[other];
        const auto wanted = static_cast<int>(rng.between(1, 2));
        for (int q = 0; q < wanted && payers_left > 0; ++q) {
          const auto s = foreign.storefront_begin + static_cast<std::uint32_t>(rng.below(foreign.established));
          if (plan.storefronts[s].mule >= 0) continue;
          plan.storefronts[s].mule = mule;
          --payers_left;
        }
      }
    }
  }

  // Legitimate sellers: look-alike businesses first, then independents, the
  // fresh controls last (so that no random pick of a legitimate seller ever
  // lands on one: their only older ties are their own).
  const std::uint32_t legit = N - SF;
  std::uint32_t controls = 0;
  if (p.fresh_controls_ratio > 0) {
    controls = std::min(
        std::max<std::uint32_t>(1, static_cast<std::uint32_t>(std::llround(
                                       static_cast<double>(fresh_storefronts) * p.fresh_controls_ratio))),
        legit / 10);
  }
  plan.first_control = N - controls;
  // Look-alikes never take more than three quarters of the legitimate sellers.
  const std::uint32_t lookalike_end = SF + legit / 4 * 3;

  // ---- legitimate multi-store businesses (the traps)
  const std::uint32_t n_companies = std::min<std::uint32_t>(
      std::max<std::uint32_t>(1, static_cast<std::uint32_t>(std::llround(R * p.companies_per_ring))),
      legit / p.legit_sellers_per_company);
  std::uint32_t next_seller = SF;
  for (std::uint32_t c = 0; c < n_companies; ++c) {
    CompanyPlan company;
    const auto company_id = static_cast<std::int32_t>(c);
    company.seller_begin = next_seller;
    company.sellers = static_cast<std::uint32_t>(rng.between(p.company_stores_min, p.company_stores_max));
    if (next_seller + company.sellers > lookalike_end) break;
    const std::uint8_t region = any_region(rng);
    const std::int32_t created = day_between(rng, day_of(2012, 1, 1), day_of(2024, 6, 30));
    const EntityInfo info = lookalike_info(created, region, Group::kMultiStore);
    company.warehouse = append(plan.warehouses, WarehouseType::kCompany, company_id, info);
    company.account = append(plan.accounts, AccountType::kCompany, company_id, info);
    company.supplier[0] = static_cast<std::int32_t>(rng.skewed(n_suppliers));
    if (rng.chance(p.company_second_supplier)) {
      auto s = static_cast<std::int32_t>(rng.below(n_suppliers));
      if (s != company.supplier[0]) company.supplier[1] = s;
    }
    for (std::uint32_t j = 0; j < company.sellers; ++j) {
      const std::uint32_t s = next_seller++;
      SellerPlan& seller = plan.sellers[s];
      seller.type = SellerType::kCompanyStore;
      seller.company = company_id;
      seller.info.created = std::max<std::int32_t>(created, legit_seller_opened(rng));
      seller.info.region = rng.chance(p.company_store_region) ? region : any_region(rng);
      seller.info.group = Group::kMultiStore;
      pick_hubs(rng, plan.hubs, p.company_store_hub, 0.1, seller.hub);
    }
    plan.companies.push_back(company);
  }

  // ---- franchises: a franchisor's central warehouses (fed by suppliers or
  // its own factory) supply independent outlets, whose payout accounts pay
  // fees to the franchisor: a ring's shape, all of it legitimate.
  if (p.franchises_per_ring > 0) {
    const auto n_franchises =
        std::max<std::uint32_t>(1, static_cast<std::uint32_t>(std::llround(R * p.franchises_per_ring)));
    for (std::uint32_t f = 0; f < n_franchises; ++f) {
      FranchisePlan franchise;
      const auto franchise_id = static_cast<std::int32_t>(f);
      const auto outlets = static_cast<std::uint32_t>(rng.between(p.franchise_outlets_min, p.franchise_outlets_max));
      if (next_seller + outlets > lookalike_end) break;
      franchise.outlet_begin = next_seller;
      franchise.outlets = outlets;
      const std::uint8_t region = any_region(rng);
      const std::int32_t created = day_between(rng, day_of(2010, 1, 1), day_of(2020, 12, 31));
      franchise.warehouses = static_cast<std::uint32_t>(rng.between(1, p.franchise_warehouses_max));
      franchise.warehouse_begin = static_cast<std::uint32_t>(plan.warehouses.size());
      for (std::uint32_t k = 0; k < franchise.warehouses; ++k) {
        const std::uint8_t at = k == 0 ? region : any_region(rng);
        append(plan.warehouses, WarehouseType::kFranchise, franchise_id, lookalike_info(created, at, Group::kFranchise));
      }
      franchise.account = append(plan.accounts, AccountType::kFranchisor, franchise_id,
                                      lookalike_info(created, region, Group::kFranchise));
      if (rng.chance(p.franchise_own_factory)) {
        const std::uint8_t at = maker_region(rng);
        franchise.factory = static_cast<std::int32_t>(append(
            plan.warehouses, WarehouseType::kFranchiseFactory, franchise_id, lookalike_info(created, at, Group::kFranchise)));
      } else {
        franchise.supplier[0] = static_cast<std::int32_t>(rng.skewed(n_suppliers));
        if (rng.chance(p.company_second_supplier)) {
          auto s = static_cast<std::int32_t>(rng.below(n_suppliers));
          if (s != franchise.supplier[0]) franchise.supplier[1] = s;
        }
      }
      for (std::uint32_t j = 0; j < outlets; ++j) {
        const std::uint32_t s = next_seller++;
        SellerPlan& seller = plan.sellers[s];
        seller.type = SellerType::kFranchiseOutlet;
        seller.company = franchise_id;
        seller.info.created = std::max<std::int32_t>(created, legit_seller_opened(rng));
        seller.info.region = rng.chance(0.5) ? region : any_region(rng);
        seller.info.group = Group::kFranchise;
        pick_hubs(rng, plan.hubs, p.franchise_outlet_hub, 0.1, seller.hub);
      }
      plan.franchises.push_back(franchise);
    }
  }

  // ---- independent legitimate sellers; small warehouses are shared by a
  // handful of neighbours.
  std::int32_t small_warehouse = -1;
  int small_left = 0;
  auto place_independent = [&](std::uint32_t s, std::int32_t opened) {
    SellerPlan& seller = plan.sellers[s];
    seller.type = SellerType::kIndependent;
    seller.info.created = opened;
    seller.info.region = any_region(rng);
    pick_hubs(rng, plan.hubs, p.independent_hub, p.independent_second_hub, seller.hub);
    if (seller.hub[0] < 0 || rng.chance(p.independent_small_warehouse)) {
      if (small_left == 0) {
        small_warehouse = static_cast<std::int32_t>(plan.warehouses.size());
        small_left = static_cast<int>(rng.between(p.small_warehouse_sellers_min, p.small_warehouse_sellers_max));
        WarehousePlan w;
        w.type = WarehouseType::kSmall;
        w.info.created = day_between(rng, day_of(2012, 1, 1), day_of(2025, 6, 30));
        w.info.region = seller.info.region;
        plan.warehouses.push_back(w);
      }
      seller.small_warehouse = small_warehouse;
      --small_left;
    }
    if (rng.chance(p.independent_supplier)) seller.supplier = static_cast<std::int32_t>(rng.skewed(n_suppliers));
  };
  plan.first_independent = next_seller;
  for (std::uint32_t s = next_seller; s < plan.first_control; ++s) {
    const std::int32_t opened = legit_seller_opened(rng);
    place_independent(s, opened);
  }
  // ---- fresh controls: new honest sellers (a second store of an older
  // one, on the same device, phone or bank holder), opened in the fresh
  // window and stocked like any independent seller.
  const std::uint32_t independents = plan.first_control - plan.first_independent;
  for (std::uint32_t s = plan.first_control; s < N; ++s) {
    const std::int32_t opened = day_between(rng, kFreshBegin, kEventsEnd);
    place_independent(s, opened);
    plan.sellers[s].info.fresh = true;
    std::int32_t ties[2] = {-1, -1};
    pick_ties(rng, plan.first_independent, independents, ties);
    plan.control_ties.push_back({ties[0], ties[1]});
  }

  // ---- ring distributors that also sell real goods to honest shops: each
  // gets legitimate buyers in proportion to the storefronts it serves.
  if (p.distributor_legit_share > 0 && independents > 0) {
    std::vector<std::uint32_t> served(plan.warehouses.size(), 0);
    for (const StorefrontPlan& front : plan.storefronts) {
      for (std::int32_t d : front.distributor) {
        if (d >= 0) ++served[static_cast<std::size_t>(d)];
      }
    }
    std::uint32_t budget = independents / 2;
    for (std::size_t d = 0; d < plan.warehouses.size() && budget > 0; ++d) {
      if (plan.warehouses[d].type != WarehouseType::kDistributor || served[d] == 0) continue;
      const auto buyers = static_cast<std::uint32_t>(std::llround(
          served[d] * p.distributor_legit_share / (1 - p.distributor_legit_share)));
      for (std::uint32_t k = 0; k < buyers && budget > 0; ++k, --budget) {
        SellerPlan& buyer = plan.sellers[plan.first_independent + rng.below(independents)];
        if (buyer.wholesaler < 0) buyer.wholesaler = static_cast<std::int32_t>(d);
      }
    }
  }

  // Payout accounts of legitimate sellers (ring ones are set above).
  for (std::uint32_t s = SF; s < N; ++s) {
    AccountPlan& payout = plan.accounts[s];
    payout.type = AccountType::kPayout;
    payout.owner = static_cast<std::int32_t>(s);
    payout.info = plan.sellers[s].info;
    payout.info.created = std::min<std::int32_t>(
        plan.sellers[s].info.created + static_cast<std::int32_t>(rng.below(11)), kEventsEnd);
  }

  if (plan.warehouses.size() >= 0x7fffffffu || plan.accounts.size() >= 0x7fffffffu) {
    return Status::invalid_argument("market too large");
  }
  plan.seller_ids = IdBook('S', N, options.seed, kSellerIdStream);
  plan.warehouse_ids =
      IdBook('W', static_cast<std::uint32_t>(plan.warehouses.size()), options.seed, kWarehouseIdStream);
  plan.account_ids =
      IdBook('A', static_cast<std::uint32_t>(plan.accounts.size()), options.seed, kAccountIdStream);
  return plan;
}

}  // namespace sourcetrace::market
