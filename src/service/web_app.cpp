// WebApp: routes to the handler, errors to statuses, sessions to cookies.
#include "sourcetrace/service/web_app.hpp"

#include <fmt/format.h>

#include <charconv>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>

#include "sourcetrace/service/thrift_json.hpp"
#include "sourcetrace/service/web_assets.hpp"

namespace sourcetrace::service {

namespace {

using nlohmann::json;
constexpr std::string_view kCookie = "st_session";

HttpResponse json_response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

HttpResponse error_response(int status, const char* error, const std::string& message, json extra = json::object()) {
  extra["error"] = error;
  extra["message"] = message;
  return json_response(status, extra.dump(-1, ' ', false, json::error_handler_t::replace));
}

[[noreturn]] void bad_parameter(const std::string& name, const std::string& why) {
  api::BadRequest e;
  e.message = name + ": " + why;
  e.parameter = name;
  e.limit = 0;
  throw e;
}

std::string text_param(const HttpRequest& r, const char* name) {
  const std::string* v = r.param(name);
  if (v == nullptr) bad_parameter(name, "missing");
  return *v;
}

std::int32_t int_param(const HttpRequest& r, const char* name, std::int32_t fallback) {
  const std::string* v = r.param(name);
  if (v == nullptr || v->empty()) return fallback;
  std::int32_t out = 0;
  const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
  if (ec != std::errc() || end != v->data() + v->size()) bad_parameter(name, "not an integer");
  return out;
}

double number_param(const HttpRequest& r, const char* name, double fallback) {
  const std::string* v = r.param(name);
  if (v == nullptr || v->empty()) return fallback;
  try {
    std::size_t used = 0;
    const double out = std::stod(*v, &used);
    if (used == v->size()) return out;
  } catch (const std::exception&) {
  }
  bad_parameter(name, "not a number");
}

api::EntityRef entity_param(const HttpRequest& r, const char* kind, const char* id) {
  api::EntityRef e;
  e.kind = text_param(r, kind);
  e.id = text_param(r, id);
  return e;
}

// A POST's JSON object, or BadRequest.
json body_of(const HttpRequest& r) {
  json body = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object()) bad_parameter("body", "not a JSON object");
  return body;
}

std::string body_text(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_string()) bad_parameter(name, "missing, or not a string");
  return it->get<std::string>();
}

std::vector<api::Report> reports_of(const json& body) {
  auto list = body.find("reports");
  if (list == body.end() || !list->is_array()) bad_parameter("reports", "missing, or not a list");
  std::vector<api::Report> out;
  for (const json& item : *list) {
    if (!item.is_object() || !item.contains("entity") || !item["entity"].is_object()) {
      bad_parameter("reports", "each report is an object with an entity {kind, id}");
    }
    api::Report r;
    r.report = body_text(item, "report");
    r.entity.kind = body_text(item["entity"], "kind");
    r.entity.id = body_text(item["entity"], "id");
    r.signal = body_text(item, "signal");
    r.brand = item.contains("brand") ? body_text(item, "brand") : "";
    r.reported_on = body_text(item, "reported_on");
    out.push_back(std::move(r));
  }
  return out;
}

// The API's calls: each takes the request and the session's token and
// answers JSON. Reads are GETs, writes POSTs.
using Route = std::function<std::string(InvestigatorHandler&, const HttpRequest&, const std::string&)>;

const std::map<std::string, std::pair<std::string, Route>, std::less<>>& routes() {
  static const std::map<std::string, std::pair<std::string, Route>, std::less<>> table = {
      {"/api/run_info", {"GET", [](InvestigatorHandler& h, const HttpRequest&, const std::string& t) {
         api::RunInfo out;
         h.run_info(out, t);
         return to_json_text(out);
       }}},
      {"/api/networks", {"GET", [](InvestigatorHandler& h, const HttpRequest& r, const std::string& t) {
         api::NetworkFilter f;
         f.min_risk = number_param(r, "min_risk", 0);
         if (const std::string* b = r.param("brand")) f.brand = *b;
         f.min_members = int_param(r, "min_members", 0);
         f.max_members = int_param(r, "max_members", 0);
         api::NetworkPage out;
         h.list_networks(out, t, f, int_param(r, "offset", 0), int_param(r, "limit", 50));
         return to_json_text(out);
       }}},
      {"/api/network", {"GET", [](InvestigatorHandler& h, const HttpRequest& r, const std::string& t) {
         api::NetworkDetail out;
         h.network(out, t, text_param(r, "id"));
         return to_json_text(out);
       }}},
      {"/api/network_graph", {"GET", [](InvestigatorHandler& h, const HttpRequest& r, const std::string& t) {
         api::NetworkGraph out;
         h.network_graph(out, t, text_param(r, "id"), int_param(r, "max_nodes", 0));
         return to_json_text(out);
       }}},
      {"/api/entity", {"GET", [](InvestigatorHandler& h, const HttpRequest& r, const std::string& t) {
         api::EntityDetail out;
         h.entity(out, t, entity_param(r, "kind", "id"), int_param(r, "offset", 0), int_param(r, "limit", 50));
         return to_json_text(out);
       }}},
      {"/api/paths", {"GET", [](InvestigatorHandler& h, const HttpRequest& r, const std::string& t) {
         api::PathResult out;
         h.paths(out, t, entity_param(r, "source_kind", "source"), entity_param(r, "destination_kind", "destination"),
                 int_param(r, "max_hops", 4), int_param(r, "max_paths", 4));
         return to_json_text(out);
       }}},
      {"/api/trace", {"GET", [](InvestigatorHandler& h, const HttpRequest& r, const std::string& t) {
         api::Trace out;
         h.trace(out, t, entity_param(r, "kind", "id"), int_param(r, "max_hops", 4));
         return to_json_text(out);
       }}},
      {"/api/targets", {"GET", [](InvestigatorHandler& h, const HttpRequest& r, const std::string& t) {
         api::TargetPage out;
         h.targets(out, t, int_param(r, "offset", 0), int_param(r, "limit", 50));
         return to_json_text(out);
       }}},
      {"/api/changes", {"GET", [](InvestigatorHandler& h, const HttpRequest& r, const std::string& t) {
         api::ChangePage out;
         h.changes(out, t, int_param(r, "offset", 0), int_param(r, "limit", 50));
         return to_json_text(out);
       }}},
      {"/api/alerts", {"GET", [](InvestigatorHandler& h, const HttpRequest& r, const std::string& t) {
         api::AlertPage out;
         h.alerts(out, t, int_param(r, "offset", 0), int_param(r, "limit", 50));
         return to_json_text(out);
       }}},
      {"/api/reports", {"POST", [](InvestigatorHandler& h, const HttpRequest& r, const std::string& t) {
         std::vector<api::ReportReceipt> out;
         h.submit_reports(out, t, reports_of(body_of(r)));
         return to_json_text(out);
       }}},
      {"/api/verdict", {"POST", [](InvestigatorHandler& h, const HttpRequest& r, const std::string& t) {
         const json body = body_of(r);
         api::VerdictReceipt out;
         h.record_verdict(out, t, body_text(body, "network"), body_text(body, "outcome"),
                          body.contains("note") ? body_text(body, "note") : "");
         return to_json_text(out);
       }}},
  };
  return table;
}

const WebAsset* find_asset(std::string_view path) {
  for (const WebAsset& a : web_assets()) {
    if (a.path == path) return &a;
  }
  return nullptr;
}

constexpr std::string_view kWithoutPages =
    "<!doctype html><html><head><meta charset=\"utf-8\"><title>sourcetrace</title></head><body>"
    "<h1>sourcetrace</h1><p>This server was built without its web pages: npm was not found when it was built "
    "(see README, \"The web view\"). The JSON API under /api works.</p></body></html>";

}  // namespace

WebApp::WebApp(ServiceState& state, WebSessionOptions sessions, bool tls)
    : state_(state), handler_(state), sessions_(sessions), tls_(tls) {}

std::optional<std::string> WebApp::process(std::string_view bytes) {
  auto request = parse_http_request(bytes);
  if (!request.is_ok()) return error_response(400, "BadRequest", request.status().message()).serialize();
  return answer(request.value()).serialize();
}

void WebApp::audit(const std::string& token_id, const char* call, nlohmann::ordered_json args, const char* error) {
  AuditEntry entry;
  entry.token_id = token_id.empty() ? "-" : token_id;
  entry.call = call;
  entry.args = std::move(args);
  entry.error = error;
  Status written = state_.audit().append(entry);
  // Fail closed, as the handler does: what cannot be audited is not answered.
  if (!written.is_ok()) throw std::runtime_error("the request could not be audited: " + written.message());
}

std::optional<WebSessions::Session> WebApp::session_of(const HttpRequest& r) {
  const std::optional<std::string> id = r.cookie(kCookie);
  if (!id) return std::nullopt;
  return sessions_.find(*id);
}

HttpResponse WebApp::answer(const HttpRequest& r) {
  try {
    if (r.path.starts_with("/api/")) return api(r);
    return page(r);
  } catch (const std::exception& e) {
    return error_response(500, "InternalError", e.what());
  }
}

HttpResponse WebApp::sign_in(const HttpRequest& r) {
  json body = json::parse(r.body, nullptr, false);
  if (!body.is_object() || !body.contains("token") || !body["token"].is_string()) {
    return error_response(400, "BadRequest", "sign in with {\"token\": \"...\"}", {{"parameter", "token"}});
  }
  auto tokens = state_.tokens();
  const auto grant = tokens ? tokens->authenticate(body["token"].get<std::string>()) : std::nullopt;
  if (!grant) {
    audit("-", "http_signin", nlohmann::ordered_json::object(), "Forbidden");
    return error_response(403, "Forbidden", "unknown or revoked token");
  }
  const auto id = sessions_.open({body["token"].get<std::string>(), grant->id});
  if (!id) return error_response(503, "ServerBusy", "too many sessions open; retry later", {{"retry_after_ms", 60000}});
  audit(grant->id, "http_signin", nlohmann::ordered_json::object());
  HttpResponse out = json_response(
      200, json{{"token_id", grant->id}, {"role", grant->investigator ? "investigator" : "brand"}, {"brands", grant->brands}}
               .dump());
  const auto max_age = std::chrono::duration_cast<std::chrono::seconds>(sessions_.options().lifetime).count();
  out.headers.emplace_back("Set-Cookie", fmt::format("{}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Strict{}", kCookie,
                                                     *id, max_age, tls_ ? "; Secure" : ""));
  return out;
}

HttpResponse WebApp::api(const HttpRequest& r) {
  // A write must say it is JSON: a cross-site form cannot, and with the
  // SameSite=Strict cookie that closes cross-site request forgery.
  if (r.method == "POST" || r.method == "DELETE") {
    const std::string* type = r.header("content-type");
    if (type == nullptr || !type->starts_with("application/json")) {
      return error_response(415, "BadRequest", "send Content-Type: application/json");
    }
  }
  if (r.path == "/api/session" && r.method == "POST") return sign_in(r);
  const auto session = session_of(r);
  if (!session) return error_response(401, "SignedOut", "sign in first (the session is missing, expired or ended)");
  if (r.path == "/api/session") {
    if (r.method == "DELETE") {
      sessions_.close(*r.cookie(kCookie));
      audit(session->token_id, "http_signout", nlohmann::ordered_json::object());
      HttpResponse out = json_response(200, "{}");
      out.headers.emplace_back("Set-Cookie", fmt::format("{}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict{}", kCookie,
                                                         tls_ ? "; Secure" : ""));
      return out;
    }
    auto tokens = state_.tokens();
    const auto grant = tokens ? tokens->authenticate(session->token) : std::nullopt;
    if (!grant) {
      sessions_.close(*r.cookie(kCookie));
      return error_response(401, "SignedOut", "the session's token was revoked");
    }
    return json_response(200, json{{"token_id", grant->id},
                                   {"role", grant->investigator ? "investigator" : "brand"},
                                   {"brands", grant->brands}}
                                  .dump());
  }
  if (r.path == "/api/case") {
    std::string html;
    try {
      handler_.case_file(html, session->token, text_param(r, "id"));
    } catch (const api::NotFound& e) {
      return error_response(404, "NotFound", e.message);
    } catch (const api::Forbidden&) {
      sessions_.close(*r.cookie(kCookie));
      return error_response(401, "SignedOut", "the session's token was revoked");
    } catch (const api::BadRequest& e) {
      return error_response(400, "BadRequest", e.message, {{"parameter", e.parameter}, {"limit", e.limit}});
    } catch (const api::ServerBusy& e) {
      return error_response(503, "ServerBusy", e.message, {{"retry_after_ms", e.retry_after_ms}});
    }
    HttpResponse out;
    out.content_type = "text/html; charset=utf-8";
    out.body = std::move(html);
    out.content_security_policy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
    out.headers.emplace_back("Cache-Control", "no-store");
    out.headers.emplace_back("Content-Disposition",
                             fmt::format("attachment; filename=\"{}.html\"", *r.param("id")));
    return out;
  }
  const auto route = routes().find(r.path);
  if (route == routes().end()) return error_response(404, "NotFound", "no such call: " + r.path);
  if (route->second.first != r.method) {
    return error_response(405, "BadRequest", fmt::format("{} takes {}", r.path, route->second.first));
  }
  try {
    return json_response(200, route->second.second(handler_, r, session->token));
  } catch (const api::Forbidden&) {
    // The token was revoked since sign-in: the session ends with it.
    sessions_.close(*r.cookie(kCookie));
    return error_response(401, "SignedOut", "the session's token was revoked");
  } catch (const api::NotFound& e) {
    return error_response(404, "NotFound", e.message);
  } catch (const api::BadRequest& e) {
    return error_response(400, "BadRequest", e.message, {{"parameter", e.parameter}, {"limit", e.limit}});
  } catch (const api::RateLimited& e) {
    return error_response(429, "RateLimited", e.message, {{"retry_after_ms", e.retry_after_ms}, {"limit", e.limit}});
  } catch (const api::ServerBusy& e) {
    return error_response(503, "ServerBusy", e.message, {{"retry_after_ms", e.retry_after_ms}});
  }
}

HttpResponse WebApp::page(const HttpRequest& r) {
  if (r.method != "GET" && r.method != "HEAD") return error_response(405, "BadRequest", "pages answer GET");
  if (const WebAsset* asset = find_asset(r.path); asset != nullptr && r.path != "/index.html") {
    HttpResponse out;
    out.content_type = std::string(asset->content_type);
    out.body = std::string(asset->bytes);
    out.headers.emplace_back("Cache-Control", "no-cache");
    return out;
  }
  if (r.path.starts_with("/assets/")) return error_response(404, "NotFound", "no such file: " + r.path);
  // A page view: who looked at what, as for a call.
  const auto session = session_of(r);
  audit(session ? session->token_id : "-", "http_page", {{"path", r.target}});
  HttpResponse out;
  out.content_type = "text/html; charset=utf-8";
  out.headers.emplace_back("Cache-Control", "no-store");
  const WebAsset* index = find_asset("/index.html");
  out.body = index != nullptr ? std::string(index->bytes) : std::string(kWithoutPages);
  return out;
}

}  // namespace sourcetrace::service
