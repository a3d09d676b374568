// The web view's server side: where an HTTP request ends, the IDL's JSON,
// sessions, the supply trace and the network graph on hand-made and real
// runs, the case file read back by networkx, and a real `serve --http` on
// 127.0.0.1 driven by cpp-httplib: sign-in and its cookie, the brand's
// not-found, revocation, sign-out, and sockets that hold no thread.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>

#include "../support/service_fixture.hpp"
#include "sourcetrace/service/case_file.hpp"
#include "sourcetrace/service/http_message.hpp"
#include "sourcetrace/service/run_snapshot.hpp"
#include "sourcetrace/service/supply_trace.hpp"
#include "sourcetrace/service/thrift_json.hpp"
#include "sourcetrace/service/web_sessions.hpp"

using namespace sourcetrace;
using namespace sourcetrace::testing;
using sourcetrace::service::VertexId;
using nlohmann::json;

namespace {

// A layer from (tail, head, weight) events; directed layers keep the flow.
graph::Layer make_layer(graph::LayerId id, VertexId n, const std::vector<std::tuple<VertexId, VertexId, float>>& arcs,
                        bool directed) {
  std::vector<graph::EdgeEvents> events;
  for (auto [u, v, w] : arcs) events.push_back({u, v, w, 1});
  graph::Layer layer;
  layer.id = id;
  layer.name = std::string(graph::kLayerNames[static_cast<int>(id)]);
  layer.adjacency = graph::build_csr(events, n, true);
  layer.directed = directed;
  if (directed) layer.flow = graph::build_csr(events, n, false);
  return layer;
}

httplib::Headers json_type() { return {{"Content-Type", "application/json"}}; }

// Signs in; the session cookie ("st_session=...") or "" on failure.
std::string sign_in(httplib::Client& c, const std::string& token, std::string* set_cookie = nullptr) {
  auto r = c.Post("/api/session", json{{"token", token}}.dump(), "application/json");
  if (!r || r->status != 200) return "";
  const std::string cookie = r->get_header_value("Set-Cookie");
  if (set_cookie != nullptr) *set_cookie = cookie;
  return cookie.substr(0, cookie.find(';'));
}

httplib::Result get(httplib::Client& c, const std::string& cookie, const std::string& path) {
  return c.Get(path.c_str(), {{"Cookie", cookie}});
}

}  // namespace

TEST_CASE("service: http_request_length finds where a request ends", "[service]") {
  using service::http_request_length;
  using service::kMalformedRequest;
  const std::string get = "GET /api/networks?limit=2 HTTP/1.1\r\nHost: x\r\n\r\n";
  CHECK(http_request_length(get) == get.size());
  CHECK(http_request_length(get.substr(0, get.size() - 1)) == 0);  // more to come
  CHECK(http_request_length(get + get) == get.size());             // pipelined: the first only
  const std::string post = "POST /api/session HTTP/1.1\r\nContent-Length: 5\r\nContent-Type: application/json\r\n\r\n";
  CHECK(http_request_length(post + "{\"a\"") == 0);
  CHECK(http_request_length(post + "{\"a\"}") == post.size() + 5);
  const std::string chunked = "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  CHECK(http_request_length(chunked) == chunked.size());
  CHECK(http_request_length("\x16\x03\x01 not http\r\n\r\n") == kMalformedRequest);
  CHECK(http_request_length("GET / HTTP/1.1\r\nContent-Length: -1\r\n\r\n") == kMalformedRequest);

  auto parsed = service::parse_http_request(
      "GET /entity/seller/S%2001?kind=seller&id=S+1&x=%41 HTTP/1.1\r\nCookie: a=1; st_session=abc\r\nX-Y: z\r\n\r\n");
  REQUIRE(parsed.is_ok());
  const service::HttpRequest& r = parsed.value();
  CHECK(r.method == "GET");
  CHECK(r.path == "/entity/seller/S 01");
  CHECK(*r.param("id") == "S 1");
  CHECK(*r.param("x") == "A");
  CHECK(*r.header("x-y") == "z");
  CHECK(r.cookie("st_session") == "abc");
  CHECK(!r.cookie("none"));
  CHECK(!service::parse_http_request("GET /a?b=%zz HTTP/1.1\r\n\r\n").is_ok());
}

TEST_CASE("service: the IDL's structs as JSON by field name", "[service]") {
  service::api::Trace t;
  t.start.kind = "seller";
  t.start.id = "S\"1\\\n";
  service::api::TraceStep step;
  step.share = 0.25;
  step.hub = true;
  step.entity.id = "é";
  t.upstream = {step, step};
  t.max_hops = 3;
  const json j = json::parse(service::to_json_text(t));
  CHECK(j["start"]["id"] == "S\"1\\\n");
  CHECK(j["upstream"].size() == 2);
  CHECK(j["upstream"][1]["share"] == 0.25);
  CHECK(j["upstream"][0]["hub"] == true);
  CHECK(j["upstream"][0]["entity"]["id"] == "é");
  CHECK(j["downstream"].empty());
  CHECK(j["max_hops"] == 3);
  service::api::ReportReceipt a, b;
  a.report = "r1";
  b.accepted = true;
  const json list = json::parse(service::to_json_text(std::vector{a, b}));
  REQUIRE(list.size() == 2);
  CHECK(list[0]["report"] == "r1");
  CHECK(list[1]["accepted"] == true);
}

TEST_CASE("service: web sessions end when idle or old or closed and are bounded in number", "[service]") {
  using Clock = service::WebSessions::Clock;
  service::WebSessions sessions({std::chrono::minutes(30), std::chrono::minutes(120), 2});
  const Clock::time_point t0 = Clock::now();
  auto a = sessions.open({"secret-a", "a"}, t0);
  auto b = sessions.open({"secret-b", "b"}, t0);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->size() == 64);
  CHECK(*a != *b);
  CHECK(!sessions.open({"secret-c", "c"}, t0));  // full, and none expired
  CHECK(sessions.find(*a, t0 + std::chrono::minutes(29))->token == "secret-a");
  CHECK(sessions.find(*a, t0 + std::chrono::minutes(58)));   // used at 29: not idle yet
  CHECK(!sessions.find(*b, t0 + std::chrono::minutes(31)));  // idle past 30
  CHECK(!sessions.find(*a, t0 + std::chrono::minutes(121)));  // past its lifetime, however used
  auto c = sessions.open({"secret-c", "c"}, t0 + std::chrono::minutes(130));
  REQUIRE(c);
  sessions.close(*c);
  CHECK(!sessions.find(*c, t0 + std::chrono::minutes(130)));
  CHECK(!sessions.find("not a session"));
}

TEST_CASE("service: the supply trace follows flow with shares and stops at hubs and hidden entities", "[service]") {
  // Goods: sources 0 and 1 ship to distributor 2 (30 and 10 units); 2 ships
  // to storefronts 3 and 4 (and 4 one unit back); 5 (hidden) ships to 3;
  // 1 ships to hub 6, which ships to 3 and to 7..10. Money: 3 pays 11, 11
  // pays 12.
  const VertexId n = 13;
  std::vector<graph::Layer> layers;
  layers.push_back(make_layer(graph::LayerId::kSeller, n, {{3, 4, 1}}, false));
  layers.push_back(make_layer(graph::LayerId::kPayment, n, {{3, 11, 50}, {11, 12, 40}}, true));
  layers.push_back(make_layer(graph::LayerId::kShipment, n,
                              {{0, 2, 30}, {1, 2, 10}, {2, 3, 6}, {2, 4, 4}, {5, 3, 100}, {6, 3, 2}, {6, 7, 1},
                               {6, 8, 1}, {6, 9, 1}, {6, 10, 1}, {4, 2, 1}, {1, 6, 5}},
                              true));
  const auto g = service::LayeredAdjacency::merge(std::move(layers), n);
  std::vector<std::uint32_t> network_of(n);
  for (VertexId v = 0; v < n; ++v) network_of[v] = v;
  std::vector<bool> visible(n, true);
  visible[5] = false;
  const service::Visibility scope(network_of, visible);
  const std::uint8_t shipment = *g.find_layer("shipment");
  REQUIRE(g.directed(shipment));
  CHECK(!g.directed(*g.find_layer("seller")));

  service::SupplyTraceOptions up{shipment, true, 4, 3};
  const service::SupplyTrace traced = service::trace_supply(g, scope, 3, up);
  std::vector<std::tuple<VertexId, VertexId, int, double, bool>> got;
  for (const auto& s : traced.steps) got.emplace_back(s.entity, s.via, s.hops, s.share, s.hub);
  // 5 is hidden: neither listed nor counted in 3's total (6 + 2 = 8
  // units). Upstream, 6 has one supplier: no hub. At two hops 2's
  // suppliers 0, 1 and 4 (1 unit back); 1 was reached from 2 first, so
  // not again from 6.
  CHECK(got == std::vector<std::tuple<VertexId, VertexId, int, double, bool>>{
                   {2, 3, 1, 0.75, false}, {6, 3, 1, 0.25, false}, {0, 2, 2, 30.0 / 41, false},
                   {1, 2, 2, 10.0 / 41, false}, {4, 2, 2, 1.0 / 41, false}});
  // Downstream from 1: 6 ships to five entities, past max_fanout 3: a hub,
  // listed where reached and not expanded; 2 is expanded to 3 and 4.
  service::SupplyTraceOptions down{shipment, false, 4, 3};
  got.clear();
  for (const auto& s : service::trace_supply(g, scope, 1, down).steps) {
    got.emplace_back(s.entity, s.via, s.hops, s.share, s.hub);
  }
  CHECK(got == std::vector<std::tuple<VertexId, VertexId, int, double, bool>>{
                   {2, 1, 1, 10.0 / 15, false}, {6, 1, 1, 5.0 / 15, true}, {3, 2, 2, 0.6, false}, {4, 2, 2, 0.4, false}});
  std::vector<bool> everything(n, true);
  const service::Visibility all(network_of, everything);
  service::SupplyTraceOptions money{*g.find_layer("payment"), false, 4, 3};
  const auto paid = service::trace_supply(g, all, 3, money);
  REQUIRE(paid.steps.size() == 2);
  CHECK(paid.steps[1].entity == 12);
  CHECK(paid.steps[1].hops == 2);
  CHECK(paid.steps[1].weight == 40);
  // Bounded: one hop only.
  money.max_hops = 1;
  CHECK(service::trace_supply(g, all, 3, money).steps.size() == 1);
  // Past its deadline: ServerBusy.
  money.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  CHECK_THROWS_AS(service::trace_supply(g, all, 3, money), service::api::ServerBusy);
}

TEST_CASE("service: a network graph holds its members and its edges and a case file reads back in networkx",
          "[service]") {
  Fixture& f = fixture();
  auto loaded = service::RunSnapshot::load(f.dir / "run2");
  REQUIRE(loaded.is_ok());
  const service::RunSnapshot& s = *loaded.value();
  service::Scope everything;
  everything.everything = true;
  const service::Limits limits;
  const auto page = s.list_networks(everything, {}, 0, 1, limits);
  REQUIRE(!page.networks.empty());
  const std::string id = page.networks[0].network;
  const auto detail = s.network(everything, id, limits);
  const auto g = s.network_graph(everything, id, 0, limits);
  CHECK(!g.partial);
  REQUIRE(g.nodes.size() == detail.members.size());
  std::set<std::string> members, nodes;
  for (const auto& m : detail.members) members.insert(m.entity.kind + ":" + m.entity.id);
  for (const auto& n : g.nodes) nodes.insert(n.entity.kind + ":" + n.entity.id);
  CHECK(members == nodes);
  // Targets first, by rank, with their reasons.
  REQUIRE(!detail.targets.empty());
  for (std::size_t i = 0; i < detail.targets.size(); ++i) {
    CHECK(g.nodes[i].entity == detail.targets[i].entity);
    CHECK(g.nodes[i].target_rank == detail.targets[i].rank);
    CHECK(g.nodes[i].target_reason == detail.targets[i].reason);
  }
  // Undirected layers: one edge per pair, as many as the network's layer
  // counts; directed layers at least one per pair, each with flow.
  std::map<std::string, std::set<std::pair<int, int>>> pairs;
  for (const auto& e : g.edges) {
    CHECK(e.weight > 0);
    pairs[e.layer].insert({std::min(e.tail, e.head), std::max(e.tail, e.head)});
    CHECK(e.directed == (e.layer == "payment" || e.layer == "shipment"));
  }
  for (const auto& l : detail.layers) CHECK(static_cast<std::int64_t>(pairs[l.layer].size()) == l.edges);
  CHECK(g.timeline_total == detail.summary.evidence);
  for (std::size_t i = 1; i < g.timeline.size(); ++i) CHECK(g.timeline[i - 1].reported_on <= g.timeline[i].reported_on);

  // Past max_nodes: the targets and their neighbours inside, no more.
  const auto partial = s.network_graph(everything, id, 5, limits);
  CHECK(partial.partial);
  CHECK(partial.nodes.size() == std::min<std::size_t>(5, g.nodes.size()));
  CHECK_THROWS_AS(s.network_graph(everything, id, limits.max_graph_nodes + 1, limits), service::api::BadRequest);
  service::Scope other_brand;
  other_brand.brands = {"B999"};
  CHECK_THROWS_AS(s.network_graph(other_brand, id, 0, limits), service::api::NotFound);

  // The case file: what networkx reads from GraphML and GEXF is the graph.
  TempDir out;
  const auto file = service::case_file_of(s, everything, id, limits);
  CHECK(file.html.find("<script") == std::string::npos);
  REQUIRE(service::write_case_file(out / "case", id, file).is_ok());
  json expected{{"nodes", json::object()}, {"edges", json::array()}};
  for (const auto& n : g.nodes) {
    expected["nodes"][n.entity.kind + ":" + n.entity.id] = {{"kind", n.entity.kind}, {"role_hint", n.role_hint},
                                                           {"risk", n.risk}, {"evidence", n.evidence},
                                                           {"target_rank", n.target_rank}};
  }
  for (const auto& e : g.edges) {
    const auto& t = g.nodes[static_cast<std::size_t>(e.tail)].entity;
    const auto& h = g.nodes[static_cast<std::size_t>(e.head)].entity;
    expected["edges"].push_back({{"tail", t.kind + ":" + t.id}, {"head", h.kind + ":" + h.id}, {"layer", e.layer},
                                 {"weight", e.weight}, {"directed", e.directed}});
  }
  write_file(out / "expected.json", expected.dump());
  CommandResult check = run_program({"/usr/bin/python3", source_path("tests/service/case_file_check.py"), out / "case", id,
                                     out / "expected.json"});
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
  // The same network gives the same bytes.
  CHECK(service::case_file_of(s, everything, id, limits).graphml == file.graphml);

  // `sourcetrace case`: the same files; a brand that may not see it gets not found.
  CommandResult cli = run_sourcetrace({"case", f.dir / "run2", id, "--out", out / "cli"});
  INFO(cli.err);
  CHECK(cli.exit_code == 0);
  CHECK(read_file(out / ("cli/" + id + ".gexf")) == file.gexf);
  CommandResult hidden = run_sourcetrace({"case", f.dir / "run2", id, "--out", out / "hidden", "--brand", "B999"});
  CHECK(hidden.exit_code == 66);
  CHECK(hidden.err.find("no network") != std::string::npos);
}

TEST_CASE("service: the web view signs in with a cookie and answers a brand exactly as its token", "[service]") {
  Fixture& f = fixture();
  Server server({"--http", "0"});
  httplib::Client c("127.0.0.1", server.http_port());
  c.set_read_timeout(20, 0);

  // Not signed in: the API says so; the page itself is served (it shows sign-in).
  auto anonymous = c.Get("/api/networks");
  REQUIRE(anonymous);
  CHECK(anonymous->status == 401);
  CHECK(json::parse(anonymous->body)["error"] == "SignedOut");
  auto page = c.Get("/networks?min_risk=0.5");
  REQUIRE(page);
  CHECK(page->status == 200);
  CHECK(page->get_header_value("Content-Security-Policy").find("script-src 'self'") != std::string::npos);
  if (SOURCETRACE_HAS_PAGES) {
    CHECK(page->body.find("/assets/app.js") != std::string::npos);
    auto script = c.Get("/assets/app.js");
    REQUIRE(script);
    CHECK(script->status == 200);
    CHECK(script->get_header_value("Content-Type").starts_with("text/javascript"));
  } else {
    CHECK(page->body.find("built without its web pages") != std::string::npos);
  }

  // A wrong token: refused. A write without JSON's content type: refused.
  CHECK(c.Post("/api/session", json{{"token", "nope"}}.dump(), "application/json")->status == 403);
  CHECK(c.Post("/api/session", "token=" + f.investigator, "application/x-www-form-urlencoded")->status == 415);

  std::string set_cookie;
  const std::string inv = sign_in(c, f.investigator, &set_cookie);
  REQUIRE(!inv.empty());
  CHECK(set_cookie.find("HttpOnly") != std::string::npos);
  CHECK(set_cookie.find("SameSite=Strict") != std::string::npos);
  CHECK(set_cookie.find("Secure") == std::string::npos);  // plain HTTP on loopback
  CHECK(set_cookie.find(f.investigator) == std::string::npos);
  auto who = get(c, inv, "/api/session");
  CHECK(json::parse(who->body)["role"] == "investigator");

  // The same answers as Thrift's, by the IDL's field names.
  auto listed = get(c, inv, "/api/networks?limit=200");
  REQUIRE(listed->status == 200);
  const json networks = json::parse(listed->body)["networks"];
  REQUIRE(!networks.empty());
  Client thrift(server.port());
  api::NetworkDetail detail;
  thrift->network(detail, f.investigator, networks[0]["network"]);
  auto got = get(c, inv, "/api/network?id=" + std::string(networks[0]["network"]));
  REQUIRE(got->status == 200);
  const json d = json::parse(got->body);
  CHECK(d["summary"]["network"] == detail.summary.network);
  CHECK(d["members"].size() == detail.members.size());
  CHECK(d["targets"][0]["reason"] == detail.targets[0].reason);
  auto graph = get(c, inv, "/api/network_graph?id=" + std::string(networks[0]["network"]));
  CHECK(json::parse(graph->body)["nodes"].size() == detail.members.size());
  const json target = d["targets"][0]["entity"];
  auto traced = get(c, inv, "/api/trace?kind=" + std::string(target["kind"]) + "&id=" + std::string(target["id"]));
  REQUIRE(traced->status == 200);
  CHECK(json::parse(traced->body)["max_fanout"] == 25);
  auto bad = get(c, inv, "/api/networks?limit=100000");
  CHECK(bad->status == 400);
  CHECK(json::parse(bad->body)["parameter"] == "limit");
  auto case_file = get(c, inv, "/api/case?id=" + std::string(networks[0]["network"]));
  REQUIRE(case_file->status == 200);
  CHECK(case_file->get_header_value("Content-Disposition").starts_with("attachment"));
  CHECK(case_file->body.find("<svg") != std::string::npos);

  // A brand: another brand's network, and a made-up id, answer alike.
  const std::string brand = sign_in(c, f.brand_token);
  REQUIRE(!brand.empty());
  const json mine = json::parse(get(c, brand, "/api/networks?limit=1000")->body)["networks"];
  std::set<std::string> visible;
  for (const auto& n : mine) visible.insert(n["network"]);
  std::string hidden;
  for (const auto& n : networks) {
    if (!visible.count(n["network"])) {
      hidden = n["network"];
      break;
    }
  }
  REQUIRE(!hidden.empty());
  for (const std::string call : {"/api/network?id=", "/api/network_graph?id=", "/api/case?id="}) {
    auto other = get(c, brand, call + hidden);
    auto made_up = get(c, brand, call + "N0000000000000000");
    CHECK(other->status == 404);
    CHECK(made_up->status == 404);
    CHECK(json::parse(other->body)["error"] == json::parse(made_up->body)["error"]);
  }
  auto seller = json::parse(get(c, inv, "/api/network?id=" + hidden)->body)["members"][0]["entity"];
  auto entity = get(c, brand, "/api/entity?kind=" + std::string(seller["kind"]) + "&id=" + std::string(seller["id"]));
  CHECK(entity->status == 404);
  auto trace = get(c, brand, "/api/trace?kind=" + std::string(seller["kind"]) + "&id=" + std::string(seller["id"]));
  CHECK(trace->status == 404);

  // Every page view and call is in the audit log, under the token's id, never its secret.
  get(c, brand, "/network/" + hidden);
  const std::string audit = read_file(server.audit());
  CHECK(audit.find("\"http_signin\"") != std::string::npos);
  CHECK(audit.find("\"http_page\"") != std::string::npos);
  CHECK(audit.find("\"call\":\"network_graph\"") != std::string::npos);
  CHECK(audit.find(f.investigator) == std::string::npos);
  CHECK(audit.find(f.brand_token) == std::string::npos);

  // Sign-out ends the session; the old cookie is refused.
  auto out = c.Delete("/api/session", {{"Cookie", inv}}, "{}", "application/json");
  REQUIRE(out);
  CHECK(out->status == 200);
  CHECK(out->get_header_value("Set-Cookie").find("Max-Age=0") != std::string::npos);
  CHECK(get(c, inv, "/api/networks")->status == 401);
  CHECK(server.stop() == 0);
}

TEST_CASE("service: a revoked token ends its web sessions at their next request", "[service]") {
  Fixture& f = fixture();
  TempDir dir;
  const std::string tokens = dir / "tokens";
  CommandResult added = run_sourcetrace({"token", "add", tokens, "--id", "temp", "--role", "investigator"});
  REQUIRE(added.exit_code == 0);
  const std::string secret = Fixture::trim(added.out);
  Server server({"--http", "0", "--tokens", tokens});
  httplib::Client c("127.0.0.1", server.http_port());
  const std::string session = sign_in(c, secret);
  REQUIRE(!session.empty());
  CHECK(get(c, session, "/api/run_info")->status == 200);
  REQUIRE(run_sourcetrace({"token", "revoke", tokens, "--id", "temp"}).exit_code == 0);
  ::kill(server.pid(), SIGHUP);  // reloads the tokens (the watcher would, within a second)
  int status = 200;
  for (int i = 0; i < 100 && status == 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    status = get(c, session, "/api/run_info")->status;
  }
  CHECK(status == 401);
  CHECK(get(c, session, "/api/session")->status == 401);  // and the session is gone
  CHECK(c.Post("/api/session", json{{"token", secret}}.dump(), "application/json")->status == 403);
  (void)f;
  CHECK(server.stop() == 0);
}

TEST_CASE("service: the web view's idle and dripping sockets hold no thread and big requests are cut off",
          "[service]") {
  Fixture& f = fixture();
  Server server({"--http", "0", "--threads", "2", "--frame-timeout-ms", "1000", "--max-frame", "65536",
                 "--first-byte-ms", "60000", "--idle-timeout-ms", "60000"});
  // 40 silent sockets and one that drips a request's headers: with 2
  // workers, a thread per socket would lock the caller out.
  std::vector<int> idle;
  for (int i = 0; i < 40; ++i) idle.push_back(raw_connect(server.http_port()));
  const int drip = raw_connect(server.http_port());
  const std::string head = "GET /api/run_info HTTP/1.1\r\nHost: x\r\n";
  bool cut = false;
  httplib::Client c("127.0.0.1", server.http_port());
  c.set_read_timeout(20, 0);
  const std::string session = sign_in(c, f.investigator);
  REQUIRE(!session.empty());
  for (std::size_t i = 0; i < head.size() && !cut; ++i) {
    cut = ::send(drip, head.data() + i, 1, MSG_NOSIGNAL) < 0;
    CHECK(get(c, session, "/api/run_info")->status == 200);  // answered meanwhile
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (int i = 0; i < 30 && !cut; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    cut = !still_open(drip) || ::send(drip, "X", 1, MSG_NOSIGNAL) < 0;
  }
  CHECK(cut);  // past the 1 s request deadline
  ::close(drip);
  // A body past --max-frame is refused at its header, not buffered.
  auto big = c.Post("/api/reports", {{"Cookie", session}}, std::string(200000, 'x'), "application/json");
  CHECK((!big || big->status != 200));
  int open = 0;
  for (int fd : idle) open += still_open(fd) ? 1 : 0;
  CHECK(open == 40);
  for (int fd : idle) ::close(fd);
  httplib::Client again("127.0.0.1", server.http_port());
  CHECK(get(again, session, "/api/run_info")->status == 200);
  CHECK(server.stop() == 0);
}

TEST_CASE("service: the web view under TLS answers only TLS and marks its cookie Secure", "[service]") {
  Fixture& f = fixture();
  TempDir tmp;
  const std::string key = tmp / "key.pem", cert = tmp / "cert.pem";
  CommandResult made = run_program({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out",
                                    cert, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
                                    "subjectAltName=IP:127.0.0.1"});
  INFO(made.err);
  REQUIRE(made.exit_code == 0);
  Server server({"--http", "0", "--tls-cert", cert, "--tls-key", key});
  httplib::Client c("https://127.0.0.1:" + std::to_string(server.http_port()));
  c.set_ca_cert_path(cert.c_str());
  c.enable_server_certificate_verification(true);
  std::string set_cookie;
  const std::string session = sign_in(c, f.investigator, &set_cookie);
  REQUIRE(!session.empty());
  CHECK(set_cookie.find("; Secure") != std::string::npos);
  CHECK(get(c, session, "/api/run_info")->status == 200);
  httplib::Client plain("127.0.0.1", server.http_port());
  plain.set_read_timeout(5, 0);
  auto refused = plain.Get("/api/run_info");
  CHECK((!refused || refused->status != 200));
  CHECK(server.stop() == 0);
}
