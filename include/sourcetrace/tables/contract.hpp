// The table contract (docs/tables.md) as types: which tables exist, their
// columns, the vocabularies (link types, evidence signals) and one typed row
// per input table.
//
// The enum values of LinkType and Signal are stored in graph.h5: never
// renumber, only append. Rows hold views into the reader's buffer; they are
// valid only inside the callback that receives them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "sourcetrace/entity.hpp"

namespace sourcetrace::tables {

enum class Table : std::uint8_t {
  kEntities,
  kSellerLinks,
  kStock,
  kPayments,
  kShipments,
  kEvidence,
};
inline constexpr int kNumTables = 6;

struct TableSpec {
  Table table;
  std::string_view name;  // file name without .csv / .csv.gz
  bool required;
  std::array<std::string_view, 7> columns;  // required columns; unused slots empty
  int num_columns;
  std::string_view optional = {};  // a later, optional column ("" = none)
};

// In the order ingest reads them (entities first, so that listed entities
// get the lowest vertex ids in file order).
inline constexpr std::array<TableSpec, kNumTables> kTableSpecs = {{
    {Table::kEntities, "entities", false, {"kind", "id", "region", "created_on"}, 4},
    {Table::kSellerLinks, "seller_links", true, {"seller_a", "seller_b", "link", "observed_on"}, 4},
    {Table::kStock, "stock", true, {"seller", "warehouse", "units", "observed_on"}, 4},
    {Table::kPayments, "payments", true,
     {"payer_kind", "payer", "payee_kind", "payee", "amount", "paid_on"}, 6},
    {Table::kShipments, "shipments", true,
     {"shipment", "origin_kind", "origin", "destination_kind", "destination", "units", "shipped_on"},
     7},
    {Table::kEvidence, "evidence", false,
     {"kind", "id", "signal", "brand", "reported_on", "reporter"}, 6, "report"},
}};

inline const TableSpec& table_spec(Table table) { return kTableSpecs[static_cast<int>(table)]; }

enum class LinkType : std::uint8_t { kDevice, kAddress, kPhone, kBankHolder, kImage, kContact };
inline constexpr std::array<std::string_view, 6> kLinkTypeNames = {
    "device", "address", "phone", "bank_holder", "image", "contact"};

enum class Signal : std::uint8_t {
  kTakedown,
  kTestBuyCounterfeit,
  kTestBuyGenuine,
  kComplaint,
  kEnforcementConfirmed,
};
inline constexpr std::array<std::string_view, 5> kSignalNames = {
    "takedown", "test_buy_counterfeit", "test_buy_genuine", "complaint", "enforcement_confirmed"};

template <typename Enum, std::size_t N>
std::optional<Enum> parse_enum(std::string_view text, const std::array<std::string_view, N>& names) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

// Days since 1970-01-01; kNoDay where a date is optional and empty.
using Day = std::int32_t;
inline constexpr Day kNoDay = INT32_MIN;

struct EntityRef {
  EntityKind kind;
  std::string_view id;
};

struct EntityRow {
  EntityRef entity;
  std::string_view region;  // may be empty
  Day created_on;           // may be kNoDay
};
struct SellerLinkRow {
  std::string_view seller_a, seller_b;
  LinkType link;
  Day observed_on;
};
struct StockRow {
  std::string_view seller, warehouse;
  double units;
  Day observed_on;
};
struct PaymentRow {
  EntityRef payer, payee;
  double amount;
  Day paid_on;
};
struct ShipmentRow {
  std::string_view shipment;
  EntityRef origin, destination;
  double units;
  Day shipped_on;
};
struct EvidenceRow {
  EntityRef entity;
  Signal signal;
  std::string_view brand;     // empty only for complaints
  Day reported_on;
  std::string_view reporter;  // may be empty
  std::string_view report;    // optional column: the reporter's id for the report, or empty
};

}  // namespace sourcetrace::tables
