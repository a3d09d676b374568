// Market nights: the next night of a generated market, with its planted events.
#include "sourcetrace/market/market_nights.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <set>

#include "sourcetrace/tables/csv_reader.hpp"
#include "sourcetrace/tables/csv_writer.hpp"
#include "sourcetrace/tables/fields.hpp"
#include "sourcetrace/tables/output_file.hpp"

namespace sourcetrace::market {

namespace {

namespace fs = std::filesystem;
using Row = std::vector<std::string>;

// One table of a dataset, whole, as text.
struct Table {
  std::string name;
  std::vector<std::string> header;
  std::vector<Row> rows;
  std::size_t removed = 0;

  int column(std::string_view name_of) const {
    for (std::size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name_of) return static_cast<int>(i);
    }
    return -1;
  }
  // A row from named values; columns not named stay empty.
  void add(const std::map<std::string, std::string>& values) {
    Row row(header.size());
    for (const auto& [key, value] : values) {
      if (const int c = column(key); c >= 0) row[static_cast<std::size_t>(c)] = value;
    }
    rows.push_back(std::move(row));
  }
};

// The tables a night reads and writes, with the header each gets when the
// previous night has none.
const std::vector<std::pair<std::string, std::vector<std::string>>> kTables = {
    {"entities", {"kind", "id", "region", "created_on"}},
    {"seller_links", {"seller_a", "seller_b", "link", "observed_on"}},
    {"stock", {"seller", "warehouse", "units", "observed_on"}},
    {"payments", {"payer_kind", "payer", "payee_kind", "payee", "amount", "paid_on"}},
    {"shipments", {"shipment", "origin_kind", "origin", "destination_kind", "destination", "units", "shipped_on"}},
    {"evidence", {"kind", "id", "signal", "brand", "reported_on", "reporter"}},
    {"truth", {"kind", "id", "ring", "role"}},
};

// Columns that name an entity: (kind column or fixed kind, id column).
const std::map<std::string, std::vector<std::pair<std::string, std::string>>> kEntityColumns = {
    {"entities", {{"kind", "id"}}},
    {"seller_links", {{"=seller", "seller_a"}, {"=seller", "seller_b"}}},
    {"stock", {{"=seller", "seller"}, {"=warehouse", "warehouse"}}},
    {"payments", {{"payer_kind", "payer"}, {"payee_kind", "payee"}}},
    {"shipments", {{"origin_kind", "origin"}, {"destination_kind", "destination"}}},
    {"evidence", {{"kind", "id"}}},
    {"truth", {{"kind", "id"}}},
};

const std::vector<std::string> kDateColumns = {"created_on", "observed_on", "paid_on", "shipped_on", "reported_on"};

Result<Table> read_table(const fs::path& dir, const std::string& name, const std::vector<std::string>& header,
                         bool& gzip) {
  Table t;
  t.name = name;
  const fs::path plain = dir / (name + ".csv"), packed = dir / (name + ".csv.gz");
  const fs::path path = fs::exists(plain) ? plain : packed;
  if (!fs::exists(path)) {
    t.header = header;
    return t;
  }
  gzip = gzip || path == packed;
  auto reader = tables::CsvReader::open(path.string());
  if (!reader.is_ok()) return reader.status();
  tables::CsvRecord record;
  std::string reason;
  for (bool first = true;; first = false) {
    const auto next = reader.value()->next(record, reason);
    if (next == tables::CsvReader::Next::kEnd) break;
    if (next == tables::CsvReader::Next::kFatal) return reader.value()->status();
    if (next == tables::CsvReader::Next::kBadRecord) {
      return Status::invalid_input(fmt::format("{}:{}: {}", path.string(), record.line, reason));
    }
    Row row(record.fields.begin(), record.fields.end());
    if (first) {
      t.header = std::move(row);
    } else {
      if (row.size() != t.header.size()) {
        return Status::invalid_input(fmt::format("{}:{}: {} fields, the header has {}", path.string(), record.line,
                                                 row.size(), t.header.size()));
      }
      t.rows.push_back(std::move(row));
    }
  }
  return t;
}

Status write_table(const fs::path& dir, const Table& t, bool gzip) {
  const std::string path = (dir / (t.name + (gzip ? ".csv.gz" : ".csv"))).string();
  auto file = tables::OutputFile::create(path, gzip ? tables::OutputFile::Compression::kGzip
                                                    : tables::OutputFile::Compression::kNone);
  if (!file.is_ok()) return file.status();
  tables::CsvWriter out(std::move(file).value());
  for (const std::string& h : t.header) out.field(h);
  ST_RETURN_IF_ERROR(out.end_row());
  for (const Row& row : t.rows) {
    for (const std::string& f : row) out.field(f);
    ST_RETURN_IF_ERROR(out.end_row());
  }
  return out.publish();
}

// A planted ring as truth.csv shows it.
struct Ring {
  std::vector<std::string> storefronts, distributors;
};

// The night of a folder: its events.csv's first row (0 without one).
Result<std::uint32_t> night_of(const fs::path& dir, bool& gzip) {
  auto events = read_table(dir, "events", {"night"}, gzip);
  if (!events.is_ok()) return events.status();
  const int c = events.value().column("night");
  if (events.value().rows.empty() || c < 0) return 0u;
  return static_cast<std::uint32_t>(std::stoul(events.value().rows[0][static_cast<std::size_t>(c)]));
}

class Night {
 public:
  Night(std::map<std::string, Table>& tables, std::uint32_t night, tables::Day today, const NightOptions& o)
      : t_(tables), night_(night), today_(today), rng_(o.seed * 0x9e3779b97f4a7c15ULL + night) {
    events_.name = "events";
    events_.header = {"night", "event", "ring", "kind", "id"};
  }

  Table& events() { return events_; }

  void plant(const NightOptions& o) {
    read_truth();
    std::vector<std::string> names;
    for (const auto& [name, ring] : rings_) {
      if (!ring.storefronts.empty()) names.push_back(name);
    }
    // Fisher-Yates with the night's own stream (std::shuffle's draws differ
    // between standard libraries).
    for (std::size_t i = names.size(); i > 1; --i) std::swap(names[i - 1], names[pick(i)]);
    // One ring leaves; the others may be reported or re-register.
    std::size_t next = 0;
    if (!names.empty()) dismantle(names[next++]);
    for (std::uint32_t i = 0; i < o.evidence_rings && next < names.size(); ++i) report(names[next++]);
    for (std::uint32_t i = 0; i < o.fresh_storefronts && next < names.size(); ++i) {
      if (!rings_[names[next]].distributors.empty()) reregister(names[next]);
      ++next;
    }
    new_ring(o.new_ring_storefronts);
    legit_growth(o.legit_sellers);
  }

 private:
  std::string col(const Table& t, const Row& row, std::string_view name) const {
    const int c = t.column(name);
    return c < 0 ? std::string() : row[static_cast<std::size_t>(c)];
  }
  std::string today() const { return tables::format_date(today_); }
  std::string days_ago(int days) const { return tables::format_date(today_ - days); }
  std::size_t pick(std::size_t n) { return static_cast<std::size_t>(rng_() % n); }
  std::string new_id(const char* prefix) { return fmt::format("{}N{}-{:04d}", prefix, night_, ++minted_); }

  void event(const std::string& what, const std::string& ring, const std::string& kind, const std::string& id) {
    events_.rows.push_back({std::to_string(night_), what, ring, kind, id});
  }
  void entity(const std::string& kind, const std::string& id, const std::string& created_on, const std::string& ring,
              const std::string& role, bool fresh) {
    t_["entities"].add({{"kind", kind}, {"id", id}, {"region", region_}, {"created_on", created_on}});
    t_["truth"].add({{"kind", kind}, {"id", id}, {"ring", ring}, {"role", role}, {"fresh", fresh ? "1" : "0"}});
  }
  void link(const std::string& a, const std::string& b, const char* type) {
    t_["seller_links"].add({{"seller_a", a}, {"seller_b", b}, {"link", type}, {"observed_on", today()}});
  }
  void ship(const std::string& from_kind, const std::string& from, const std::string& to_kind, const std::string& to,
            int units, const std::string& day) {
    t_["shipments"].add({{"shipment", new_id("SH")}, {"origin_kind", from_kind}, {"origin", from},
                         {"destination_kind", to_kind}, {"destination", to}, {"units", std::to_string(units)},
                         {"shipped_on", day}});
  }
  void pay(const std::string& from_kind, const std::string& from, const std::string& to_kind, const std::string& to,
           int amount, const std::string& day) {
    t_["payments"].add({{"payer_kind", from_kind}, {"payer", from}, {"payee_kind", to_kind}, {"payee", to},
                        {"amount", std::to_string(amount)}, {"paid_on", day}});
  }
  void takedown(const std::string& seller, const std::string& brand) {
    t_["evidence"].add({{"kind", "seller"}, {"id", seller}, {"signal", "takedown"}, {"brand", brand},
                        {"reported_on", today()}, {"reporter", reporter_}});
  }

  // Rings, the legitimate sellers, hubs, and a brand per ring, from truth and evidence.
  void read_truth() {
    const Table& truth = t_["truth"];
    std::map<std::string, std::string> ring_of;
    for (const Row& row : truth.rows) {
      const std::string kind = col(truth, row, "kind"), id = col(truth, row, "id"), ring = col(truth, row, "ring");
      const std::string role = col(truth, row, "role"), group = col(truth, row, "group");
      if (!ring.empty()) {
        ring_of[kind + ":" + id] = ring;
        members_[ring].push_back({kind, id});
        if (kind == "seller" && role == "storefront") rings_[ring].storefronts.push_back(id);
        if (kind == "warehouse" && role == "distributor") rings_[ring].distributors.push_back(id);
      } else if (group == "hub") {
        (kind == "warehouse" ? hub_warehouses_ : hub_accounts_).push_back(id);
      } else if (kind == "seller" && group.empty()) {
        legit_sellers_.push_back(id);
      } else if (kind == "warehouse" && group.empty()) {
        legit_warehouses_.push_back(id);
      }
    }
    const Table& evidence = t_["evidence"];
    for (const Row& row : evidence.rows) {
      const std::string brand = col(evidence, row, "brand");
      if (brand.empty()) continue;
      any_brand_ = brand;
      auto it = ring_of.find(col(evidence, row, "kind") + ":" + col(evidence, row, "id"));
      if (it != ring_of.end() && !ring_brand_.contains(it->second)) ring_brand_[it->second] = brand;
      if (reporter_.empty()) reporter_ = col(evidence, row, "reporter");
    }
    const Table& entities = t_["entities"];
    if (!entities.rows.empty()) region_ = col(entities, entities.rows[0], "region");
    if (any_brand_.empty()) any_brand_ = "B001";
  }

  std::string brand_of(const std::string& ring) {
    auto it = ring_brand_.find(ring);
    return it == ring_brand_.end() ? any_brand_ : it->second;
  }

  // Every row naming one of the ring's entities goes.
  void dismantle(const std::string& ring) {
    std::set<std::string> gone;
    for (const auto& [kind, id] : members_[ring]) {
      gone.insert(kind + ":" + id);
      event("dismantled", ring, kind, id);
    }
    for (auto& [name, table] : t_) {
      std::vector<std::pair<int, int>> columns;  // (kind column or -1 for a fixed kind, id column)
      std::vector<std::string> fixed;
      for (const auto& [kind_col, id_col] : kEntityColumns.at(name)) {
        columns.push_back({kind_col[0] == '=' ? -1 : table.column(kind_col), table.column(id_col)});
        fixed.push_back(kind_col[0] == '=' ? kind_col.substr(1) : "");
      }
      const std::size_t before = table.rows.size();
      std::erase_if(table.rows, [&](const Row& row) {
        for (std::size_t i = 0; i < columns.size(); ++i) {
          const auto [k, c] = columns[i];
          if (c < 0) continue;
          const std::string& kind = k < 0 ? fixed[i] : row[static_cast<std::size_t>(k)];
          if (gone.contains(kind + ":" + row[static_cast<std::size_t>(c)])) return true;
        }
        return false;
      });
      table.removed += before - table.rows.size();
    }
    rings_.erase(ring);
  }

  // Two takedowns on one or two of the ring's storefronts.
  void report(const std::string& ring) {
    const auto& storefronts = rings_[ring].storefronts;
    std::set<std::string> reported;
    for (int i = 0; i < 2; ++i) reported.insert(storefronts[pick(storefronts.size())]);
    for (const std::string& s : reported) {
      takedown(s, brand_of(ring));
      event("new_evidence", ring, "seller", s);
    }
    if (reported.size() == 1) takedown(*reported.begin(), brand_of(ring));
  }

  // A burned storefront comes back under a new name: opened today, tied by
  // device and phone to two of the ring's storefronts, stocked by one of
  // its distributors, no sale yet.
  void reregister(const std::string& ring) {
    const Ring& r = rings_[ring];
    const std::string id = new_id("S");
    entity("seller", id, today(), ring, "storefront", true);
    const std::string& a = r.storefronts[pick(r.storefronts.size())];
    const std::string& b = r.storefronts[pick(r.storefronts.size())];
    link(id, a, "device");
    link(id, b, "phone");
    const std::string& from = r.distributors[pick(r.distributors.size())];
    t_["stock"].add({{"seller", id}, {"warehouse", from}, {"units", "40"}, {"observed_on", today()}});
    ship("warehouse", from, "seller", id, 40, today());
    event("fresh_storefront", ring, "seller", id);
  }

  // A ring the market did not have, with history (opened weeks ago) and reports.
  void new_ring(std::uint32_t storefronts) {
    const std::string ring = fmt::format("RN{}", night_);
    auto add = [&](const std::string& kind, const std::string& id, const char* role) {
      entity(kind, id, days_ago(30 + static_cast<int>(pick(60))), ring, role, false);
      event("new_ring", ring, kind, id);
    };
    const std::string factory = new_id("W"), collector = new_id("A");
    add("warehouse", factory, "source");
    add("account", collector, "collector");
    std::vector<std::string> distributors = {new_id("W"), new_id("W")};
    for (const std::string& d : distributors) {
      add("warehouse", d, "distributor");
      for (int k = 0; k < 3; ++k) ship("warehouse", factory, "warehouse", d, 200, days_ago(1 + static_cast<int>(pick(20))));
    }
    std::vector<std::string> stores;
    for (std::uint32_t i = 0; i < storefronts; ++i) {
      const std::string s = new_id("S"), payout = new_id("A");
      add("seller", s, "storefront");
      add("account", payout, "storefront");
      const std::string& d = distributors[i % distributors.size()];
      t_["stock"].add({{"seller", s}, {"warehouse", d}, {"units", "60"}, {"observed_on", days_ago(2)}});
      for (int k = 0; k < 2; ++k) ship("warehouse", d, "seller", s, 30, days_ago(1 + static_cast<int>(pick(20))));
      for (int k = 0; k < 2; ++k) pay("seller", s, "account", payout, 500, days_ago(1 + static_cast<int>(pick(20))));
      pay("account", payout, "account", collector, 900, days_ago(1));
      if (!stores.empty()) link(s, stores.back(), i % 2 ? "bank_holder" : "device");
      stores.push_back(s);
    }
    for (std::uint32_t i = 0; i < 3 && i < stores.size(); ++i) takedown(stores[i], any_brand_);
  }

  // New legitimate sellers: stocked at a hub (or a legitimate warehouse),
  // paid through a hub account when the market has one, every other one
  // tied by its device to an older legitimate seller.
  void legit_growth(std::uint32_t sellers) {
    const auto& warehouses = hub_warehouses_.empty() ? legit_warehouses_ : hub_warehouses_;
    for (std::uint32_t i = 0; i < sellers; ++i) {
      const std::string id = new_id("S");
      entity("seller", id, days_ago(static_cast<int>(pick(5))), "", "legit", true);
      if (!warehouses.empty()) {
        const std::string& w = warehouses[pick(warehouses.size())];
        t_["stock"].add({{"seller", id}, {"warehouse", w}, {"units", "25"}, {"observed_on", today()}});
        ship("warehouse", w, "seller", id, 25, today());
      }
      if (!hub_accounts_.empty()) pay("seller", id, "account", hub_accounts_[pick(hub_accounts_.size())], 120, today());
      if (i % 2 == 0 && !legit_sellers_.empty()) link(id, legit_sellers_[pick(legit_sellers_.size())], "device");
      event("legit_growth", "", "seller", id);
    }
  }

  std::map<std::string, Table>& t_;
  std::uint32_t night_;
  tables::Day today_;
  std::mt19937_64 rng_;
  std::uint32_t minted_ = 0;
  Table events_;
  std::map<std::string, Ring> rings_;
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> members_;
  std::map<std::string, std::string> ring_brand_;
  std::vector<std::string> hub_warehouses_, hub_accounts_, legit_sellers_, legit_warehouses_;
  std::string any_brand_, reporter_, region_;
};

}  // namespace

Result<NightSummary> write_next_night(const std::string& previous, const std::string& dir, const NightOptions& o) {
  if (!fs::is_directory(previous)) return Status::missing_input(previous + ": no such dataset folder");
  bool gzip = o.gzip;
  std::map<std::string, Table> tables;
  std::uint64_t rows_before = 0;
  tables::Day newest = tables::kNoDay;
  for (const auto& [name, header] : kTables) {
    auto t = read_table(previous, name, header, gzip);
    if (!t.is_ok()) return t.status();
    // The newest date anywhere: the events go on the day after it.
    for (const std::string& date_column : kDateColumns) {
      const int c = t.value().column(date_column);
      if (c < 0) continue;
      for (const Row& row : t.value().rows) {
        tables::Day day;
        const std::string& text = row[static_cast<std::size_t>(c)];
        if (!text.empty() && tables::parse_date(text, day) == nullptr) newest = std::max(newest, day);
      }
    }
    rows_before += t.value().rows.size();
    tables[name] = std::move(t).value();
  }
  if (tables["truth"].rows.empty()) {
    return Status::invalid_input(previous + ": no truth.csv: nights are made from a generated market (`generate`)");
  }
  auto night = night_of(previous, gzip);
  if (!night.is_ok()) return night.status();
  if (newest == tables::kNoDay) return Status::invalid_input(previous + ": no dated row to go on from");

  NightSummary summary;
  summary.night = night.value() + 1;
  Night planted(tables, summary.night, newest + 1, o);
  planted.plant(o);
  summary.date = tables::format_date(newest + 1);
  summary.events = planted.events().rows.size();

  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::cannot_create(fmt::format("{}: cannot create folder: {}", dir, ec.message()));
  std::uint64_t rows_after = 0, removed = 0;
  for (const auto& [name, table] : tables) {
    ST_RETURN_IF_ERROR(write_table(dir, table, gzip));
    rows_after += table.rows.size();
    removed += table.removed;
  }
  ST_RETURN_IF_ERROR(write_table(dir, planted.events(), false));
  summary.rows_removed = removed;
  summary.rows_added = rows_after + removed - rows_before;
  return summary;
}

Result<std::vector<NightSummary>> generate_nights(const std::string& dir, const GeneratorOptions& market,
                                                  std::uint32_t nights, NightOptions options,
                                                  const std::function<void(std::uint32_t)>& progress) {
  if (nights == 0) return Status::invalid_argument("--nights must be at least 1");
  auto folder = [&](std::uint32_t k) { return (fs::path(dir) / fmt::format("night-{}", k)).string(); };
  auto first = generate_market(folder(0), market);
  if (!first.is_ok()) return first.status();
  Table none;
  none.name = "events";
  none.header = {"night", "event", "ring", "kind", "id"};
  ST_RETURN_IF_ERROR(write_table(folder(0), none, false));
  if (progress) progress(1);
  options.seed = market.seed;
  options.gzip = market.gzip;
  std::vector<NightSummary> out;
  for (std::uint32_t k = 1; k < nights; ++k) {
    auto next = write_next_night(folder(k - 1), folder(k), options);
    if (!next.is_ok()) return next.status();
    out.push_back(next.value());
    if (progress) progress(k + 1);
  }
  return out;
}

}  // namespace sourcetrace::market
