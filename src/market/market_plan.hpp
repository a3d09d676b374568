// MarketPlan: the structure of a synthetic marketplace, before any event.
//
// Who exists (sellers, warehouses, accounts), who belongs to which ring,
// multi-store business or franchise, who stocks where, who is fed by whom,
// who pays whom, who was burned and who re-registered. It is drawn once,
// sequentially, from the seed and the market's profile; the table writers
// then read it side by side (it is immutable by then) and draw only the
// events (how many, how much, when) from their own streams. Keeping the
// structure here is what makes truth.csv agree with every other table.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "sourcetrace/market/generator.hpp"
#include "sourcetrace/market/profile.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::market {

// Days are counted from 2010-01-01 (day 0): every date the generator writes
// (accounts opened years ago, events in 2025–2026) fits in a small table.
inline constexpr int kFirstYear = 2010;
inline constexpr int kLastYear = 2026;

// Days since 2010-01-01 of a civil date (proleptic Gregorian).
constexpr int day_of(int y, int m, int d) {
  auto days_from_civil = [](int yy, int mm, int dd) {
    yy -= mm <= 2;
    const int era = (yy >= 0 ? yy : yy - 399) / 400;
    const int yoe = yy - era * 400;
    const int doy = (153 * (mm + (mm > 2 ? -3 : 9)) + 2) / 5 + dd - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
  };
  return days_from_civil(y, m, d) - days_from_civil(kFirstYear, 1, 1);
}

// Every event (shipment, payment, stock observation, link, evidence) falls in
// this window.
inline constexpr int kEventsBegin = day_of(2025, 1, 1);
inline constexpr int kEventsEnd = day_of(2026, 10, 31);
inline constexpr int kDaysInTable = day_of(kLastYear + 1, 1, 1);
// The contract's fresh window: the 14 days up to and including the market's
// newest event date, which a varied market pins to kEventsEnd (every fresh
// entity's stock is observed on that day).
inline constexpr int kFreshBegin = kEventsEnd - 13;

inline constexpr int kBrands = 40;
inline constexpr int kRegions = 30;
extern const std::array<std::string_view, kRegions> kRegionNames;

enum class Role : std::uint8_t { kLegit, kSource, kDistributor, kStorefront, kCollector };
std::string_view role_name(Role role);

// The truth's `group` column: which legitimate look-alike an entity is part of.
enum class Group : std::uint8_t { kNone, kMultiStore, kFranchise, kHub };
std::string_view group_name(Group group);

// What a truth row and an entities row need to know about any entity.
struct EntityInfo {
  std::int32_t ring = -1;  // -1: legitimate
  std::int32_t created = 0;  // day it was opened
  Role role = Role::kLegit;
  std::uint8_t region = 0;
  Group group = Group::kNone;
  bool fresh = false;  // the truth's `fresh` = 1
};

// The days an entity's events may fall on (a varied market keeps every
// event inside the lifetimes of both entities it names).
struct Lifetime {
  std::int32_t opened = 0, closed = kEventsEnd;
};

enum class SellerType : std::uint8_t { kIndependent, kCompanyStore, kStorefront, kFranchiseOutlet };
enum class WarehouseType : std::uint8_t {
  kHub, kSupplier, kSmall, kCompany, kFactory, kDistributor, kFranchise, kFranchiseFactory
};
enum class AccountType : std::uint8_t { kPayout, kProcessor, kSupplier, kCompany, kCollector, kFranchisor };

struct SellerPlan {
  EntityInfo info;
  SellerType type = SellerType::kIndependent;
  std::int16_t hub[2] = {-1, -1};  // 3PL hubs it stocks at (warehouse index == hub index)
  std::int32_t company = -1;       // multi-store business or franchise it belongs to, by type
  std::int32_t small_warehouse = -1;  // small independent warehouse (warehouse index)
  std::int32_t supplier = -1;      // legitimate supplier it buys from (supplier index)
  std::int32_t wholesaler = -1;    // ring distributor it buys real goods from (warehouse index)
};

// Ring storefronts take seller indices [0, storefronts); this is their part.
struct StorefrontPlan {
  std::int32_t distributor[2] = {-1, -1};  // warehouse indices (factories in a ring without distributors)
  std::int32_t collector[2] = {-1, -1};    // account indices its payout account pays
  std::int32_t mule = -1;  // another ring's collector it also pays a little (account index)
  // Older storefronts it is tied to by device, phone or bank holder: a
  // re-registered storefront's burned predecessor, a fresh one's 1-2 ties.
  std::int32_t tie[2] = {-1, -1};
  std::int32_t burned_on = -1;  // day of the takedown that burned it; -1: never
  bool hub_only = false;   // keeps all its stock at hubs
  bool unshipped = false;  // its inbound shipments are not recorded
};

struct WarehousePlan {
  EntityInfo info;
  WarehouseType type = WarehouseType::kHub;
  std::int32_t owner = -1;  // supplier, company, distributor, ring or franchise index, by type
  std::int32_t outlet = -1;  // a factory's legitimate customer (hub or supplier warehouse)
};

struct AccountPlan {
  EntityInfo info;
  AccountType type = AccountType::kPayout;
  std::int32_t owner = -1;  // seller (payout), supplier, company or ring, by type
};

struct SupplierPlan {
  std::uint32_t warehouse = 0, account = 0;
  std::int16_t hubs[3] = {-1, -1, -1};  // hubs it ships to
};

// A legitimate multi-store business: it looks like a ring (dense links, one
// warehouse, one collecting account) but moves no counterfeit goods.
struct CompanyPlan {
  std::uint32_t seller_begin = 0, sellers = 0;
  std::uint32_t warehouse = 0, account = 0;
  std::int32_t supplier[2] = {-1, -1};
};

// A franchise: independent outlets under one franchisor who supplies them
// from central warehouses and collects fees, shaped like a ring.
struct FranchisePlan {
  std::uint32_t outlet_begin = 0, outlets = 0;      // seller indices
  std::uint32_t warehouse_begin = 0, warehouses = 0;  // central warehouses
  std::uint32_t account = 0;                          // the franchisor's collecting account
  std::int32_t factory = -1;                          // its own factory, or -1: fed by suppliers
  std::int32_t supplier[2] = {-1, -1};
};

struct RingPlan {
  std::uint32_t factory_begin = 0, factories = 0;          // warehouse indices
  std::uint32_t distributor_begin = 0, distributors = 0;  // warehouse indices
  std::uint32_t storefront_begin = 0, storefronts = 0;    // seller indices
  // Storefronts [begin, begin + established) are not fresh: ring mates and
  // mule payers are drawn from them. The first `burned` of them were taken
  // down, each replaced by one of the next `burned` after the others.
  std::uint32_t established = 0, burned = 0;
  std::uint32_t collector_begin = 0, collectors = 0;      // account indices
  double evidence_rate = 0;  // chance that a storefront is reported
  std::uint8_t brands[3] = {0, 0, 0};  // brand numbers (0-based)
  std::uint8_t brand_count = 0;
  std::uint8_t region = 0;
};

// Opaque identifiers for one kind: "S0482913". Numbers are a shuffled,
// gapped sequence, so neither contiguity nor order says who belongs together.
class IdBook {
 public:
  struct Text {
    char data[16];
    std::uint8_t size = 0;
    std::string_view view() const { return {data, size}; }
  };

  IdBook() = default;
  IdBook(char prefix, std::uint32_t count, std::uint64_t seed, std::uint64_t stream);

  Text text(std::uint32_t index) const;
  std::uint32_t size() const { return static_cast<std::uint32_t>(by_rank_.size()); }
  // The entity whose identifier is the r-th smallest: tables list entities
  // in this order, which is unrelated to rings.
  std::uint32_t at_rank(std::uint32_t rank) const { return by_rank_[rank]; }

 private:
  char prefix_ = '?';
  int width_ = 6;
  std::vector<std::uint32_t> number_;   // by index
  std::vector<std::uint32_t> by_rank_;  // index by rank
};

struct MarketPlan {
  std::uint64_t seed = 0;
  MarketProfile profile;
  // A varied market (generate --vary): group and fresh in truth.csv, and
  // every event inside both lifetimes. The fixed market keeps its historic
  // dates (after the first entity's opening) for its bytes' sake.
  bool varied = false;
  std::vector<SellerPlan> sellers;
  std::vector<StorefrontPlan> storefronts;  // sellers [0, storefronts.size())
  std::vector<WarehousePlan> warehouses;
  std::vector<AccountPlan> accounts;        // accounts [0, sellers) are payout accounts
  std::vector<SupplierPlan> suppliers;
  std::vector<CompanyPlan> companies;
  std::vector<FranchisePlan> franchises;
  std::vector<RingPlan> rings;
  // Factories feeding each distributor, by distributor index.
  std::vector<std::array<std::int32_t, 2>> distributor_factories;
  std::uint32_t hubs = 0, processors = 0, processor_begin = 0;
  // Legitimate sellers take [storefronts, sellers); independent ones
  // [first_independent, first_control), fresh controls [first_control,
  // sellers), each tied to the older independents in control_ties.
  std::uint32_t first_independent = 0, first_control = 0;
  std::vector<std::array<std::int32_t, 2>> control_ties;
  IdBook seller_ids, warehouse_ids, account_ids;

  Lifetime seller_life(std::uint32_t s) const {
    return {sellers[s].info.created, closed_on(s)};
  }
  // A payout account closes with its seller.
  Lifetime account_life(std::uint32_t a) const {
    return {accounts[a].info.created, a < sellers.size() ? closed_on(a) : kEventsEnd};
  }
  Lifetime warehouse_life(std::uint32_t w) const { return {warehouses[w].info.created, kEventsEnd}; }

 private:
  std::int32_t closed_on(std::uint32_t s) const {
    return s < storefronts.size() && storefronts[s].burned_on >= 0 ? storefronts[s].burned_on : kEventsEnd;
  }
};

// Draws the structure from options.profile (the fixed market's without one).
// Fails (kInvalidArgument) on sizes it cannot honour.
Result<MarketPlan> build_market_plan(const GeneratorOptions& options);

}  // namespace sourcetrace::market
