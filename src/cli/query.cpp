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
#include "sourcetrace/service/thrift_json.hpp"

namespace sourcetrace::cli {

namespace {

namespace api = service::api;
using nlohmann::json;

struct QueryOptions {
  ServiceAddress address;
  bool json = false;
  std::string what;
  std::vector<std::string> args;
  int offset = 0, limit = 20, max_hops = 4, max_paths = 4, max_nodes = 0;
  double min_risk = 0;
  std::string brand;
};

// ---- JSON for scripts: the IDL's structs by field name (as the web view's API) ----
template <typename T>
json idl_json(const T& value) {
  return json::parse(service::to_json_text(value));
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
  const std::size_t wanted = o.what == "network" || o.what == "entity" || o.what == "graph" || o.what == "trace" ? 1
                             : o.what == "path"                                                                  ? 2
                                                                                                                 : 0;
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
      out = idl_json(page);
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
      out = idl_json(d);
    } else if (o.what == "graph") {
      api::NetworkGraph g;
      client.network_graph(g, token, o.args[0], o.max_nodes);
      if (!o.json) {
        print_networks({g.summary});
        fmt::print("\n{} nodes{}, {} edges\n", g.nodes.size(),
                   g.partial ? " (partial: its targets and their neighbours)" : "", g.edges.size());
        for (const auto& e : g.edges) {
          const auto& t = g.nodes[static_cast<std::size_t>(e.tail)].entity;
          const auto& h = g.nodes[static_cast<std::size_t>(e.head)].entity;
          fmt::print("  {:<22} {} {:<22} {:<10} {}\n", t.kind + ":" + t.id, e.directed ? "->" : "--", h.kind + ":" + h.id,
                     e.layer, e.weight);
        }
      }
      out = idl_json(g);
    } else if (o.what == "trace") {
      auto ref = parse_ref(o.args[0]);
      if (!ref.is_ok()) return report_failure(ref.status());
      api::Trace t;
      client.trace(t, token, ref.value(), o.max_hops);
      if (!o.json) {
        fmt::print("{}:{} in {} (hubs past {} links are not expanded)\n", t.start.kind, t.start.id, t.network,
                   t.max_fanout);
        auto print_steps = [](const char* title, const std::vector<api::TraceStep>& steps) {
          fmt::print("\n{} ({}):\n", title, steps.size());
          for (const auto& s : steps) {
            fmt::print("  {:>2} {:<22} -> {:<22} {:<12} {:>12.2f} {:>6.1f}%{}\n", s.hops, s.via.kind + ":" + s.via.id,
                       s.entity.kind + ":" + s.entity.id, s.role_hint, s.weight, 100 * s.share, s.hub ? " hub" : "");
          }
        };
        print_steps("goods upstream: who shipped to it, and to them", t.upstream);
        print_steps("goods downstream: where it shipped, and onward", t.downstream);
        print_steps("money: whom it paid, and onward", t.money);
      }
      out = idl_json(t);
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
      out = idl_json(d);
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
      out = idl_json(r);
    } else if (o.what == "changes") {
      api::ChangePage page;
      client.changes(page, token, o.offset, o.limit);
      if (!o.json) {
        print_changes(page.changes);
        fmt::print("({} of {} changes from {}; since {})\n", page.changes.size(), page.total, page.offset,
                   page.previous_run.empty() ? std::string("nothing: the run starts a chain") : page.previous_run);
      }
      out = idl_json(page);
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
      out = idl_json(page);
    } else if (o.what == "targets") {
      api::TargetPage page;
      client.targets(page, token, o.offset, o.limit);
      if (!o.json) {
        print_targets(page.targets);
        fmt::print("({} of {} targets from {})\n", page.targets.size(), page.total, page.offset);
      }
      out = idl_json(page);
    } else {  // info
      api::RunInfo info;
      client.run_info(info, token);
      if (!o.json) {
        fmt::print("run {} (created {}, published {})\n{} build {}\ndataset {}\n{} networks, {} entities\n", info.run,
                   info.created, info.published, info.engine, info.engine_build, info.dataset_digest, info.networks,
                   info.entities);
      }
      out = idl_json(info);
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
               "path KIND:ID KIND:ID | graph ID | trace KIND:ID | targets | changes | alerts | info");
  cmd->add_option("WHAT", o->what, "networks, network, entity, path, graph, trace, targets, changes, alerts or info")
      ->required()
      ->check(CLI::IsMember(
          {"networks", "network", "entity", "path", "graph", "trace", "targets", "changes", "alerts", "info"}));
  cmd->add_option("ARGS", o->args, "the network id, the entity KIND:ID, or the two ends of a path");
  add_service_address_options(*cmd, o->address);
  cmd->add_flag("--json", o->json, "Print JSON instead of tables");
  cmd->add_option("--offset", o->offset, "First item of the page")->capture_default_str();
  cmd->add_option("--limit", o->limit, "Items per page")->capture_default_str();
  cmd->add_option("--min-risk", o->min_risk, "networks: at or above this risk");
  cmd->add_option("--brand", o->brand, "networks: naming this brand");
  cmd->add_option("--max-hops", o->max_hops, "path, trace: longest path searched, steps followed")->capture_default_str();
  cmd->add_option("--max-nodes", o->max_nodes, "graph: past this many members, its targets and their neighbours (0: the server's bound)")
      ->capture_default_str();
  cmd->add_option("--max-paths", o->max_paths, "path: at most this many shortest paths")->capture_default_str();
  cmd->callback([o, &exit_code] { exit_code = run_query(*o); });
}

}  // namespace sourcetrace::cli
