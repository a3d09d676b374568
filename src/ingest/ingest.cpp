// Ingest: rows → vertex ids and layer events → aggregated layers.
#include "sourcetrace/ingest/ingest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "sourcetrace/store/run_file.hpp"
#include "sourcetrace/tables/byte_source.hpp"
#include "sourcetrace/tables/csv_reader.hpp"
#include "sourcetrace/tables/csv_writer.hpp"
#include "sourcetrace/tables/edge_list_reader.hpp"

namespace sourcetrace::ingest {

using graph::CsrBuilder;
using graph::KeyIndex;
using graph::LayerId;
using graph::VertexId;
using tables::TableStats;

namespace {

// Where bad rows go: nowhere (strict: stop) or rejected.csv (lenient).
class RejectedRows {
 public:
  static Result<RejectedRows> open(const IngestOptions& options) {
    RejectedRows r;
    if (!options.lenient) return r;
    if (options.rejected_path.empty()) {
      return Status::invalid_argument("a lenient ingest needs a path for rejected.csv");
    }
    auto writer = tables::CsvWriter::create(options.rejected_path, {"table", "line", "reason", "raw"});
    if (!writer.is_ok()) return writer.status();
    r.writer_ = std::make_unique<tables::CsvWriter>(std::move(writer).value());
    return r;
  }

  tables::RejectSink sink() {
    if (!writer_) return tables::reject_strictly;
    return [this](const tables::RowError& e) {
      // rejected.csv is itself a valid UTF-8 table: bytes that are not
      // UTF-8 are shown as U+FFFD (the line number finds the original).
      writer_->field(e.table).field(static_cast<std::uint64_t>(e.line)).field(e.reason);
      writer_->field(tables::is_valid_utf8(e.raw) ? std::string(e.raw) : tables::to_valid_utf8(e.raw));
      return writer_->end_row();
    };
  }

  Status publish() { return writer_ ? writer_->publish() : Status::ok(); }

 private:
  std::unique_ptr<tables::CsvWriter> writer_;
};

// Layer weights: what one event adds.
constexpr const char* kWeightRule[] = {"events", "units", "amount", "units", "weight"};

// Turns each accepted row into entities and layer events.
class MarketAssembler final : public tables::RowHandler {
 public:
  MarketAssembler() {
    for (KeyIndex* d : {&brands_, &regions_, &reporters_, &reports_}) d->intern(0, "");
  }

  const char* on_row(const tables::EntityRow& row) override {
    VertexId v = entity(row.entity.kind, row.entity.id);
    if (listed_[v]) return "entity listed twice in entities";
    listed_[v] = true;
    region_[v] = regions_.intern(0, row.region);
    created_on_[v] = row.created_on;
    return nullptr;
  }
  const char* on_row(const tables::SellerLinkRow& row) override {
    // Ids in order of first sight: intern the first column first.
    VertexId a = entity(EntityKind::kSeller, row.seller_a);
    VertexId b = entity(EntityKind::kSeller, row.seller_b);
    builders_[0].add(a, b, 1.0f);
    link_builders_[static_cast<std::size_t>(row.link)].add(a, b, 1.0f);
    return nullptr;
  }
  const char* on_row(const tables::StockRow& row) override {
    VertexId seller = entity(EntityKind::kSeller, row.seller);
    VertexId warehouse = entity(EntityKind::kWarehouse, row.warehouse);
    builders_[1].add(seller, warehouse, static_cast<float>(row.units));
    return nullptr;
  }
  const char* on_row(const tables::PaymentRow& row) override {
    VertexId payer = entity(row.payer.kind, row.payer.id);
    VertexId payee = entity(row.payee.kind, row.payee.id);
    builders_[2].add(payer, payee, static_cast<float>(row.amount));
    return nullptr;
  }
  const char* on_row(const tables::ShipmentRow& row) override {
    VertexId origin = entity(row.origin.kind, row.origin.id);
    VertexId destination = entity(row.destination.kind, row.destination.id);
    builders_[3].add(origin, destination, static_cast<float>(row.units));
    return nullptr;
  }
  const char* on_row(const tables::EvidenceRow& row) override {
    graph::EvidenceTable& e = graph_evidence_;
    e.entity.push_back(entity(row.entity.kind, row.entity.id));
    e.signal.push_back(static_cast<std::uint8_t>(row.signal));
    e.brand.push_back(brands_.intern(0, row.brand));
    e.day.push_back(row.reported_on);
    e.reporter.push_back(reporters_.intern(0, row.reporter));
    e.report.push_back(reports_.intern(0, row.report));
    return nullptr;
  }

  graph::MarketGraph finish() {
    graph::MarketGraph g;
    const VertexId n = entities_.size();
    // The keys first: that frees the index's hash table (the largest array
    // of the read) before the layers' builds need their memory.
    g.entities = entities_.take();
    for (int i = 0; i < 4; ++i) {
      graph::Layer layer;
      layer.id = static_cast<LayerId>(i);
      layer.name = std::string(graph::kLayerNames[i]);
      layer.weight_rule = kWeightRule[i];
      layer.directed = layer.id == LayerId::kPayment || layer.id == LayerId::kShipment;
      if (layer.directed) {
        // Aggregate the directed events once; the symmetric adjacency is
        // built from the (far fewer) directed edges.
        layer.flow = builders_[i].build(n, /*symmetric=*/false);
        std::vector<graph::EdgeEvents> edges;
        edges.reserve(layer.flow.csr.num_arcs());
        for (VertexId v = 0; v < n; ++v) {
          for (auto k = layer.flow.csr.offsets[v]; k < layer.flow.csr.offsets[v + 1]; ++k) {
            edges.push_back({v, layer.flow.csr.targets[k], layer.flow.csr.weights[k], layer.flow.events[k]});
          }
        }
        layer.adjacency = graph::build_csr(std::move(edges), n, /*symmetric=*/true);
      } else {
        layer.adjacency = builders_[i].build(n, /*symmetric=*/true);
      }
      if (layer.id == LayerId::kSeller) layer.link_events = link_events(layer.adjacency, n);
      g.layers.push_back(std::move(layer));
    }
    g.region = std::move(region_);
    g.created_on = std::move(created_on_);
    g.evidence = std::move(graph_evidence_);
    g.brands = brands_.take();
    g.regions = regions_.take();
    g.reporters = reporters_.take();
    g.reports = reports_.take();
    return g;
  }

 private:
  VertexId entity(EntityKind kind, std::string_view id) {
    VertexId v = entities_.intern(static_cast<std::uint8_t>(kind), id);
    if (v == region_.size()) {
      region_.push_back(0);
      created_on_.push_back(tables::kNoDay);
      listed_.push_back(false);
    }
    return v;
  }

  KeyIndex entities_, brands_, regions_, reporters_, reports_;
  std::vector<std::uint32_t> region_;
  std::vector<std::int32_t> created_on_;
  std::vector<bool> listed_;
  // Per arc of the seller layer's adjacency, its events of each link type:
  // each type's own symmetric CSR, walked beside the union's rows.
  std::vector<std::uint16_t> link_events(const graph::AggregatedCsr& all, VertexId n) {
    std::vector<std::uint16_t> counts(all.csr.num_arcs() * graph::kLinkTypes, 0);
    for (std::size_t t = 0; t < graph::kLinkTypes; ++t) {
      const graph::AggregatedCsr typed = link_builders_[t].build(n, /*symmetric=*/true);
#pragma omp parallel for schedule(dynamic, 4096)
      for (std::int64_t u = 0; u < static_cast<std::int64_t>(n); ++u) {
        const auto v = static_cast<VertexId>(u);
        auto k = all.csr.offsets[v];
        // Every typed arc is an arc of the union (same events, fewer types).
        for (auto j = typed.csr.offsets[v]; j < typed.csr.offsets[v + 1]; ++j) {
          while (all.csr.targets[k] != typed.csr.targets[j]) ++k;
          counts[k * graph::kLinkTypes + t] = static_cast<std::uint16_t>(std::min<std::uint32_t>(typed.events[j], 65535));
        }
      }
    }
    return counts;
  }

  CsrBuilder builders_[4];
  CsrBuilder link_builders_[graph::kLinkTypes];
  graph::EvidenceTable graph_evidence_;
};

using DatasetTables = std::vector<std::pair<const tables::TableSpec*, std::string>>;

// The contract's tables present in `dataset_dir`, in contract order.
Result<DatasetTables> find_dataset_tables(const std::string& dataset_dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dataset_dir, ec)) {
    return Status::missing_input(dataset_dir + ": no such dataset folder");
  }
  DatasetTables files;
  for (const tables::TableSpec& spec : tables::kTableSpecs) {
    auto found = tables::find_table_file(dataset_dir, spec.name);
    if (!found.is_ok()) return found.status();
    if (!found.value()) {
      if (spec.required) {
        return Status::missing_input(fmt::format(
            "{}: required table {} is missing (expected {}.csv or {}.csv.gz)", dataset_dir,
            spec.name, spec.name, spec.name));
      }
      continue;
    }
    files.emplace_back(&spec, *found.value());
  }
  return files;
}

tables::Digest combine_digests(const std::vector<TableStats>& read) {
  tables::DigestBuilder d;
  for (const TableStats& t : read) {
    d.update(t.name);
    d.update(std::string_view("\0", 1));
    d.update(t.digest.hex());
  }
  return d.finish();
}

void add_up(IngestReport& report) {
  for (const TableStats& t : report.tables) {
    report.rows_read += t.read;
    report.rows_accepted += t.accepted;
    report.rows_rejected += t.rejected;
  }
  report.input_digest = combine_digests(report.tables);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

Result<IngestResult> ingest_market(const std::string& dataset_dir, const IngestOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  // Find every table first: a missing required table is reported before
  // any work is done.
  auto found_files = find_dataset_tables(dataset_dir);
  if (!found_files.is_ok()) return found_files.status();
  const DatasetTables& files = found_files.value();

  auto rejected = RejectedRows::open(options);
  if (!rejected.is_ok()) return rejected.status();
  tables::RejectSink reject = rejected.value().sink();

  MarketAssembler assembler;
  IngestReport report;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const tables::TableSpec* spec = files[i].first;
    const std::string& path = files[i].second;
    TableStats stats;
    tables::ByteProgress progress;
    if (options.progress) {
      progress = [&, i](std::uint64_t done, std::uint64_t total) {
        options.progress({spec->name, static_cast<int>(i), static_cast<int>(files.size()), done, total});
      };
    }
    ST_RETURN_IF_ERROR(tables::read_table(path, spec->table, assembler, reject, stats, progress));
    report.tables.push_back(std::move(stats));
  }
  ST_RETURN_IF_ERROR(rejected.value().publish());
  add_up(report);
  report.read_seconds = seconds_since(start);

  const auto build_start = std::chrono::steady_clock::now();
  IngestResult result{assembler.finish(), std::move(report)};
  result.report.build_seconds = seconds_since(build_start);
  return result;
}

Result<IngestResult> ingest_edge_list(const std::string& path, const IngestOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  auto rejected = RejectedRows::open(options);
  if (!rejected.is_ok()) return rejected.status();

  KeyIndex vertices;
  CsrBuilder builder;
  bool weighted = false;
  auto on_edge = [&](const tables::EdgeListRow& row) -> const char* {
    const auto kind = static_cast<std::uint8_t>(EntityKind::kVertex);
    graph::VertexId u = vertices.intern(kind, row.u);
    graph::VertexId v = vertices.intern(kind, row.v);
    builder.add(u, v, static_cast<float>(row.weight));
    weighted = row.weighted;
    return nullptr;
  };
  TableStats stats;
  tables::ByteProgress progress;
  if (options.progress) {
    progress = [&](std::uint64_t done, std::uint64_t total) {
      options.progress({"edges", 0, 1, done, total});
    };
  }
  ST_RETURN_IF_ERROR(tables::read_edge_list(path, on_edge, rejected.value().sink(), stats, progress));
  ST_RETURN_IF_ERROR(rejected.value().publish());

  IngestResult result;
  result.report.read_seconds = seconds_since(start);
  const auto build_start = std::chrono::steady_clock::now();
  graph::MarketGraph& g = result.graph;
  g.source_kind = "edge_list";
  graph::Layer layer;
  layer.id = LayerId::kEdges;
  layer.name = "edges";
  layer.weight_rule = weighted ? "weight" : "unweighted";
  layer.adjacency = builder.build(vertices.size(), /*symmetric=*/true);
  // Unweighted: a pair listed several times is still one edge of weight 1.
  if (!weighted) std::fill(layer.adjacency.csr.weights.begin(), layer.adjacency.csr.weights.end(), 1.0f);
  g.layers.push_back(std::move(layer));
  const VertexId n = vertices.size();
  g.entities = vertices.take();
  g.region.assign(n, 0);
  g.created_on.assign(n, tables::kNoDay);
  for (KeyIndex::Blob* d : {&g.brands, &g.regions, &g.reporters, &g.reports}) {
    KeyIndex empty;
    empty.intern(0, "");
    *d = empty.take();
  }
  result.report.tables.push_back(std::move(stats));
  add_up(result.report);
  result.report.build_seconds = seconds_since(build_start);
  return result;
}

Status find_dataset(const std::string& dataset_dir) { return find_dataset_tables(dataset_dir).status(); }

Result<tables::Digest> dataset_digest(const std::string& dataset_dir) {
  auto files = find_dataset_tables(dataset_dir);
  if (!files.is_ok()) return files.status();
  std::vector<TableStats> read;
  for (const auto& [spec, path] : files.value()) {
    auto source = tables::ByteSource::open(path);
    if (!source.is_ok()) return source.status();
    std::string block;
    while (source.value()->next(block)) {
    }
    ST_RETURN_IF_ERROR(source.value()->status());
    TableStats stats;
    stats.name = spec->name;
    stats.digest = source.value()->digest();
    read.push_back(std::move(stats));
  }
  return combine_digests(read);
}

store::GraphProvenance provenance_of(const std::string& source, const IngestReport& report) {
  nlohmann::json tables = nlohmann::json::array();
  for (const TableStats& t : report.tables) {
    tables.push_back({{"table", t.name},
                      {"path", t.path},
                      {"rows_read", t.read},
                      {"rows_accepted", t.accepted},
                      {"rows_rejected", t.rejected},
                      {"digest", t.digest.hex()}});
  }
  store::GraphProvenance p;
  p.source = source;
  p.input_digest = report.input_digest.hex();
  p.tables_json = tables.dump();
  p.created = store::utc_now();
  return p;
}

}  // namespace sourcetrace::ingest
