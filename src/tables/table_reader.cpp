// TableReader: header mapping and the per-table row rules of the contract.
#include "sourcetrace/tables/table_reader.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "sourcetrace/tables/column_reader.hpp"
#include "sourcetrace/tables/csv_reader.hpp"
#include "sourcetrace/tables/fields.hpp"

namespace sourcetrace::tables {

std::string RowError::location() const { return fmt::format("{}:{}: {}", file, line, reason); }

Status reject_strictly(const RowError& error) { return Status::invalid_input(error.location()); }

Result<std::optional<std::string>> find_table_file(const std::string& dataset_dir,
                                                   std::string_view name) {
  namespace fs = std::filesystem;
  fs::path plain = fs::path(dataset_dir) / (std::string(name) + ".csv");
  fs::path gz = fs::path(dataset_dir) / (std::string(name) + ".csv.gz");
  std::error_code ec;
  bool has_plain = fs::exists(plain, ec), has_gz = fs::exists(gz, ec);
  if (has_plain && has_gz) {
    return Status::invalid_input(fmt::format(
        "{}: both {}.csv and {}.csv.gz exist; remove the one that is not meant", dataset_dir,
        name, name));
  }
  if (has_plain) return std::optional<std::string>(plain.string());
  if (has_gz) return std::optional<std::string>(gz.string());
  return std::optional<std::string>();
}

namespace {

// Turns one record's fields into a typed row, or says why it cannot.
class RowParser {
 public:
  RowParser(Table table, const std::vector<int>& column_of) : table_(table), col_(column_of) {}

  // Returns an empty string on success.
  std::string parse_and_dispatch(const CsvRecord& rec, RowHandler& handler) {
    switch (table_) {
      case Table::kEntities: {
        EntityRow row{};
        if (!kind(rec, 0, row.entity.kind, kAnyKind) || !identifier(rec, 1, row.entity.id)) break;
        row.region = field(rec, 2);
        if (!row.region.empty() && !identifier(rec, 2, row.region)) break;
        row.created_on = kNoDay;
        if (!field(rec, 3).empty() && !date(rec, 3, row.created_on)) break;
        return dispatch(handler, row);
      }
      case Table::kSellerLinks: {
        SellerLinkRow row{};
        if (!identifier(rec, 0, row.seller_a) || !identifier(rec, 1, row.seller_b)) break;
        if (!vocabulary(rec, 2, row.link, kLinkTypeNames) || !date(rec, 3, row.observed_on)) break;
        if (row.seller_a == row.seller_b) {
          error_ = "seller_a and seller_b are the same seller";
          break;
        }
        return dispatch(handler, row);
      }
      case Table::kStock: {
        StockRow row{};
        if (!identifier(rec, 0, row.seller) || !identifier(rec, 1, row.warehouse)) break;
        if (!quantity(rec, 2, row.units) || !date(rec, 3, row.observed_on)) break;
        return dispatch(handler, row);
      }
      case Table::kPayments: {
        PaymentRow row{};
        if (!kind(rec, 0, row.payer.kind, kPaymentKinds) || !identifier(rec, 1, row.payer.id)) break;
        if (!kind(rec, 2, row.payee.kind, kPaymentKinds) || !identifier(rec, 3, row.payee.id)) break;
        if (!quantity(rec, 4, row.amount) || !date(rec, 5, row.paid_on)) break;
        if (row.payer.kind == row.payee.kind && row.payer.id == row.payee.id) {
          error_ = "payer and payee are the same entity";
          break;
        }
        return dispatch(handler, row);
      }
      case Table::kShipments: {
        ShipmentRow row{};
        if (!identifier(rec, 0, row.shipment)) break;
        if (!kind(rec, 1, row.origin.kind, kShipmentKinds) || !identifier(rec, 2, row.origin.id)) break;
        if (!kind(rec, 3, row.destination.kind, kShipmentKinds) ||
            !identifier(rec, 4, row.destination.id))
          break;
        if (!quantity(rec, 5, row.units) || !date(rec, 6, row.shipped_on)) break;
        if (row.origin.kind == row.destination.kind && row.origin.id == row.destination.id) {
          error_ = "origin and destination are the same entity";
          break;
        }
        return dispatch(handler, row);
      }
      case Table::kEvidence: {
        EvidenceRow row{};
        if (!kind(rec, 0, row.entity.kind, kAnyKind) || !identifier(rec, 1, row.entity.id)) break;
        if (!vocabulary(rec, 2, row.signal, kSignalNames)) break;
        row.brand = field(rec, 3);
        if (row.brand.empty()) {
          if (row.signal != Signal::kComplaint) {
            error_ = "column 'brand': empty (only a complaint may name no brand)";
            break;
          }
        } else if (!identifier(rec, 3, row.brand)) {
          break;
        }
        if (!date(rec, 4, row.reported_on)) break;
        row.reporter = field(rec, 5);
        if (!row.reporter.empty() && !identifier(rec, 5, row.reporter)) break;
        if (col_.size() > 6 && col_[6] >= 0) {
          row.report = field(rec, 6);
          if (!row.report.empty()) {
            if (const char* why = check_report_id(row.report)) {
              error_ = fmt::format("column 'report': {}", why);
              break;
            }
          }
        }
        return dispatch(handler, row);
      }
    }
    std::string error = std::move(error_);
    error_.clear();
    return error;
  }

 private:
  template <typename Row>
  std::string dispatch(RowHandler& handler, const Row& row) {
    const char* refused = handler.on_row(row);
    return refused == nullptr ? std::string() : std::string(refused);
  }

  static constexpr unsigned kAnyKind = 0b1111;
  static constexpr unsigned kPaymentKinds =
      1u << static_cast<int>(EntityKind::kSeller) | 1u << static_cast<int>(EntityKind::kAccount);
  static constexpr unsigned kShipmentKinds =
      1u << static_cast<int>(EntityKind::kSeller) | 1u << static_cast<int>(EntityKind::kWarehouse);

  std::string_view field(const CsvRecord& rec, int c) const { return rec.fields[col_[c]]; }
  std::string_view column(int c) const { return table_spec(table_).columns[c]; }

  bool fail(int c, std::string_view why, std::string_view value) {
    error_ = fmt::format("column '{}': {}", column(c), why);
    if (!value.empty() && value.size() <= 64 && check_identifier(value) == nullptr) {
      error_ += fmt::format(" ('{}')", value);
    }
    return false;
  }

  bool identifier(const CsvRecord& rec, int c, std::string_view& out) {
    out = field(rec, c);
    if (const char* why = check_identifier(out)) return fail(c, why, {});
    return true;
  }
  bool date(const CsvRecord& rec, int c, Day& out) {
    std::string_view t = field(rec, c);
    if (const char* why = parse_date(t, out)) return fail(c, why, t);
    return true;
  }
  bool quantity(const CsvRecord& rec, int c, double& out) {
    std::string_view t = field(rec, c);
    if (const char* why = parse_quantity(t, out)) return fail(c, why, t);
    return true;
  }
  bool kind(const CsvRecord& rec, int c, EntityKind& out, unsigned allowed) {
    std::string_view t = field(rec, c);
    auto k = parse_entity_kind(t);
    if (!k) return fail(c, "unknown kind", t);
    if (!(allowed & (1u << static_cast<int>(*k)))) return fail(c, "kind not allowed here", t);
    out = *k;
    return true;
  }
  template <typename Enum, std::size_t N>
  bool vocabulary(const CsvRecord& rec, int c, Enum& out,
                  const std::array<std::string_view, N>& names) {
    std::string_view t = field(rec, c);
    auto v = parse_enum<Enum>(t, names);
    if (!v) return fail(c, fmt::format("unknown value (expected one of {})", fmt::join(names, ", ")), t);
    out = *v;
    return true;
  }

  Table table_;
  const std::vector<int>& col_;
  std::string error_;
};

}  // namespace

std::string parse_evidence_fields(const std::array<std::string_view, 6>& fields, EvidenceRow& row) {
  struct Keep final : RowHandler {
    EvidenceRow* out;
    const char* on_row(const EvidenceRow& r) override {
      *out = r;
      return nullptr;
    }
  } keep;
  keep.out = &row;
  CsvRecord record;
  record.fields.assign(fields.begin(), fields.end());
  static const std::vector<int> kInOrder = {0, 1, 2, 3, 4, 5};
  RowParser parser(Table::kEvidence, kInOrder);
  return parser.parse_and_dispatch(record, keep);
}

Status read_table(const std::string& path, Table table, RowHandler& handler,
                  const RejectSink& reject, TableStats& stats, const ByteProgress& progress) {
  const TableSpec& spec = table_spec(table);
  stats.name = std::string(spec.name);
  stats.path = path;
  auto opened = CsvReader::open(path);
  if (!opened.is_ok()) return opened.status();
  CsvReader& reader = *opened.value();

  // The header: every required column once; other columns are ignored.
  const std::array<std::string_view, 1> optional = {spec.optional};
  auto header = read_header(reader, path, std::span(spec.columns.data(), static_cast<std::size_t>(spec.num_columns)),
                            std::span(optional.data(), spec.optional.empty() ? 0u : 1u));
  if (!header.is_ok()) return header.status();
  const std::vector<int>& column_of = header.value().column_of;
  const std::size_t width = header.value().width;
  CsvRecord record;
  std::string reason;

  RowParser parser(table, column_of);
  std::uint64_t next_progress = 1 << 16;
  while (true) {
    CsvReader::Next next = reader.next(record, reason);
    if (next == CsvReader::Next::kEnd) break;
    if (next == CsvReader::Next::kFatal) return reader.status();
    ++stats.read;
    if (next == CsvReader::Next::kRecord) {
      if (record.fields.size() != width) {
        reason = fmt::format("{} fields, the header has {}", record.fields.size(), width);
      } else {
        reason = parser.parse_and_dispatch(record, handler);
      }
    }
    if (reason.empty()) {
      ++stats.accepted;
    } else {
      ++stats.rejected;
      ST_RETURN_IF_ERROR(reject(RowError{spec.name, path, record.line, std::move(reason), record.raw}));
      reason.clear();
    }
    if (progress && stats.read >= next_progress) {
      next_progress += 1 << 16;
      progress(reader.source().file_bytes_read(), reader.source().file_size());
    }
  }
  stats.digest = reader.source().digest();
  stats.content_bytes = reader.source().content_bytes();
  if (progress) progress(reader.source().file_size(), reader.source().file_size());
  return Status::ok();
}

}  // namespace sourcetrace::tables
