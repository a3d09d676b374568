// MarketPlan: draws who exists and who is connected to whom, from the seed.
//
// Everything here is sequential and uses one random stream, so the structure
// depends on (seed, sellers, rings) only. The proportions are the ones
// docs/generator.md promises; change them there too.
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

Result<MarketPlan> build_market_plan(const GeneratorOptions& options) {
  const std::uint64_t n_sellers = options.sellers;
  if (n_sellers < 16) {
    return Status::invalid_argument("a market needs at least 16 sellers (got " +
                                    std::to_string(n_sellers) + ")");
  }
  if (n_sellers > 200'000'000) {
    return Status::invalid_argument("at most 200000000 sellers (got " +
                                    std::to_string(n_sellers) + ")");
  }
  const std::uint64_t n_rings =
      options.rings != 0 ? options.rings : std::max<std::uint64_t>(1, n_sellers / 500);
  if (n_rings * 8 > n_sellers) {
    return Status::invalid_argument(std::to_string(n_rings) + " rings need at least " +
                                    std::to_string(n_rings * 8) + " sellers (got " +
                                    std::to_string(n_sellers) + ")");
  }

  MarketPlan plan;
  plan.seed = options.seed;
  Rng rng(options.seed, kStructureStream);
  const auto N = static_cast<std::uint32_t>(n_sellers);
  const auto R = static_cast<std::uint32_t>(n_rings);

  // ---- ring sizes: 10 + geometric (mean ~14), at most 60; a few large rings,
  // many small ones. Scaled down when the market is too small for them.
  std::vector<std::uint32_t> ring_size(R);
  std::uint64_t total_storefronts = 0;
  for (auto& size : ring_size) {
    std::uint32_t extra = 0;
    while (extra < 50 && rng.chance(14.0 / 15.0)) ++extra;
    size = 10 + extra;
    total_storefronts += size;
  }
  const std::uint64_t storefront_cap = n_sellers / 2;
  if (total_storefronts > storefront_cap) {
    const std::uint64_t before = total_storefronts;
    total_storefronts = 0;
    for (auto& size : ring_size) {
      size = static_cast<std::uint32_t>(std::max<std::uint64_t>(2, size * storefront_cap / before));
      total_storefronts += size;
    }
  }
  const auto SF = static_cast<std::uint32_t>(total_storefronts);

  plan.hubs = static_cast<std::uint32_t>(std::clamp<std::uint64_t>(n_sellers / 300, 3, 30));
  plan.processors = static_cast<std::uint32_t>(std::clamp<std::uint64_t>(n_sellers / 2000, 3, 20));
  const auto n_suppliers = static_cast<std::uint32_t>(std::max<std::uint64_t>(3, n_sellers / 250));

  plan.sellers.resize(N);
  plan.storefronts.resize(SF);
  plan.accounts.resize(N);  // payout accounts; the others are appended

  // ---- hubs and legitimate suppliers
  for (std::uint32_t h = 0; h < plan.hubs; ++h) {
    WarehousePlan w;
    w.type = WarehouseType::kHub;
    w.info.created = day_between(rng, day_of(2010, 1, 1), day_of(2018, 12, 31));
    w.info.region = any_region(rng);
    plan.warehouses.push_back(w);
  }
  plan.processor_begin = N;
  for (std::uint32_t p = 0; p < plan.processors; ++p) {
    AccountPlan a;
    a.type = AccountType::kProcessor;
    a.info.created = day_between(rng, day_of(2010, 1, 1), day_of(2015, 12, 31));
    a.info.region = any_region(rng);
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
    ring.storefronts = ring_size[r];
    ring.distributors =
        std::min(static_cast<std::uint32_t>(rng.between(2, 5)), ring.storefronts);
    ring.factories = std::min(static_cast<std::uint32_t>(rng.between(1, 3)), ring.distributors);
    ring.collectors = std::min(static_cast<std::uint32_t>(rng.between(1, 3)), ring.storefronts);

    ring.factory_begin = static_cast<std::uint32_t>(plan.warehouses.size());
    const std::uint8_t factory_region = maker_region(rng);
    for (std::uint32_t f = 0; f < ring.factories; ++f) {
      WarehousePlan w;
      w.type = WarehouseType::kFactory;
      w.owner = ring_id;
      w.info = {ring_id, day_between(rng, day_of(2014, 1, 1), day_of(2024, 6, 30)), Role::kSource,
                rng.chance(0.8) ? factory_region : maker_region(rng)};
      plan.warehouses.push_back(w);
    }
    ring.distributor_begin = static_cast<std::uint32_t>(plan.warehouses.size());
    for (std::uint32_t d = 0; d < ring.distributors; ++d) {
      WarehousePlan w;
      w.type = WarehouseType::kDistributor;
      w.owner = static_cast<std::int32_t>(plan.distributor_factories.size());
      w.info = {ring_id, day_between(rng, day_of(2018, 1, 1), day_of(2024, 12, 31)),
                Role::kDistributor, rng.chance(0.6) ? ring.region : any_region(rng)};
      plan.warehouses.push_back(w);
      std::int32_t fed_by[2];
      pick_one_or_two(rng, d % ring.factories, ring.factories, 0.4, fed_by);
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
    for (std::uint32_t j = 0; j < ring.storefronts; ++j) {
      const std::uint32_t s = next_storefront++;
      SellerPlan& seller = plan.sellers[s];
      seller.type = SellerType::kStorefront;
      seller.info = {ring_id, day_between(rng, day_of(2024, 10, 1), day_of(2026, 6, 30)),
                     Role::kStorefront, rng.chance(0.5) ? ring.region : any_region(rng)};
      pick_hubs(rng, plan.hubs, 0.8, 0.25, seller.hub);
      StorefrontPlan& front = plan.storefronts[s];
      std::int32_t fed_by[2];
      pick_one_or_two(rng, j % ring.distributors, ring.distributors, 0.35, fed_by);
      for (int k = 0; k < 2; ++k) {
        front.distributor[k] =
            fed_by[k] < 0 ? -1 : fed_by[k] + static_cast<std::int32_t>(ring.distributor_begin);
      }
      // Round robin gives every collector at least one payer; a few payout
      // accounts split their money over two collectors.
      const std::uint32_t primary = j % ring.collectors;
      front.collector[0] = static_cast<std::int32_t>(ring.collector_begin + primary);
      if (ring.collectors > 1 && rng.chance(0.2)) {
        const auto other = static_cast<std::uint32_t>(rng.below(ring.collectors - 1));
        front.collector[1] =
            static_cast<std::int32_t>(ring.collector_begin + (other >= primary ? other + 1 : other));
      }
      AccountPlan& payout = plan.accounts[s];
      payout.type = AccountType::kPayout;
      payout.owner = static_cast<std::int32_t>(s);
      payout.info = seller.info;
      payout.info.created = std::min<std::int32_t>(
          seller.info.created + static_cast<std::int32_t>(rng.below(11)), kEventsEnd);
    }
    plan.rings.push_back(ring);
  }

  // ---- shared mules: some collectors also take small payments from
  // storefronts of one or two other rings. At most three foreign payers of
  // at most 150.00 once each, against at least one own payer of 500.00 and
  // more, so the mule's truth ring (the ring paying it most) is its own.
  if (R > 1) {
    for (std::uint32_t r = 0; r < R; ++r) {
      if (!rng.chance(0.3)) continue;
      const RingPlan& ring = plan.rings[r];
      const auto mule = static_cast<std::int32_t>(ring.collector_begin + rng.below(ring.collectors));
      const auto other_rings = std::min<std::uint32_t>(static_cast<std::uint32_t>(rng.between(1, 2)), R - 1);
      int payers_left = 3;
      for (std::uint32_t k = 0; k < other_rings && payers_left > 0; ++k) {
        auto other = static_cast<std::uint32_t>(rng.below(R - 1));
        if (other >= r) ++other;
        const RingPlan& foreign = plan.rings[other];
        const auto wanted = static_cast<int>(rng.between(1, 2));
        for (int p = 0; p < wanted && payers_left > 0; ++p) {
          const auto s = foreign.storefront_begin + static_cast<std::uint32_t>(rng.below(foreign.storefronts));
          if (plan.storefronts[s].mule >= 0) continue;
          plan.storefronts[s].mule = mule;
          --payers_left;
        }
      }
    }
  }

  // ---- legitimate multi-store businesses (the traps)
  const std::uint32_t legit = N - SF;
  const std::uint32_t n_companies = std::min<std::uint32_t>(std::max<std::uint32_t>(1, R), legit / 40);
  std::uint32_t next_seller = SF;
  for (std::uint32_t c = 0; c < n_companies; ++c) {
    CompanyPlan company;
    const auto company_id = static_cast<std::int32_t>(c);
    company.seller_begin = next_seller;
    company.sellers = static_cast<std::uint32_t>(rng.between(3, 15));
    const std::uint8_t region = any_region(rng);
    company.warehouse = static_cast<std::uint32_t>(plan.warehouses.size());
    WarehousePlan w;
    w.type = WarehouseType::kCompany;
    w.owner = company_id;
    w.info.created = day_between(rng, day_of(2012, 1, 1), day_of(2024, 6, 30));
    w.info.region = region;
    plan.warehouses.push_back(w);
    company.account = static_cast<std::uint32_t>(plan.accounts.size());
    AccountPlan a;
    a.type = AccountType::kCompany;
    a.owner = company_id;
    a.info.created = w.info.created;
    a.info.region = region;
    plan.accounts.push_back(a);
    company.supplier[0] = static_cast<std::int32_t>(rng.skewed(n_suppliers));
    if (rng.chance(0.5)) {
      auto s = static_cast<std::int32_t>(rng.below(n_suppliers));
      if (s != company.supplier[0]) company.supplier[1] = s;
    }
    for (std::uint32_t j = 0; j < company.sellers; ++j) {
      const std::uint32_t s = next_seller++;
      SellerPlan& seller = plan.sellers[s];
      seller.type = SellerType::kCompanyStore;
      seller.company = company_id;
      seller.info.created =
          std::max<std::int32_t>(w.info.created, legit_seller_opened(rng));
      seller.info.region = rng.chance(0.7) ? region : any_region(rng);
      pick_hubs(rng, plan.hubs, 0.5, 0.1, seller.hub);
    }
    plan.companies.push_back(company);
  }

  // ---- independent legitimate sellers; small warehouses are shared by a
  // handful of neighbours (2–6 sellers each).
  std::int32_t small_warehouse = -1;
  int small_left = 0;
  for (std::uint32_t s = next_seller; s < N; ++s) {
    SellerPlan& seller = plan.sellers[s];
    seller.type = SellerType::kIndependent;
    seller.info.created = legit_seller_opened(rng);
    seller.info.region = any_region(rng);
    pick_hubs(rng, plan.hubs, 0.85, 0.3, seller.hub);
    if (seller.hub[0] < 0 || rng.chance(0.35)) {
      if (small_left == 0) {
        small_warehouse = static_cast<std::int32_t>(plan.warehouses.size());
        small_left = static_cast<int>(rng.between(2, 6));
        WarehousePlan w;
        w.type = WarehouseType::kSmall;
        w.info.created = day_between(rng, day_of(2012, 1, 1), day_of(2025, 6, 30));
        w.info.region = seller.info.region;
        plan.warehouses.push_back(w);
      }
      seller.small_warehouse = small_warehouse;
      --small_left;
    }
    if (rng.chance(0.55)) seller.supplier = static_cast<std::int32_t>(rng.skewed(n_suppliers));
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
