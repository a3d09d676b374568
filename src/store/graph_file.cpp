// graph.h5 reader and writer (schema: docs/graph-h5.md).
#include "sourcetrace/store/graph_file.hpp"

#include <fmt/format.h>

#include <span>

#include "sourcetrace/store/h5_file.hpp"
#include "sourcetrace/tables/output_file.hpp"
#include "sourcetrace/store/engine_stamp.hpp"
#include "sourcetrace/store/run_manifest.hpp"

namespace sourcetrace::store {

using graph::AggregatedCsr;
using graph::KeyIndex;
using graph::Layer;
using graph::MarketGraph;

namespace {

std::span<const std::uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

Status write_csr(H5File& f, const std::string& prefix, const AggregatedCsr& a) {
  ST_RETURN_IF_ERROR(f.write_array(prefix + "offsets", a.csr.offsets));
  ST_RETURN_IF_ERROR(f.write_array(prefix + "targets", a.csr.targets));
  ST_RETURN_IF_ERROR(f.write_array(prefix + "weights", a.csr.weights));
  return f.write_array(prefix + "events", a.events);
}

Result<AggregatedCsr> read_csr(const H5File& f, const std::string& prefix) {
  AggregatedCsr a;
  auto offsets = f.read_array<std::uint64_t>(prefix + "offsets");
  auto targets = f.read_array<std::uint32_t>(prefix + "targets");
  auto weights = f.read_array<float>(prefix + "weights");
  auto events = f.read_array<std::uint32_t>(prefix + "events");
  for (const Status* s : {&offsets.status(), &targets.status(), &weights.status(), &events.status()}) {
    if (!s->is_ok()) return *s;
  }
  a.csr.offsets = std::move(offsets).value();
  a.csr.targets = std::move(targets).value();
  a.csr.weights = std::move(weights).value();
  a.events = std::move(events).value();
  if (a.csr.offsets.empty() || a.csr.offsets.back() != a.csr.targets.size() ||
      a.csr.weights.size() != a.csr.targets.size() || a.events.size() != a.csr.targets.size()) {
    return Status::corrupt(f.path() + ": " + prefix + "*: arrays of inconsistent length");
  }
  return a;
}

Status write_blob(H5File& f, const std::string& group, const KeyIndex::Blob& blob) {
  ST_RETURN_IF_ERROR(f.write_array(group + "/offsets", blob.offsets));
  return f.write_array(group + "/bytes", as_bytes(blob.bytes));
}

Result<KeyIndex::Blob> read_blob(const H5File& f, const std::string& offsets_path,
                                 const std::string& bytes_path) {
  KeyIndex::Blob blob;
  auto offsets = f.read_array<std::uint64_t>(offsets_path);
  if (!offsets.is_ok()) return offsets.status();
  auto bytes = f.read_array<std::uint8_t>(bytes_path);
  if (!bytes.is_ok()) return bytes.status();
  blob.offsets = std::move(offsets).value();
  blob.bytes.assign(bytes.value().begin(), bytes.value().end());
  if (blob.offsets.empty() || blob.offsets.back() != blob.bytes.size()) {
    return Status::corrupt(f.path() + ": " + offsets_path + " does not match " + bytes_path);
  }
  blob.tags.assign(blob.offsets.size() - 1, 0);
  return blob;
}

Status write_all(H5File& f, const MarketGraph& g, const GraphProvenance& p) {
  ST_RETURN_IF_ERROR(f.write_attribute("/", "format", kGraphFormat));
  ST_RETURN_IF_ERROR(f.write_attribute("/", "version", kGraphFormatVersion));
  ST_RETURN_IF_ERROR(stamp_engine(f));
  ST_RETURN_IF_ERROR(f.write_attribute("/", "created", p.created));
  ST_RETURN_IF_ERROR(f.write_attribute("/", "source_kind", g.source_kind));
  ST_RETURN_IF_ERROR(f.write_attribute("/", "source", p.source));
  ST_RETURN_IF_ERROR(f.write_attribute("/", "input_digest", p.input_digest));
  ST_RETURN_IF_ERROR(f.write_attribute("/", "tables", p.tables_json));

  ST_RETURN_IF_ERROR(f.write_array("/entities/kind", g.entities.tags));
  ST_RETURN_IF_ERROR(f.write_array("/entities/key_offsets", g.entities.offsets));
  ST_RETURN_IF_ERROR(f.write_array("/entities/key_bytes", as_bytes(g.entities.bytes)));
  ST_RETURN_IF_ERROR(f.write_array("/entities/region", g.region));
  ST_RETURN_IF_ERROR(f.write_array("/entities/created_on", g.created_on));

  std::string order;
  for (const Layer& l : g.layers) {
    const std::string group = "/layers/" + l.name;
    ST_RETURN_IF_ERROR(write_csr(f, group + "/", l.adjacency));
    if (l.directed) ST_RETURN_IF_ERROR(write_csr(f, group + "/flow_", l.flow));
    if (!l.link_events.empty()) ST_RETURN_IF_ERROR(f.write_array(group + "/link_events", l.link_events));
    ST_RETURN_IF_ERROR(f.write_attribute(group, "weight_rule", l.weight_rule));
    ST_RETURN_IF_ERROR(f.write_attribute(group, "directed", std::int64_t{l.directed}));
    order += (order.empty() ? "" : ",") + l.name;
  }
  ST_RETURN_IF_ERROR(f.create_group("/layers"));
  ST_RETURN_IF_ERROR(f.write_attribute("/layers", "order", order));

  ST_RETURN_IF_ERROR(f.write_array("/evidence/entity", g.evidence.entity));
  ST_RETURN_IF_ERROR(f.write_array("/evidence/signal", g.evidence.signal));
  ST_RETURN_IF_ERROR(f.write_array("/evidence/brand", g.evidence.brand));
  ST_RETURN_IF_ERROR(f.write_array("/evidence/day", g.evidence.day));
  ST_RETURN_IF_ERROR(f.write_array("/evidence/reporter", g.evidence.reporter));
  ST_RETURN_IF_ERROR(f.write_array("/evidence/report", g.evidence.report));

  ST_RETURN_IF_ERROR(write_blob(f, "/dict/brands", g.brands));
  ST_RETURN_IF_ERROR(write_blob(f, "/dict/regions", g.regions));
  ST_RETURN_IF_ERROR(write_blob(f, "/dict/reporters", g.reporters));
  return write_blob(f, "/dict/reports", g.reports);
}

}  // namespace

Status write_dictionary(H5File& f, const std::string& group, const KeyIndex::Blob& blob) {
  return write_blob(f, group, blob);
}

Result<KeyIndex::Blob> read_dictionary(const H5File& f, const std::string& group) {
  return read_blob(f, group + "/offsets", group + "/bytes");
}

Status write_graph_file(const std::string& path, const MarketGraph& g,
                        const GraphProvenance& provenance) {
  const std::string temp = tables::temporary_path_for(path);
  Status status;
  {
    auto file = H5File::create(temp);
    if (!file.is_ok()) return file.status().with_context("cannot write " + path);
    status = write_all(file.value(), g, provenance);
    if (status.is_ok()) status = file.value().close();
  }
  if (status.is_ok()) status = retire_manifest_for(path);
  if (status.is_ok()) status = tables::publish_file(temp, path);
  if (!status.is_ok()) std::remove(temp.c_str());
  return status;
}

namespace {

Status check_graph_format(const H5File& f, const std::string& path) {
  auto format = f.read_string_attribute("/", "format");
  if (!format.is_ok() && format.status().code() == Status::Code::kCorrupt) return format.status();
  if (!format.is_ok() || format.value() != kGraphFormat) {
    return Status::corrupt(path + ": not a sourcetrace graph file (made by `sourcetrace ingest`)");
  }
  auto version = f.read_int_attribute("/", "version");
  if (!version.is_ok() || version.value() != kGraphFormatVersion) {
    return Status::corrupt(fmt::format(
        "{}: graph format version {} is not supported by this engine (it reads version {}); "
        "re-run `sourcetrace ingest` with this engine",
        path, version.is_ok() ? std::to_string(version.value()) : "?", kGraphFormatVersion));
  }
  return Status::ok();
}

// Opens a graph file to read: checked against its run's manifest first
// (store/run_manifest.hpp), then its format and version.
Result<H5File> open_graph(const std::string& path) {
  ST_RETURN_IF_ERROR(check_against_manifest(path));
  auto opened = H5File::open(path);
  if (!opened.is_ok()) return opened.status();
  ST_RETURN_IF_ERROR(check_graph_format(opened.value(), path));
  return opened;
}

GraphProvenance provenance_attributes(const H5File& f) {
  GraphProvenance p;
  for (auto [field, name] : {std::pair{&p.source, "source"},
                             {&p.input_digest, "input_digest"},
                             {&p.tables_json, "tables"},
                             {&p.created, "created"},
                             {&p.engine_build, "engine_build"},
                             {&p.source_kind, "source_kind"}}) {
    auto value = f.read_string_attribute("/", name);
    *field = value.is_ok() ? value.value() : "";
  }
  return p;
}

// The entities, with their kinds and attributes.
Status read_entities(const H5File& f, const std::string& path, MarketGraph& g) {
  auto keys = read_blob(f, "/entities/key_offsets", "/entities/key_bytes");
  if (!keys.is_ok()) return keys.status();
  g.entities = std::move(keys).value();
  auto kinds = f.read_array<std::uint8_t>("/entities/kind");
  auto region = f.read_array<std::uint32_t>("/entities/region");
  auto created = f.read_array<std::int32_t>("/entities/created_on");
  for (const Status* s : {&kinds.status(), &region.status(), &created.status()}) {
    if (!s->is_ok()) return *s;
  }
  g.entities.tags = std::move(kinds).value();
  g.region = std::move(region).value();
  g.created_on = std::move(created).value();
  const std::size_t n = g.entities.tags.size();
  if (g.entities.offsets.size() != n + 1 || g.region.size() != n || g.created_on.size() != n) {
    return Status::corrupt(path + ": /entities arrays of inconsistent length");
  }
  return Status::ok();
}

}  // namespace

Result<GraphProvenance> read_graph_provenance(const std::string& path) {
  auto opened = open_graph(path);
  if (!opened.is_ok()) return opened.status();
  return provenance_attributes(opened.value());
}

Result<MarketGraph> read_graph_file(const std::string& path, GraphProvenance* provenance, LayerRead layers) {
  auto opened = open_graph(path);
  if (!opened.is_ok()) return opened.status();
  const H5File& f = opened.value();

  MarketGraph g;
  if (auto kind = f.read_string_attribute("/", "source_kind"); kind.is_ok()) g.source_kind = kind.value();
  if (provenance != nullptr) *provenance = provenance_attributes(f);

  ST_RETURN_IF_ERROR(read_entities(f, path, g));
  const std::size_t n = g.entities.tags.size();

  auto order = f.read_string_attribute("/layers", "order");
  if (!order.is_ok()) return order.status();
  std::string_view rest = order.value();
  while (layers != LayerRead::kNone && !rest.empty()) {
    std::size_t comma = rest.find(',');
    std::string name(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    Layer layer;
    layer.name = name;
    layer.id = graph::LayerId::kEdges;
    for (std::size_t i = 0; i < graph::kLayerNames.size(); ++i) {
      if (graph::kLayerNames[i] == name) layer.id = static_cast<graph::LayerId>(i);
    }
    const std::string group = "/layers/" + name;
    auto rule = f.read_string_attribute(group, "weight_rule");
    auto directed = f.read_int_attribute(group, "directed");
    if (!rule.is_ok()) return rule.status();
    if (!directed.is_ok()) return directed.status();
    layer.weight_rule = rule.value();
    layer.directed = directed.value() != 0;
    auto adjacency = read_csr(f, group + "/");
    if (!adjacency.is_ok()) return adjacency.status();
    layer.adjacency = std::move(adjacency).value();
    if (layer.directed && layers == LayerRead::kAll) {
      auto flow = read_csr(f, group + "/flow_");
      if (!flow.is_ok()) return flow.status();
      layer.flow = std::move(flow).value();
    }
    if (layer.adjacency.csr.num_vertices() != n) {
      return Status::corrupt(path + ": layer " + name + " has a different vertex count");
    }
    // Link types: files written before they were kept have none.
    auto has_link_events = f.find(group + "/link_events");
    if (!has_link_events.is_ok()) return has_link_events.status();
    if (has_link_events.value()) {
      auto link_events = f.read_array<std::uint16_t>(group + "/link_events");
      if (!link_events.is_ok()) return link_events.status();
      layer.link_events = std::move(link_events).value();
      if (layer.link_events.size() != layer.adjacency.csr.num_arcs() * graph::kLinkTypes) {
        return Status::corrupt(path + ": " + group + "/link_events does not have " +
                               std::to_string(graph::kLinkTypes) + " entries per arc");
      }
    }
    g.layers.push_back(std::move(layer));
  }

  auto entity = f.read_array<std::uint32_t>("/evidence/entity");
  auto signal = f.read_array<std::uint8_t>("/evidence/signal");
  auto brand = f.read_array<std::uint32_t>("/evidence/brand");
  auto day = f.read_array<std::int32_t>("/evidence/day");
  auto reporter = f.read_array<std::uint32_t>("/evidence/reporter");
  for (const Status* s : {&entity.status(), &signal.status(), &brand.status(), &day.status(),
                          &reporter.status()}) {
    if (!s->is_ok()) return *s;
  }
  g.evidence.entity = std::move(entity).value();
  g.evidence.signal = std::move(signal).value();
  g.evidence.brand = std::move(brand).value();
  g.evidence.day = std::move(day).value();
  g.evidence.reporter = std::move(reporter).value();
  // Report ids came later (an optional column): a file without them has none.
  if (f.exists("/evidence/report")) {
    auto report = f.read_array<std::uint32_t>("/evidence/report");
    if (!report.is_ok()) return report.status();
    g.evidence.report = std::move(report).value();
  } else {
    g.evidence.report.assign(g.evidence.size(), 0);
  }

  for (auto [blob, name] : {std::pair{&g.brands, "brands"}, {&g.regions, "regions"},
                            {&g.reporters, "reporters"}, {&g.reports, "reports"}}) {
    if (blob == &g.reports && !f.exists("/dict/reports")) {
      KeyIndex none;
      none.intern(0, "");
      *blob = none.take();
      continue;
    }
    auto b = read_blob(f, fmt::format("/dict/{}/offsets", name), fmt::format("/dict/{}/bytes", name));
    if (!b.is_ok()) return b.status();
    *blob = std::move(b).value();
  }
  return g;
}

}  // namespace sourcetrace::store

namespace sourcetrace::store {

Result<MarketGraph> read_graph_entities(const std::string& path) {
  auto opened = open_graph(path);
  if (!opened.is_ok()) return opened.status();
  MarketGraph g;
  if (auto kind = opened.value().read_string_attribute("/", "source_kind"); kind.is_ok()) g.source_kind = kind.value();
  ST_RETURN_IF_ERROR(read_entities(opened.value(), path, g));
  return g;
}

}  // namespace sourcetrace::store
