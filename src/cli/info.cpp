// `sourcetrace info`: what an engine file holds, for people or as JSON.
#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "sourcetrace/cli/exit_code.hpp"
#include "sourcetrace/graph/degree_stats.hpp"
#include "sourcetrace/store/graph_file.hpp"
#include "sourcetrace/store/run_manifest.hpp"
#include "sourcetrace/store/h5_file.hpp"
#include "sourcetrace/tables/contract.hpp"

namespace sourcetrace::cli {

namespace {

using nlohmann::ordered_json;

struct InfoOptions {
  std::string file;
  bool json = false;
};

ordered_json describe_graph(const graph::MarketGraph& g, const store::GraphProvenance& p) {
  ordered_json j;
  j["format"] = store::kGraphFormat;
  j["version"] = store::kGraphFormatVersion;
  j["source_kind"] = g.source_kind;
  j["source"] = p.source;
  j["created"] = p.created;
  j["input_digest"] = p.input_digest;
  j["tables"] = ordered_json::parse(p.tables_json.empty() ? "[]" : p.tables_json, nullptr, false);

  ordered_json kinds = ordered_json::object();
  std::uint64_t counts[kNumEntityKinds] = {};
  for (std::uint8_t t : g.entities.tags) ++counts[t];
  for (int k = 0; k < kNumEntityKinds; ++k) {
    if (counts[k] > 0) kinds[std::string(kEntityKindNames[k])] = counts[k];
  }
  j["entities"] = {{"total", g.num_entities()}, {"by_kind", kinds}};

  ordered_json layers = ordered_json::array();
  for (const graph::Layer& l : g.layers) {
    graph::DegreeStats d = graph::degree_stats(l.adjacency.csr);
    std::uint64_t events = 0;
    for (std::uint32_t e : l.adjacency.events) events += e;
    ordered_json lj = {{"name", l.name},
                       {"weight_rule", l.weight_rule},
                       {"edges", l.adjacency.csr.num_arcs() / 2},
                       {"events", events / 2},
                       {"total_weight", d.total_weight / 2},
                       {"vertices_with_edges", d.with_edges},
                       {"degree", {{"min", d.min}, {"mean", d.mean}, {"median", d.median},
                                   {"p99", d.p99}, {"max", d.max}}}};
    if (l.directed) lj["directed_edges"] = l.flow.csr.num_arcs();
    layers.push_back(lj);
  }
  j["layers"] = layers;

  ordered_json signals = ordered_json::object();
  std::uint64_t by_signal[tables::kSignalNames.size()] = {};
  for (std::uint8_t s : g.evidence.signal) {
    if (s < tables::kSignalNames.size()) ++by_signal[s];
  }
  for (std::size_t s = 0; s < tables::kSignalNames.size(); ++s) {
    signals[std::string(tables::kSignalNames[s])] = by_signal[s];
  }
  j["evidence"] = {{"rows", g.evidence.size()},
                   {"by_signal", signals},
                   {"brands", g.brands.offsets.size() - 2}};
  return j;
}

void print_graph(const ordered_json& j) {
  fmt::print("{} version {} ({}) from {}\n", j["format"].get<std::string>(), j["version"].get<int>(),
             j["source_kind"].get<std::string>(), j["source"].get<std::string>());
  fmt::print("created {}, input digest {}\n", j["created"].get<std::string>(),
             j["input_digest"].get<std::string>());
  for (const auto& t : j["tables"]) {
    fmt::print("  table {:<13} {:>12} rows read, {:>10} rejected  {}\n", t["table"].get<std::string>(),
               t["rows_read"].get<std::uint64_t>(), t["rows_rejected"].get<std::uint64_t>(),
               t["path"].get<std::string>());
  }
  fmt::print("entities: {}", j["entities"]["total"].get<std::uint64_t>());
  for (const auto& [kind, count] : j["entities"]["by_kind"].items()) {
    fmt::print("  {} {}", kind, count.get<std::uint64_t>());
  }
  fmt::print("\n");
  for (const auto& l : j["layers"]) {
    const auto& d = l["degree"];
    fmt::print("layer {:<9} {:>12} edges {:>12} events  weight {:>14.1f} ({})  degree min {} "
               "median {} mean {:.2f} p99 {} max {}\n",
               l["name"].get<std::string>(), l["edges"].get<std::uint64_t>(),
               l["events"].get<std::uint64_t>(), l["total_weight"].get<double>(),
               l["weight_rule"].get<std::string>(), d["min"].get<std::uint64_t>(),
               d["median"].get<std::uint64_t>(), d["mean"].get<double>(),
               d["p99"].get<std::uint64_t>(), d["max"].get<std::uint64_t>());
  }
  fmt::print("evidence: {} rows, {} brands", j["evidence"]["rows"].get<std::uint64_t>(),
             j["evidence"]["brands"].get<std::uint64_t>());
  for (const auto& [signal, count] : j["evidence"]["by_signal"].items()) {
    fmt::print("  {} {}", signal, count.get<std::uint64_t>());
  }
  fmt::print("\n");
}

int run_info(const InfoOptions& o) {
  // A finished run's file is checked against its manifest before HDF5 reads it.
  if (Status checked = store::check_against_manifest(o.file); !checked.is_ok()) return report_failure(checked);
  auto file = store::H5File::open(o.file);
  if (!file.is_ok()) return report_failure(file.status());
  auto format = file.value().read_string_attribute("/", "format");
  if (format.is_ok() && format.value() == store::kGraphFormat) {
    store::GraphProvenance provenance;
    auto g = store::read_graph_file(o.file, &provenance);
    if (!g.is_ok()) return report_failure(g.status());
    ordered_json j = describe_graph(g.value(), provenance);
    if (o.json) {
      fmt::print("{}\n", j.dump(2));
    } else {
      print_graph(j);
    }
    return kExitOk;
  }
  // A run file (or any other HDF5 file): its root attributes and, per
  // top-level group (one per stage), that group's attributes: the stage's
  // parameters, inputs and summary figures.
  auto attrs = file.value().attributes("/");
  if (!attrs.is_ok()) return report_failure(attrs.status());
  ordered_json j;
  for (const auto& [name, value] : attrs.value()) j[name] = value;
  if (!format.is_ok()) j["note"] = "not a sourcetrace file (no format attribute)";
  auto members = file.value().list("/");
  for (const std::string& group : members.is_ok() ? members.value() : std::vector<std::string>{}) {
    auto group_attrs = file.value().attributes("/" + group);
    ordered_json g = ordered_json::object();
    if (group_attrs.is_ok()) {
      for (const auto& [name, value] : group_attrs.value()) g[name] = value;
    }
    j["stages"][group] = g;
  }
  if (o.json) {
    fmt::print("{}\n", j.dump(2));
  } else {
    for (const auto& [key, value] : j.items()) {
      if (key == "stages") continue;
      fmt::print("{}: {}\n", key, value.is_string() ? value.get<std::string>() : value.dump());
    }
    for (const auto& [stage, values] : j["stages"].items()) {
      fmt::print("[{}]\n", stage);
      for (const auto& [key, value] : values.items()) fmt::print("  {} = {}\n", key, value.get<std::string>());
    }
  }
  return kExitOk;
}

}  // namespace

void add_info_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<InfoOptions>();
  CLI::App* cmd = app.add_subcommand("info", "Tell what an engine file (graph.h5, communities.h5, risk.h5, lineage.h5, targets.h5) holds");
  cmd->add_option("FILE", o->file, "The HDF5 file")->required();
  cmd->add_flag("--json", o->json, "Print JSON for scripts");
  cmd->callback([o, &exit_code] { exit_code = run_info(*o); });
}

}  // namespace sourcetrace::cli
