// `sourcetrace query`: the investigator's command-line client. Tables for
// people, JSON (--json) for scripts. The token comes from SOURCETRACE_TOKEN
// or --token-file, never from the command line, where `ps` would show it.
#include <fmt/core.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "commands.hpp"
#include "sourcetrace/cli/exit_code.hpp"
#include "service_client.hpp"
#include "sourcetrace/service/api/Investigator.h"

namespace sourcetrace::cli {

namespace {

namespace api = service::api;
using nlohmann::json;

struct QueryOptions {
  ServiceAddress address;
  bool json = false;
  std::string what;
  std::vector<std::string> args;
  int offset = 0, limit = 20, max_hops = 4, max_paths = 4;
  double min_risk = 0;
  std::string brand;
};

// ---- JSON for scripts: field names as in the IDL ----
json to_json(const api::EntityRef& e) { return {{"kind", e.kind}, {"id", e.id}}; }
json to_json(const api::NetworkSummary& n) {
  return {{"network", n.network}, {"risk", n.risk},         {"members", n.members},   {"sellers", n.sellers},
          {"warehouses", n.warehouses}, {"accounts", n.accounts}, {"evidence", n.evidence}, {"brands", n.brands},
          {"reason", n.reason}, {"first_seen", n.first_seen}, {"lineage", n.lineage}};
}
json to_json(const api::NetworkChange& c) {
  return {{"network", c.network},         {"change", c.change},         {"others", c.others},
          {"members_before", c.members_before}, {"members_after", c.members_after}, {"risk_before", c.risk_before},
          {"risk_after", c.risk_after},   {"new_evidence", c.new_evidence}};
}
json to_json(const api::Alert& a) {
  return {{"rank", a.rank}, {"alert", a.alert}, {"network", a.network}, {"entity", to_json(a.entity)},
          {"risk", a.risk}, {"reason", a.reason}};
}
json to_json(const api::EvidenceCount& e) { return {{"signal", e.signal}, {"brand", e.brand}, {"rows", e.rows}}; }
json to_json(const api::Target& t) {
  return {{"rank", t.rank},     {"network", t.network}, {"entity", to_json(t.entity)}, {"role_hint", t.role_hint},
          {"impact", t.impact}, {"marginal", t.marginal}, {"reason", t.reason}};
}
template <typename T>
json list_json(const std::vector<T>& items) {
  json out = json::array();
  for (const T& item : items) out.push_back(to_json(item));
  return out;
}
json to_json(const api::NetworkDetail& d) {
  json members = json::array(), layers = json::array();
  for (const auto& m : d.members) {
    members.push_back({{"entity", to_json(m.entity)}, {"role_hint", m.role_hint}, {"risk", m.risk}});
  }
  for (const auto& l : d.layers) layers.push_back({{"layer", l.layer}, {"edges", l.edges}});
  return {{"summary", to_json(d.summary)}, {"members", members}, {"evidence", list_json(d.evidence)},
          {"targets", list_json(d.targets)}, {"layers", layers}, {"changes", list_json(d.changes)}};
}
json to_json(const api::EntityDetail& d) {
  json neighbours = json::array();
  for (const auto& n : d.neighbours) {
    neighbours.push_back({{"entity", to_json(n.entity)}, {"layer", n.layer}, {"weight", n.weight}});
  }
  return {{"entity", to_json(d.entity)}, {"network", d.network}, {"risk", d.risk}, {"role_hint", d.role_hint},
          {"evidence", list_json(d.evidence)}, {"neighbours", neighbours},
          {"neighbours_total", d.neighbours_total}, {"neighbours_offset", d.neighbours_offset}};
}
json to_json(const api::PathResult& r) {
  json paths = json::array();
  for (const auto& p : r.paths) {
    json steps = json::array();
    for (const auto& s : p.steps) {
      steps.push_back({{"tail", to_json(s.tail)}, {"head", to_json(s.head)}, {"layer", s.layer}, {"weight", s.weight}});
    }
    paths.push_back(steps);
  }
  return {{"paths", paths}, {"hops", r.hops}, {"visited", r.visited}};
}
json to_json(const api::RunInfo& i) {
  return {{"run", i.run},         {"created", i.created}, {"engine", i.engine}, {"engine_build", i.engine_build},
          {"dataset_digest", i.dataset_digest}, {"parameters", json::parse(i.parameters_json, nullptr, false)},
          {"networks", i.networks}, {"entities", i.entities}, {"published", i.published}};
}

// ---- tables for people ----
void print_networks(const std::vector<api::NetworkSummary>& networks) {
  fmt::print("{:<8} {:>6} {:>7} {:>8} {:<20} {}\n", "network", "risk", "members", "evidence", "brands", "reason");
  for (const auto& n : networks) {
    std::string brands;
    for (const auto& b : n.brands) brands += (brands.empty() ? "" : ";") + b;
    fmt::print("{:<8} {:>6.3f} {:>7} {:>8} {:<20} {}\n", n.network, n.risk, n.members, n.evidence, brands, n.reason);
  }
}
void print_changes(const std::vector<api::NetworkChange>& changes) {
  fmt::print("{:<18} {:<10} {:>13} {:>13} {:>6}  {}\n", "network", "change", "members", "risk", "new ev", "others");
  for (const auto& c : changes) {
    std::string others;
    for (const auto& o : c.others) others += (others.empty() ? "" : ";") + o;
    fmt::print("{:<18} {:<10} {:>6} -> {:<4} {:.2f} -> {:.2f} {:>6}  {}\n", c.network, c.change, c.members_before,
               c.members_after, c.risk_before, c.risk_after, c.new_evidence, others);
  }
}
void print_targets(const std::vector<api::Target>& targets) {
  fmt::print("{:>5} {:<8} {:<20} {:<12} {:>6}  {}\n", "rank", "network", "entity", "role", "impact", "reason");
  for (const auto& t : targets) {
    fmt::print("{:>5} {:<8} {:<20} {:<12} {:>6.3f}  {}\n", t.rank, t.network, t.entity.kind + ":" + t.entity.id,
               t.role_hint, t.impact, t.reason);
  }
}

Result<api::EntityRef> parse_ref(const std::string& text) {
  const auto colon = text.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    return Status::invalid_argument(fmt::format("'{}': an entity is KIND:ID, e.g. seller:S000123", text));
  }
  api::EntityRef ref;
  ref.kind = text.substr(0, colon);
  ref.id = text.substr(colon + 1);
  return ref;
}

int run_query(const QueryOptions& o) {
  const std::size_t wanted = o.what == "network" || o.what == "entity" ? 1 : o.what == "path" ? 2 : 0;
  if (o.args.size() != wanted) {
    return report_failure(Status::invalid_argument(
        fmt::format("`query {}` takes {} argument{}", o.what, wanted, wanted == 1 ? "" : "s")));
  }
  return with_service(o.address, [&](api::InvestigatorClient& client, const std::string& token) {
    json out;
    if (o.what == "networks") {
      api::NetworkFilter filter;
      filter.min_risk = o.min_risk;
      filter.brand = o.brand;
      api::NetworkPage page;
      client.list_networks(page, token, filter, o.offset, o.limit);
      if (!o.json) {
        print_networks(page.networks);
        fmt::print("({} of {} networks from {})\n", page.networks.size(), page.total, page.offset);
      }
      out = {{"networks", list_json(page.networks)}, {"total", page.total}, {"offset", page.offset}};
    } else if (o.what == "network") {
      api::NetworkDetail d;
      client.network(d, token, o.args[0]);
      if (!o.json) {
        print_networks({d.summary});
        fmt::print("\nmembers ({}):\n", d.members.size());
        for (const auto& m : d.members) fmt::print("  {:<22} {:<12} {:.3f}\n", m.entity.kind + ":" + m.entity.id, m.role_hint, m.risk);
        fmt::print("\nevidence:\n");
        for (const auto& e : d.evidence) fmt::print("  {:<22} {:<6} {}\n", e.signal, e.brand, e.rows);
        fmt::print("\nedges inside, per layer:");
        for (const auto& l : d.layers) fmt::print(" {} {}", l.layer, l.edges);
        fmt::print("\n\ntargets:\n");
        print_targets(d.targets);
        fmt::print("\nfirst seen {}{}\n", d.summary.first_seen,
                   d.summary.lineage.empty() ? "" : "; lineage " + d.summary.lineage);
        if (!d.changes.empty()) print_changes(d.changes);
      }
      out = to_json(d);
    } else if (o.what == "entity") {
      auto ref = parse_ref(o.args[0]);
      if (!ref.is_ok()) return report_failure(ref.status());
      api::EntityDetail d;
      client.entity(d, token, ref.value(), o.offset, o.limit);
      if (!o.json) {
        fmt::print("{}:{} in {} (risk {:.3f}, {})\n", d.entity.kind, d.entity.id, d.network, d.risk, d.role_hint);
        for (const auto& e : d.evidence) fmt::print("  evidence {:<22} {:<6} {}\n", e.signal, e.brand, e.rows);
        fmt::print("neighbours {}-{} of {}:\n", d.neighbours_offset, d.neighbours_offset + d.neighbours.size(),
                   d.neighbours_total);
        for (const auto& n : d.neighbours) fmt::print("  {:<10} {:<22} {}\n", n.layer, n.entity.kind + ":" + n.entity.id, n.weight);
      }
      out = to_json(d);
    } else if (o.what == "path") {
      auto a = parse_ref(o.args[0]);
      auto b = parse_ref(o.args[1]);
      if (!a.is_ok()) return report_failure(a.status());
      if (!b.is_ok()) return report_failure(b.status());
      api::PathResult r;
      client.paths(r, token, a.value(), b.value(), o.max_hops, o.max_paths);
      if (!o.json) {
        if (r.paths.empty()) fmt::print("no path within {} hops ({} entities looked at)\n", o.max_hops, r.visited);
        for (const auto& p : r.paths) {
          std::string line = p.steps.empty() ? "" : p.steps[0].tail.kind + ":" + p.steps[0].tail.id;
          for (const auto& s : p.steps) line += fmt::format(" -[{} {}]- {}:{}", s.layer, s.weight, s.head.kind, s.head.id);
          fmt::print("{}\n", line);
        }
      }
      out = to_json(r);
    } else if (o.what == "changes") {
      api::ChangePage page;
      client.changes(page, token, o.offset, o.limit);
      if (!o.json) {
        print_changes(page.changes);
        fmt::print("({} of {} changes from {}; since {})\n", page.changes.size(), page.total, page.offset,
                   page.previous_run.empty() ? std::string("nothing: the run starts a chain") : page.previous_run);
      }
      out = {{"changes", list_json(page.changes)}, {"total", page.total}, {"offset", page.offset},
             {"previous_run", page.previous_run}};
    } else if (o.what == "alerts") {
      api::AlertPage page;
      client.alerts(page, token, o.offset, o.limit);
      if (!o.json) {
        fmt::print("{:>5} {:<14} {:<18} {:>6}  {}\n", "rank", "alert", "network", "risk", "reason");
        for (const auto& a : page.alerts) {
          fmt::print("{:>5} {:<14} {:<18} {:>6.3f}  {}\n", a.rank, a.alert, a.network, a.risk, a.reason);
        }
        fmt::print("({} of {} alerts from {})\n", page.alerts.size(), page.total, page.offset);
      }
      out = {{"alerts", list_json(page.alerts)}, {"total", page.total}, {"offset", page.offset}};
    } else if (o.what == "targets") {
      api::TargetPage page;
      client.targets(page, token, o.offset, o.limit);
      if (!o.json) {
        print_targets(page.targets);
        fmt::print("({} of {} targets from {})\n", page.targets.size(), page.total, page.offset);
      }
      out = {{"targets", list_json(page.targets)}, {"total", page.total}, {"offset", page.offset}};
    } else {  // info
      api::RunInfo info;
      client.run_info(info, token);
      if (!o.json) {
        fmt::print("run {} (created {}, published {})\n{} build {}\ndataset {}\n{} networks, {} entities\n", info.run,
                   info.created, info.published, info.engine, info.engine_build, info.dataset_digest, info.networks,
                   info.entities);
      }
      out = to_json(info);
    }
    if (o.json) fmt::print("{}\n", out.dump(2));
    return kExitOk;
  });
}

}  // namespace

void add_query_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<QueryOptions>();
  CLI::App* cmd = app.add_subcommand(
      "query", "Ask a running `sourcetrace serve`: networks | network ID | entity KIND:ID | "
               "path KIND:ID KIND:ID | targets | changes | alerts | info");
  cmd->add_option("WHAT", o->what, "networks, network, entity, path, targets, changes, alerts or info")
      ->required()
      ->check(CLI::IsMember({"networks", "network", "entity", "path", "targets", "changes", "alerts", "info"}));
  cmd->add_option("ARGS", o->args, "the network id, the entity KIND:ID, or the two ends of a path");
  add_service_address_options(*cmd, o->address);
  cmd->add_flag("--json", o->json, "Print JSON instead of tables");
  cmd->add_option("--offset", o->offset, "First item of the page")->capture_default_str();
  cmd->add_option("--limit", o->limit, "Items per page")->capture_default_str();
  cmd->add_option("--min-risk", o->min_risk, "networks: at or above this risk");
  cmd->add_option("--brand", o->brand, "networks: naming this brand");
  cmd->add_option("--max-hops", o->max_hops, "path: longest path searched")->capture_default_str();
  cmd->add_option("--max-paths", o->max_paths, "path: at most this many shortest paths")->capture_default_str();
  cmd->callback([o, &exit_code] { exit_code = run_query(*o); });
}

}  // namespace sourcetrace::cli
