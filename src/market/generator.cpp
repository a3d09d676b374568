// generate_market: writes the tables of a synthetic marketplace whose answer
// (truth.csv) is known, for tests and benchmarks of every stage.
//
// The structure (who belongs to which ring, who stocks where, who pays whom)
// comes from MarketPlan, drawn once from the seed. Each table is then written
// by one task with its own random stream derived from (seed, table), listing
// entities in identifier order, so the bytes do not depend on how many
// threads write or in which order the tasks finish.
#include "sourcetrace/market/generator.hpp"

#include <omp.h>

#include <algorithm>
#include <charconv>
#include <exception>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "market_plan.hpp"
#include "random.hpp"
#include "sourcetrace/tables/csv_writer.hpp"
#include "sourcetrace/tables/output_file.hpp"

namespace sourcetrace::market {

namespace {

using tables::CsvWriter;

// Level 6 (zlib's default) is fast enough: the big tables compress side by
// side and the CSV is repetitive.
constexpr int kGzipLevel = 6;

// ---------------------------------------------------------------- text helpers

// "YYYY-MM-DD" of every day the generator can name, formatted once.
class DateTexts {
 public:
  DateTexts() : text_(static_cast<std::size_t>(kDaysInTable) * 10) {
    int y = kFirstYear, m = 1, d = 1;
    for (int day = 0; day < kDaysInTable; ++day) {
      char* p = &text_[static_cast<std::size_t>(day) * 10];
      put(p, y, 4);
      p[4] = '-';
      put(p + 5, m, 2);
      p[7] = '-';
      put(p + 8, d, 2);
      if (++d > days_in_month(y, m)) {
        d = 1;
        if (++m > 12) {
          m = 1;
          ++y;
        }
      }
    }
  }
  std::string_view operator[](int day) const {
    return {&text_[static_cast<std::size_t>(day) * 10], 10};
  }

 private:
  static void put(char* p, int value, int width) {
    for (int i = width - 1; i >= 0; --i) {
      p[i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  }
  static int days_in_month(int y, int m) {
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : kDays[m - 1];
  }
  std::vector<char> text_;
};

// An amount in cents as a plain decimal with two places: "123.45".
struct Money {
  char data[32];
  std::size_t size = 0;
  explicit Money(std::uint64_t cents) {
    auto r = std::to_chars(data, data + 24, cents / 100);
    char* p = r.ptr;
    *p++ = '.';
    *p++ = static_cast<char>('0' + (cents / 10) % 10);
    *p++ = static_cast<char>('0' + cents % 10);
    size = static_cast<std::size_t>(p - data);
  }
  std::string_view view() const { return {data, size}; }
};

std::string brand_name(int brand) {
  std::string name = "B000";
  name[1] = static_cast<char>('0' + (brand + 1) / 100);
  name[2] = static_cast<char>('0' + ((brand + 1) / 10) % 10);
  name[3] = static_cast<char>('0' + (brand + 1) % 10);
  return name;
}

// ---------------------------------------------------------------- table state

enum class Table { kEntities, kSellerLinks, kStock, kPayments, kShipments, kEvidence, kTruth };
constexpr int kTables = 7;
constexpr std::string_view kTableNames[kTables] = {"entities", "seller_links", "stock", "payments",
                                                   "shipments", "evidence",    "truth"};
// Biggest first, so that two threads finish together.
constexpr Table kWriteOrder[kTables] = {Table::kShipments, Table::kPayments,    Table::kTruth,
                                        Table::kEntities,  Table::kStock,       Table::kSellerLinks,
                                        Table::kEvidence};

// What every table writer needs: the plan, the dates, its own stream, its file.
struct Writer {
  const MarketPlan& plan;
  const DateTexts& dates;
  const std::vector<std::string>& brands;
  Rng rng;
  CsvWriter& out;

  const MarketProfile& profile() const { return plan.profile; }
  // Whether an event can name both entities: always in the fixed market;
  // in a varied one, when their lifetimes overlap inside the event window.
  bool meet(Lifetime a, Lifetime b) const {
    return !plan.varied || std::max({a.opened, b.opened, kEventsBegin}) <= std::min(a.closed, b.closed);
  }
  // A day for an event of `a` (the entity whose row it is) with `b`. A
  // varied market keeps it inside both lifetimes (REQUIRES meet(a, b)); the
  // fixed market keeps its historic rule, not before `a` opened.
  std::string_view event_date(Lifetime a, Lifetime b) {
    if (!plan.varied) {
      const int lo = std::clamp<int>(a.opened, kEventsBegin, kEventsEnd);
      return dates[static_cast<int>(rng.between(lo, kEventsEnd))];
    }
    const int lo = std::max({a.opened, b.opened, kEventsBegin});
    return dates[static_cast<int>(rng.between(lo, std::min(a.closed, b.closed)))];
  }
  std::string_view event_date(Lifetime a) { return event_date(a, a); }
  IdBook::Text seller(std::uint32_t i) const { return plan.seller_ids.text(i); }
  IdBook::Text warehouse(std::uint32_t i) const { return plan.warehouse_ids.text(i); }
  IdBook::Text account(std::uint32_t i) const { return plan.account_ids.text(i); }
  std::uint64_t units(std::int64_t lo, std::int64_t hi) {
    return static_cast<std::uint64_t>(rng.between(lo, hi));
  }
  Money amount(std::int64_t lo_units, std::int64_t hi_units) {
    return Money(static_cast<std::uint64_t>(rng.between(lo_units * 100, hi_units * 100)));
  }
  // A legitimate seller other than `self`, never a fresh control.
  std::uint32_t random_legit(std::uint32_t self) {
    const auto first_legit = static_cast<std::uint32_t>(plan.storefronts.size());
    for (;;) {
      const auto other = first_legit + static_cast<std::uint32_t>(rng.below(plan.first_control - first_legit));
      if (other != self) return other;
    }
  }
};

// ---------------------------------------------------------------- entities, truth

// Calls emit(kind, id, info) for every seller, warehouse and account, each
// kind in identifier order (the order entities.csv and truth.csv list them).
template <typename Emit>
Status for_each_entity(Writer& w, Emit&& emit) {
  const MarketPlan& plan = w.plan;
  for (std::uint32_t r = 0; r < plan.seller_ids.size(); ++r) {
    const std::uint32_t i = plan.seller_ids.at_rank(r);
    ST_RETURN_IF_ERROR(emit("seller", w.seller(i).view(), plan.sellers[i].info));
  }
  for (std::uint32_t r = 0; r < plan.warehouse_ids.size(); ++r) {
    const std::uint32_t i = plan.warehouse_ids.at_rank(r);
    ST_RETURN_IF_ERROR(emit("warehouse", w.warehouse(i).view(), plan.warehouses[i].info));
  }
  for (std::uint32_t r = 0; r < plan.account_ids.size(); ++r) {
    const std::uint32_t i = plan.account_ids.at_rank(r);
    ST_RETURN_IF_ERROR(emit("account", w.account(i).view(), plan.accounts[i].info));
  }
  return Status::ok();
}

Status write_entities(Writer& w) {
  // Some entities have no row: the contract allows it, and the platform's
  // exports are never complete. Fresh ones always do: the contract defines
  // them by their entities.created_on.
  auto emit = [&](std::string_view kind, std::string_view id, const EntityInfo& info) -> Status {
    if (!info.fresh && !w.rng.chance(w.profile().entities_listed)) return Status::ok();
    w.out.field(kind).field(id);
    w.out.field(w.rng.chance(w.profile().region_missing) ? std::string_view() : kRegionNames[info.region]);
    w.out.field(w.dates[std::clamp<int>(info.created, 0, kEventsEnd)]);
    return w.out.end_row();
  };
  return for_each_entity(w, emit);
}

Status write_truth(Writer& w) {
  const MarketPlan& plan = w.plan;
  int width = 4;
  for (std::size_t n = plan.rings.size(); n >= 10000; n /= 10) ++width;
  auto emit = [&](std::string_view kind, std::string_view id, const EntityInfo& info) -> Status {
    w.out.field(kind).field(id);
    if (info.ring < 0) {
      w.out.field(std::string_view());
    } else {
      char ring[24] = {'R'};
      std::uint32_t n = static_cast<std::uint32_t>(info.ring) + 1;
      for (int k = width; k >= 1; --k) {
        ring[k] = static_cast<char>('0' + n % 10);
        n /= 10;
      }
      w.out.field(std::string_view(ring, static_cast<std::size_t>(width) + 1));
    }
    w.out.field(role_name(info.role));
    // The contract's optional columns, in varied markets only (the fixed
    // market's truth.csv keeps its bytes).
    if (plan.varied) {
      w.out.field(group_name(info.group)).field(info.fresh ? std::string_view("1") : std::string_view());
    }
    return w.out.end_row();
  };
  return for_each_entity(w, emit);
}

// ---------------------------------------------------------------- seller_links

Status write_seller_links(Writer& w) {
  const MarketPlan& plan = w.plan;
  const MarketProfile& p = w.profile();
  const auto n_sellers = static_cast<std::uint32_t>(plan.sellers.size());
  static constexpr std::string_view kRingLinks[] = {"device", "phone", "bank_holder", "address"};
  static constexpr std::string_view kSharedLinks[] = {"image", "contact", "address"};
  static constexpr std::string_view kCompanyLinks[] = {"device", "address", "bank_holder"};
  // What ties a new account to an older one: the identifiers a
  // re-registration cannot easily change.
  static constexpr std::string_view kFreshTies[] = {"device", "phone", "bank_holder"};
  static constexpr std::string_view kReregistrationTies[] = {"device", "bank_holder"};

  // One observation, sometimes seen again later; the pair's order is random
  // because exports do not sort it. A pair whose lifetimes never meet (a
  // burned storefront and one opened after its takedown) is not observed.
  auto link = [&](std::uint32_t a, std::uint32_t b, std::string_view kind) -> Status {
    const Lifetime life_a = plan.seller_life(a), life_b = plan.seller_life(b);  // a: the row's seller
    const int times = w.rng.chance(p.link_repeat) ? 2 : 1;
    if (!w.meet(life_a, life_b)) return Status::ok();
    for (int t = 0; t < times; ++t) {
      if (w.rng.chance(0.5)) std::swap(a, b);
      w.out.field(w.seller(a).view()).field(w.seller(b).view()).field(kind);
      w.out.field(w.event_date(life_a, life_b));
      ST_RETURN_IF_ERROR(w.out.end_row());
    }
    return Status::ok();
  };

  for (std::uint32_t r = 0; r < n_sellers; ++r) {
    const std::uint32_t s = plan.seller_ids.at_rank(r);
    const SellerPlan& seller = plan.sellers[s];
    switch (seller.type) {
      case SellerType::kStorefront: {
        const RingPlan& ring = plan.rings[static_cast<std::size_t>(seller.info.ring)];
        const StorefrontPlan& front = plan.storefronts[s];
        // Sparse inside the ring: a few established ring mates each, never
        // a clique; a fresh storefront has only its ties.
        if (!seller.info.fresh && ring.established > 1 &&
            !(p.storefront_unlinked > 0 && w.rng.chance(p.storefront_unlinked))) {
          const auto mates = static_cast<int>(w.rng.between(p.ring_mates_min, p.ring_mates_max));
          for (int k = 0; k < mates; ++k) {
            auto other = ring.storefront_begin +
                         static_cast<std::uint32_t>(w.rng.below(ring.established - 1));
            if (other >= s) ++other;
            ST_RETURN_IF_ERROR(link(s, other, kRingLinks[w.rng.below(4)]));
          }
        }
        for (std::int32_t tie : front.tie) {
          if (tie < 0) continue;
          const std::string_view kind =
              seller.info.fresh ? kFreshTies[w.rng.below(3)] : kReregistrationTies[w.rng.below(2)];
          ST_RETURN_IF_ERROR(link(s, static_cast<std::uint32_t>(tie), kind));
        }
        // Camouflage: stolen product images, a reseller's contact, a shared
        // office address with legitimate sellers.
        if (w.rng.chance(p.storefront_camouflage)) {
          const auto shared = static_cast<int>(w.rng.between(p.camouflage_links_min, p.camouflage_links_max));
          for (int k = 0; k < shared; ++k) {
            // One draw per statement: argument order is unspecified in C++.
            const std::uint32_t other = w.random_legit(s);
            ST_RETURN_IF_ERROR(link(s, other, kSharedLinks[w.rng.below(3)]));
          }
        }
        break;
      }
      case SellerType::kCompanyStore: {
        // A company's stores share devices, an address and a bank holder:
        // densely linked, the way a ring would be if it were careless.
        const CompanyPlan& company = plan.companies[static_cast<std::size_t>(seller.company)];
        for (std::uint32_t other = s + 1; other < company.seller_begin + company.sellers; ++other) {
          const auto kinds = static_cast<int>(w.rng.between(1, 2));
          const auto first = static_cast<int>(w.rng.below(3));
          for (int k = 0; k < kinds; ++k) {
            ST_RETURN_IF_ERROR(link(s, other, kCompanyLinks[(first + k) % 3]));
          }
        }
        if (w.rng.chance(p.company_store_image)) {
          const std::uint32_t other = w.random_legit(s);
          ST_RETURN_IF_ERROR(link(s, other, "image"));
        }
        break;
      }
      case SellerType::kFranchiseOutlet: {
        // Outlets share little: the franchise's images and contact, a
        // shared address, now and then the franchisor's point-of-sale device.
        const FranchisePlan& franchise = plan.franchises[static_cast<std::size_t>(seller.company)];
        if (franchise.outlets < 2) break;
        auto other_outlet = [&] {
          auto other = franchise.outlet_begin + static_cast<std::uint32_t>(w.rng.below(franchise.outlets - 1));
          return other >= s ? other + 1 : other;
        };
        if (w.rng.chance(p.franchise_outlet_links)) {
          const std::uint32_t other = other_outlet();
          ST_RETURN_IF_ERROR(link(s, other, kSharedLinks[w.rng.below(3)]));
        }
        if (w.rng.chance(p.franchise_pos_devices)) {
          const std::uint32_t other = other_outlet();
          ST_RETURN_IF_ERROR(link(s, other, "device"));
        }
        break;
      }
      case SellerType::kIndependent: {
        if (seller.info.fresh) {
          // A fresh control: a second store of an honest seller.
          for (std::int32_t tie : plan.control_ties[s - plan.first_control]) {
            if (tie < 0) continue;
            ST_RETURN_IF_ERROR(link(s, static_cast<std::uint32_t>(tie), kFreshTies[w.rng.below(3)]));
          }
        }
        if (w.rng.chance(p.independent_linked)) {
          const auto n = static_cast<int>(w.rng.between(1, 2));
          for (int k = 0; k < n; ++k) {
            const std::uint32_t other = w.random_legit(s);
            ST_RETURN_IF_ERROR(link(s, other, w.rng.chance(0.6) ? "image" : "contact"));
          }
        }
        break;
      }
    }
  }
  return Status::ok();
}

// ---------------------------------------------------------------- stock

Status write_stock(Writer& w) {
  const MarketPlan& plan = w.plan;
  // A fresh seller's first stock row is the export's own snapshot, taken on
  // the last day of the window: it pins the market's newest event date, from
  // which the contract's fresh window is counted.
  bool snapshot_due = false;
  auto stock = [&](std::uint32_t s, std::uint32_t warehouse, std::int64_t lo, std::int64_t hi,
                   double again) -> Status {
    const int times = w.rng.chance(again) ? 2 : 1;
    for (int t = 0; t < times; ++t) {
      w.out.field(w.seller(s).view()).field(w.warehouse(warehouse).view());
      w.out.field(w.units(lo, hi));
      if (snapshot_due) {
        w.out.field(w.dates[kEventsEnd]);
        snapshot_due = false;
      } else {
        w.out.field(w.event_date(plan.seller_life(s), plan.warehouse_life(warehouse)));
      }
      ST_RETURN_IF_ERROR(w.out.end_row());
    }
    return Status::ok();
  };
  for (std::uint32_t r = 0; r < plan.seller_ids.size(); ++r) {
    const std::uint32_t s = plan.seller_ids.at_rank(r);
    const SellerPlan& seller = plan.sellers[s];
    // A fresh control's snapshot is its first row; a fresh storefront's is
    // at its distributor.
    snapshot_due = seller.info.fresh && seller.type != SellerType::kStorefront;
    // Everybody, rings included, keeps goods at the giant 3PL hubs.
    for (std::int16_t hub : seller.hub) {
      if (hub >= 0) ST_RETURN_IF_ERROR(stock(s, static_cast<std::uint32_t>(hub), 5, 400, 0.15));
    }
    switch (seller.type) {
      case SellerType::kStorefront: {
        const StorefrontPlan& front = plan.storefronts[s];
        snapshot_due = seller.info.fresh;
        if (!front.hub_only) {
          for (std::int32_t d : front.distributor) {
            if (d >= 0) ST_RETURN_IF_ERROR(stock(s, static_cast<std::uint32_t>(d), 20, 600, 0.2));
          }
        }
        break;
      }
      case SellerType::kCompanyStore: {
        const CompanyPlan& company = plan.companies[static_cast<std::size_t>(seller.company)];
        ST_RETURN_IF_ERROR(stock(s, company.warehouse, 20, 800, 0.2));
        break;
      }
      case SellerType::kFranchiseOutlet: {
        const FranchisePlan& franchise = plan.franchises[static_cast<std::size_t>(seller.company)];
        const std::uint32_t j = s - franchise.outlet_begin;
        ST_RETURN_IF_ERROR(stock(s, franchise.warehouse_begin + j % franchise.warehouses, 20, 500, 0.2));
        break;
      }
      case SellerType::kIndependent:
        if (seller.small_warehouse >= 0) {
          ST_RETURN_IF_ERROR(stock(s, static_cast<std::uint32_t>(seller.small_warehouse), 5, 200, 0.1));
        }
        if (seller.wholesaler >= 0) {
          ST_RETURN_IF_ERROR(stock(s, static_cast<std::uint32_t>(seller.wholesaler), 5, 200, 0.1));
        }
        break;
    }
  }
  return Status::ok();
}

// ---------------------------------------------------------------- payments

Status write_payments(Writer& w) {
  const MarketPlan& plan = w.plan;
  const MarketProfile& p = w.profile();
  // Payees are accounts; the payer is the row's entity, a seller or an account.
  auto pay = [&](bool from_seller, std::uint32_t payer, std::uint32_t payee, Money amount) -> Status {
    const Lifetime from = from_seller ? plan.seller_life(payer) : plan.account_life(payer);
    const Lifetime to = plan.account_life(payee);
    if (!w.meet(from, to)) return Status::ok();
    w.out.field(from_seller ? "seller" : "account");
    w.out.field((from_seller ? w.seller(payer) : w.account(payer)).view());
    w.out.field("account").field(w.account(payee).view());
    w.out.field(amount.view()).field(w.event_date(from, to));
    return w.out.end_row();
  };
  auto processor = [&]() {
    return plan.processor_begin + static_cast<std::uint32_t>(w.rng.skewed(plan.processors));
  };
  // A business's or franchisor's account pays for the goods its suppliers ship.
  auto pay_suppliers = [&](std::uint32_t a, const std::int32_t (&suppliers)[2]) -> Status {
    for (std::int32_t sup : suppliers) {
      if (sup < 0) continue;
      const auto times = static_cast<int>(w.rng.between(1, 3));
      for (int k = 0; k < times; ++k) {
        ST_RETURN_IF_ERROR(pay(false, a, plan.suppliers[static_cast<std::size_t>(sup)].account, w.amount(1000, 20000)));
      }
    }
    return Status::ok();
  };

  // Sellers pay: their own payout account, processor fees, suppliers.
  for (std::uint32_t r = 0; r < plan.seller_ids.size(); ++r) {
    const std::uint32_t s = plan.seller_ids.at_rank(r);
    const SellerPlan& seller = plan.sellers[s];
    const bool ring = seller.type == SellerType::kStorefront;
    const auto to_payout = static_cast<int>(ring ? w.rng.between(2, 5) : w.rng.between(1, 2));
    for (int k = 0; k < to_payout; ++k) {
      ST_RETURN_IF_ERROR(pay(true, s, s, ring ? w.amount(100, 4000) : w.amount(20, 3000)));
    }
    if (w.rng.chance(ring ? p.storefront_processor_fee : p.independent_processor_fee)) {
      // Draws are named one by one: argument order is unspecified in C++.
      const std::uint32_t fee_to = processor();
      ST_RETURN_IF_ERROR(pay(true, s, fee_to, w.amount(1, 150)));
    }
    if (seller.supplier >= 0) {
      const SupplierPlan& supplier = plan.suppliers[static_cast<std::size_t>(seller.supplier)];
      ST_RETURN_IF_ERROR(pay(true, s, supplier.account, w.amount(100, 5000)));
    }
    // A shared mule: a little money to another ring's collector.
    if (ring && plan.storefronts[s].mule >= 0) {
      ST_RETURN_IF_ERROR(pay(true, s, static_cast<std::uint32_t>(plan.storefronts[s].mule), w.amount(20, 150)));
    }
  }

  // Accounts pay: ring payouts sweep to collectors, company stores to the
  // company, outlets their fees to the franchisor, and some others pay
  // processor fees so outflow alone says little.
  for (std::uint32_t r = 0; r < plan.account_ids.size(); ++r) {
    const std::uint32_t a = plan.account_ids.at_rank(r);
    const AccountPlan& account = plan.accounts[a];
    switch (account.type) {
      case AccountType::kPayout: {
        const auto s = static_cast<std::uint32_t>(account.owner);
        const SellerPlan& seller = plan.sellers[s];
        if (seller.type == SellerType::kStorefront) {
          const StorefrontPlan& front = plan.storefronts[s];
          if (front.collector[0] >= 0) {
            const auto sweeps = static_cast<int>(w.rng.between(1, 3));
            for (int k = 0; k < sweeps; ++k) {
              ST_RETURN_IF_ERROR(pay(false, a, static_cast<std::uint32_t>(front.collector[0]), w.amount(500, 6000)));
            }
          }
          if (front.collector[1] >= 0) {
            ST_RETURN_IF_ERROR(pay(false, a, static_cast<std::uint32_t>(front.collector[1]), w.amount(300, 3000)));
          }
        } else if (seller.type == SellerType::kCompanyStore) {
          const CompanyPlan& company = plan.companies[static_cast<std::size_t>(seller.company)];
          const auto sweeps = static_cast<int>(w.rng.between(1, 3));
          for (int k = 0; k < sweeps; ++k) {
            ST_RETURN_IF_ERROR(pay(false, a, company.account, w.amount(300, 5000)));
          }
        } else if (seller.type == SellerType::kFranchiseOutlet) {
          const FranchisePlan& franchise = plan.franchises[static_cast<std::size_t>(seller.company)];
          const auto fees = static_cast<int>(w.rng.between(1, 3));
          for (int k = 0; k < fees; ++k) {
            ST_RETURN_IF_ERROR(pay(false, a, franchise.account, w.amount(50, 2000)));
          }
        } else if (w.rng.chance(p.payout_processor_fee)) {
          const std::uint32_t fee_to = processor();
          ST_RETURN_IF_ERROR(pay(false, a, fee_to, w.amount(1, 50)));
        }
        break;
      }
      case AccountType::kCompany:
        ST_RETURN_IF_ERROR(pay_suppliers(a, plan.companies[static_cast<std::size_t>(account.owner)].supplier));
        break;
      case AccountType::kFranchisor:
        ST_RETURN_IF_ERROR(pay_suppliers(a, plan.franchises[static_cast<std::size_t>(account.owner)].supplier));
        break;
      case AccountType::kCollector:
        if (w.rng.chance(p.collector_processor_fee)) {
          const std::uint32_t fee_to = processor();
          ST_RETURN_IF_ERROR(pay(false, a, fee_to, w.amount(5, 200)));
        }
        // A mule that also takes honest money: payments in from legitimate
        // payout accounts (the account index of a seller's payout is the
        // seller's index).
        if (p.collector_legit_income > 0 && w.rng.chance(p.collector_legit_income)) {
          const auto payers = static_cast<int>(w.rng.between(1, 4));
          for (int k = 0; k < payers; ++k) {
            const std::uint32_t payer = w.random_legit(static_cast<std::uint32_t>(plan.sellers.size()));
            ST_RETURN_IF_ERROR(pay(false, payer, a, w.amount(20, 300)));
          }
        }
        break;
      case AccountType::kProcessor:
      case AccountType::kSupplier:
        break;
    }
  }
  return Status::ok();
}

// ---------------------------------------------------------------- shipments

Status write_shipments(Writer& w) {
  const MarketPlan& plan = w.plan;
  std::uint64_t next_id = 1;
  // `primary` is the row's entity (the receiving seller, or the warehouse
  // being listed), `other` the far end.
  auto ship = [&](std::string_view origin_kind, IdBook::Text origin, std::string_view dest_kind,
                  IdBook::Text dest, std::uint64_t units, Lifetime primary, Lifetime other) -> Status {
    char id[24] = {'S', 'H'};
    std::uint64_t n = next_id++;
    for (int k = 10; k >= 2; --k) {
      id[k] = static_cast<char>('0' + n % 10);
      n /= 10;
    }
    w.out.field(std::string_view(id, 11)).field(origin_kind).field(origin.view());
    w.out.field(dest_kind).field(dest.view()).field(units).field(w.event_date(primary, other));
    return w.out.end_row();
  };
  auto repeat = [&](int lo, int hi, auto&& one) -> Status {
    const auto times = static_cast<int>(w.rng.between(lo, hi));
    for (int k = 0; k < times; ++k) ST_RETURN_IF_ERROR(one());
    return Status::ok();
  };
  // Goods from warehouse `from` into warehouse `into`, listed with `into`
  // or with `from` (`listed`).
  auto between_warehouses = [&](std::uint32_t from, std::uint32_t into, std::uint32_t listed, int lo, int hi,
                                std::int64_t u_lo, std::int64_t u_hi) -> Status {
    const Lifetime life = plan.warehouse_life(listed), far = plan.warehouse_life(listed == into ? from : into);
    const auto origin = w.warehouse(from), dest = w.warehouse(into);
    return repeat(lo, hi, [&] { return ship("warehouse", origin, "warehouse", dest, w.units(u_lo, u_hi), life, far); });
  };

  // Goods arriving at sellers.
  for (std::uint32_t r = 0; r < plan.seller_ids.size(); ++r) {
    const std::uint32_t s = plan.seller_ids.at_rank(r);
    const SellerPlan& seller = plan.sellers[s];
    const Lifetime life = plan.seller_life(s);
    const auto id = w.seller(s);
    auto from = [&](std::uint32_t warehouse, int lo, int hi, std::int64_t u_lo, std::int64_t u_hi) {
      const auto origin = w.warehouse(warehouse);
      const Lifetime far = plan.warehouse_life(warehouse);
      return repeat(lo, hi, [&] {
        return ship("warehouse", origin, "seller", id, w.units(u_lo, u_hi), life, far);
      });
    };
    const bool independent = seller.type == SellerType::kIndependent;
    // A storefront whose goods came around the platform: stock rows only.
    const bool unshipped = seller.type == SellerType::kStorefront && plan.storefronts[s].unshipped;
    for (std::int16_t hub : seller.hub) {
      if (hub < 0 || unshipped) continue;
      if (independent && !w.rng.chance(0.7)) continue;
      ST_RETURN_IF_ERROR(from(static_cast<std::uint32_t>(hub), 1, 2, 1, 60));
    }
    switch (seller.type) {
      case SellerType::kStorefront:
        if (unshipped) break;
        for (std::int32_t d : plan.storefronts[s].distributor) {
          if (d >= 0) ST_RETURN_IF_ERROR(from(static_cast<std::uint32_t>(d), 2, 5, 20, 300));
        }
        break;
      case SellerType::kCompanyStore: {
        const CompanyPlan& company = plan.companies[static_cast<std::size_t>(seller.company)];
        ST_RETURN_IF_ERROR(from(company.warehouse, 1, 3, 20, 300));
        break;
      }
      case SellerType::kFranchiseOutlet: {
        const FranchisePlan& franchise = plan.franchises[static_cast<std::size_t>(seller.company)];
        const std::uint32_t j = s - franchise.outlet_begin;
        ST_RETURN_IF_ERROR(from(franchise.warehouse_begin + j % franchise.warehouses, 1, 3, 20, 300));
        break;
      }
      case SellerType::kIndependent:
        if (seller.supplier >= 0) {
          const SupplierPlan& supplier = plan.suppliers[static_cast<std::size_t>(seller.supplier)];
          ST_RETURN_IF_ERROR(from(supplier.warehouse, 1, 2, 10, 400));
        }
        if (seller.small_warehouse >= 0 && w.rng.chance(0.4)) {
          ST_RETURN_IF_ERROR(from(static_cast<std::uint32_t>(seller.small_warehouse), 1, 1, 5, 100));
        }
        // Real goods bought from a ring's distributor.
        if (seller.wholesaler >= 0) {
          ST_RETURN_IF_ERROR(from(static_cast<std::uint32_t>(seller.wholesaler), 1, 2, 10, 200));
        }
        break;
    }
  }

  // Goods moving between warehouses: suppliers feed hubs, suppliers feed
  // companies' and franchises' warehouses, factories feed distributors (and
  // some also a legitimate customer). Suppliers, like factories, receive
  // nothing from the legitimate market: having no upstream is not a ring's
  // mark.
  for (std::uint32_t r = 0; r < plan.warehouse_ids.size(); ++r) {
    const std::uint32_t wi = plan.warehouse_ids.at_rank(r);
    const WarehousePlan& warehouse = plan.warehouses[wi];
    switch (warehouse.type) {
      case WarehouseType::kSupplier: {
        const SupplierPlan& supplier = plan.suppliers[static_cast<std::size_t>(warehouse.owner)];
        for (std::int16_t hub : supplier.hubs) {
          if (hub < 0) continue;
          ST_RETURN_IF_ERROR(between_warehouses(wi, static_cast<std::uint32_t>(hub), wi, 2, 6, 200, 5000));
        }
        break;
      }
      case WarehouseType::kCompany: {
        const CompanyPlan& company = plan.companies[static_cast<std::size_t>(warehouse.owner)];
        for (std::int32_t sup : company.supplier) {
          if (sup < 0) continue;
          ST_RETURN_IF_ERROR(
              between_warehouses(plan.suppliers[static_cast<std::size_t>(sup)].warehouse, wi, wi, 2, 5, 300, 4000));
        }
        break;
      }
      case WarehouseType::kFranchise: {
        const FranchisePlan& franchise = plan.franchises[static_cast<std::size_t>(warehouse.owner)];
        if (franchise.factory >= 0) {
          ST_RETURN_IF_ERROR(
              between_warehouses(static_cast<std::uint32_t>(franchise.factory), wi, wi, 3, 6, 500, 6000));
        }
        for (std::int32_t sup : franchise.supplier) {
          if (sup < 0) continue;
          ST_RETURN_IF_ERROR(
              between_warehouses(plan.suppliers[static_cast<std::size_t>(sup)].warehouse, wi, wi, 2, 5, 300, 4000));
        }
        break;
      }
      case WarehouseType::kDistributor: {
        for (std::int32_t f : plan.distributor_factories[static_cast<std::size_t>(warehouse.owner)]) {
          if (f < 0) continue;
          ST_RETURN_IF_ERROR(between_warehouses(static_cast<std::uint32_t>(f), wi, wi, 3, 8, 500, 8000));
        }
        break;
      }
      case WarehouseType::kFactory:
        if (warehouse.outlet >= 0) {
          ST_RETURN_IF_ERROR(between_warehouses(wi, static_cast<std::uint32_t>(warehouse.outlet), wi, 2, 5, 200, 3000));
        }
        break;
      case WarehouseType::kHub:
      case WarehouseType::kSmall:
      case WarehouseType::kFranchiseFactory:
        break;
    }
  }
  return Status::ok();
}

// ---------------------------------------------------------------- evidence

Status write_evidence(Writer& w) {
  const MarketPlan& plan = w.plan;
  const MarketProfile& p = w.profile();
  // On `day`, or on a day of the entity's lifetime when day < 0.
  auto report = [&](std::string_view kind, IdBook::Text id, std::string_view signal, std::string_view brand,
                    std::string_view reporter, Lifetime life, int day = -1) -> Status {
    w.out.field(kind).field(id.view()).field(signal).field(brand);
    w.out.field(day >= 0 ? w.dates[day] : w.event_date(life)).field(reporter);
    return w.out.end_row();
  };
  auto any_brand = [&]() -> std::string_view { return w.brands[w.rng.below(kBrands)]; };
  // Brands report their own cases, the platform its sweeps, customs seizures.
  auto reporter_for = [&](std::string_view brand) -> std::string_view {
    const double u = w.rng.uniform();
    return u < 0.5 ? brand : u < 0.85 ? std::string_view("platform") : std::string_view("customs");
  };
  // Look-alikes draw wrong takedowns and complaints.
  auto lookalike_noise = [&](IdBook::Text id, Lifetime life, double rate) -> Status {
    if (!w.rng.chance(rate)) return Status::ok();
    const auto brand = any_brand();
    if (w.rng.chance(0.6)) return report("seller", id, "takedown", brand, brand, life);
    return report("seller", id, "complaint", w.rng.chance(0.5) ? brand : "", "platform", life);
  };

  for (std::uint32_t r = 0; r < plan.seller_ids.size(); ++r) {
    const std::uint32_t s = plan.seller_ids.at_rank(r);
    const SellerPlan& seller = plan.sellers[s];
    // Fresh sellers, ring or not, have no report yet: that is what makes them fresh.
    if (seller.info.fresh) continue;
    const Lifetime life = plan.seller_life(s);
    const auto id = w.seller(s);
    switch (seller.type) {
      case SellerType::kStorefront: {
        const RingPlan& ring = plan.rings[static_cast<std::size_t>(seller.info.ring)];
        auto ring_brand = [&]() -> std::string_view {
          return w.brands[ring.brands[w.rng.below(ring.brand_count)]];
        };
        // A minority of storefronts are caught at all; some more than once.
        if (w.rng.chance(ring.evidence_rate)) {
          const int times = w.rng.chance(p.storefront_second_report) ? 2 : 1;
          for (int k = 0; k < times; ++k) {
            // One draw per statement: argument order is unspecified in C++.
            const auto brand = ring_brand();
            const std::string_view signal = w.rng.chance(0.5) ? "takedown" : "test_buy_counterfeit";
            ST_RETURN_IF_ERROR(report("seller", id, signal, brand, reporter_for(brand), life));
          }
        }
        if (w.rng.chance(p.storefront_confirmed)) {
          const auto brand = ring_brand();
          ST_RETURN_IF_ERROR(report("seller", id, "enforcement_confirmed", brand,
                                    w.rng.chance(0.5) ? "customs" : "platform", life));
        }
        // Counterfeiters sell some genuine stock too.
        if (w.rng.chance(p.storefront_genuine_test_buy)) {
          const auto brand = ring_brand();
          ST_RETURN_IF_ERROR(report("seller", id, "test_buy_genuine", brand,
                                    w.rng.chance(0.5) ? brand : "platform", life));
        }
        if (w.rng.chance(p.storefront_complaint)) {
          ST_RETURN_IF_ERROR(report("seller", id, "complaint", "", "platform", life));
        }
        // A burned storefront's last event: the takedown that burned it.
        if (const std::int32_t burned_on = plan.storefronts[s].burned_on; burned_on >= 0) {
          const auto brand = ring_brand();
          ST_RETURN_IF_ERROR(report("seller", id, "takedown", brand, reporter_for(brand), life, burned_on));
        }
        break;
      }
      case SellerType::kCompanyStore:
        ST_RETURN_IF_ERROR(lookalike_noise(id, life, p.company_store_noise));
        break;
      case SellerType::kFranchiseOutlet:
        ST_RETURN_IF_ERROR(lookalike_noise(id, life, p.franchise_noise));
        break;
      case SellerType::kIndependent:
        if (w.rng.chance(p.independent_complaint)) {
          ST_RETURN_IF_ERROR(report("seller", id, "complaint",
                                    w.rng.chance(0.5) ? any_brand() : std::string_view(), "platform", life));
        }
        if (w.rng.chance(p.independent_wrong_takedown)) {
          const auto brand = any_brand();
          const std::string_view signal = w.rng.chance(0.5) ? "takedown" : "test_buy_counterfeit";
          ST_RETURN_IF_ERROR(report("seller", id, signal, brand, reporter_for(brand), life));
        }
        if (w.rng.chance(p.independent_genuine_test_buy)) {
          const auto brand = any_brand();
          ST_RETURN_IF_ERROR(report("seller", id, "test_buy_genuine", brand,
                                    w.rng.chance(0.5) ? brand : "platform", life));
        }
        break;
    }
  }
  // Customs occasionally confirms a distributor.
  for (std::uint32_t r = 0; r < plan.warehouse_ids.size(); ++r) {
    const std::uint32_t wi = plan.warehouse_ids.at_rank(r);
    const WarehousePlan& warehouse = plan.warehouses[wi];
    if (warehouse.type != WarehouseType::kDistributor || !w.rng.chance(p.distributor_confirmed)) continue;
    const RingPlan& ring = plan.rings[static_cast<std::size_t>(warehouse.info.ring)];
    ST_RETURN_IF_ERROR(report("warehouse", w.warehouse(wi), "enforcement_confirmed",
                              w.brands[ring.brands[w.rng.below(ring.brand_count)]], "customs",
                              plan.warehouse_life(wi)));
  }
  return Status::ok();
}

// ---------------------------------------------------------------- one table

std::vector<std::string_view> header_of(Table table, bool varied) {
  switch (table) {
    case Table::kEntities: return {"kind", "id", "region", "created_on"};
    case Table::kSellerLinks: return {"seller_a", "seller_b", "link", "observed_on"};
    case Table::kStock: return {"seller", "warehouse", "units", "observed_on"};
    case Table::kPayments: return {"payer_kind", "payer", "payee_kind", "payee", "amount", "paid_on"};
    case Table::kShipments:
      return {"shipment", "origin_kind", "origin", "destination_kind", "destination", "units",
              "shipped_on"};
    case Table::kEvidence: return {"kind", "id", "signal", "brand", "reported_on", "reporter"};
    case Table::kTruth:
      if (varied) return {"kind", "id", "ring", "role", "group", "fresh"};
      return {"kind", "id", "ring", "role"};
  }
  return {};
}

struct TableJob {
  Status status;
  GeneratedTable table;
};

Status write_table(Table table, const std::string& path, const GeneratorOptions& options,
                   const MarketPlan& plan, const DateTexts& dates,
                   const std::vector<std::string>& brands, std::uint64_t& rows) {
  auto file = tables::OutputFile::create(
      path, options.gzip ? tables::OutputFile::Compression::kGzip : tables::OutputFile::Compression::kNone,
      kGzipLevel);
  if (!file.is_ok()) return file.status();
  CsvWriter out(std::move(file).value());
  for (std::string_view column : header_of(table, plan.varied)) out.field(column);
  ST_RETURN_IF_ERROR(out.end_row());
  // Streams 100+ are the tables'; the structure uses 1–4 (market_plan.cpp),
  // the profile 50 (profile.cpp).
  Writer w{plan, dates, brands, Rng(options.seed, 100 + static_cast<std::uint64_t>(table)), out};
  switch (table) {
    case Table::kEntities: ST_RETURN_IF_ERROR(write_entities(w)); break;
    case Table::kSellerLinks: ST_RETURN_IF_ERROR(write_seller_links(w)); break;
    case Table::kStock: ST_RETURN_IF_ERROR(write_stock(w)); break;
    case Table::kPayments: ST_RETURN_IF_ERROR(write_payments(w)); break;
    case Table::kShipments: ST_RETURN_IF_ERROR(write_shipments(w)); break;
    case Table::kEvidence: ST_RETURN_IF_ERROR(write_evidence(w)); break;
    case Table::kTruth: ST_RETURN_IF_ERROR(write_truth(w)); break;
  }
  rows = out.rows_written() - 1;  // the header went through row() too
  return out.publish();
}

// profile.toml beside the tables: what this market was built from.
Status write_profile(const std::string& path, const GeneratorOptions& options) {
  auto file = tables::OutputFile::create(path);
  if (!file.is_ok()) return file.status();
  const std::string header = "sourcetrace generate: the profile this market was built from.\n" +
                             options.profile_origin +
                             "\nRead back with --profile and the same --seed and --sellers (and --rings), it "
                             "gives the same tables.";
  ST_RETURN_IF_ERROR(file.value()->write(profile_toml(*options.profile, header)));
  return file.value()->publish();
}

}  // namespace

Result<GeneratorSummary> generate_market(const std::string& dir, const GeneratorOptions& options) {
  if (dir.empty()) return Status::invalid_argument("generate_market: no output folder given");
  // The plan first: options it cannot honour leave no folder behind.
  auto built = build_market_plan(options);
  if (!built.is_ok()) return built.status().with_context("generate_market");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::cannot_create(dir + ": cannot create folder: " + ec.message());
  const MarketPlan& plan = built.value();
  const DateTexts dates;
  std::vector<std::string> brands;
  for (int b = 0; b < kBrands; ++b) brands.push_back(brand_name(b));

  std::vector<TableJob> jobs(kTables);
  for (int t = 0; t < kTables; ++t) {
    jobs[t].table.name = std::string(kTableNames[t]);
    jobs[t].table.path =
        (std::filesystem::path(dir) / (jobs[t].table.name + (options.gzip ? ".csv.gz" : ".csv")))
            .string();
  }
  const int threads = std::clamp(options.threads > 0 ? options.threads : omp_get_max_threads(), 1, kTables);
  int done = 0;

#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (int k = 0; k < kTables; ++k) {
    const auto t = static_cast<int>(kWriteOrder[k]);
    TableJob& job = jobs[t];
    // Nothing may leave an OpenMP region by exception: a failure (bad_alloc
    // included) becomes this table's Status.
    try {
      job.status = write_table(kWriteOrder[k], job.table.path, options, plan, dates, brands, job.table.rows)
                       .with_context("generate_market: " + job.table.name);
    } catch (const std::exception& e) {
      job.status = Status::internal("generate_market: " + job.table.name + ": " + e.what());
    } catch (...) {
      job.status = Status::internal("generate_market: " + job.table.name + ": unknown exception");
    }
#pragma omp critical(sourcetrace_market_progress)
    {
      ++done;
      if (options.progress) {
        try {
          options.progress(done, kTables);
        } catch (...) {
          // A failing progress callback must not take the run down.
        }
      }
    }
  }

  GeneratorSummary summary;
  for (TableJob& job : jobs) {
    if (!job.status.is_ok()) return job.status;
    summary.tables.push_back(std::move(job.table));
  }
  if (options.profile) {
    summary.profile_path = (std::filesystem::path(dir) / "profile.toml").string();
    ST_RETURN_IF_ERROR(write_profile(summary.profile_path, options).with_context("generate_market"));
  }
  summary.sellers = plan.sellers.size();
  summary.warehouses = plan.warehouses.size();
  summary.accounts = plan.accounts.size();
  summary.rings = plan.rings.size();
  for (const auto& s : plan.sellers) {
    summary.ring_entities += s.info.ring >= 0;
    summary.fresh_storefronts += s.info.fresh && s.info.ring >= 0;
    summary.fresh_controls += s.info.fresh && s.info.ring < 0;
  }
  for (const auto& x : plan.warehouses) summary.ring_entities += x.info.ring >= 0;
  for (const auto& a : plan.accounts) summary.ring_entities += a.info.ring >= 0;
  return summary;
}

}  // namespace sourcetrace::market
