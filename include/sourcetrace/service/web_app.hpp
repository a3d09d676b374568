// WebApp: what the web view answers (docs/web.md).
//
// Sign-in and sessions (web_sessions.hpp), the JSON API, the pages. The
// JSON API is the Thrift service's handler called with the session's
// token: the same authentication, scope, limits, deadline and audit entry
// as a Thrift call, so a brand session sees exactly what a brand token
// sees, and a network it may not see answers 404 exactly like one that
// does not exist. Answers are the IDL's structs as JSON (thrift_json.hpp).
// Every other GET answers the page, which reads its path and asks the API;
// page views are audited too (`http_page`), as are sign-in and sign-out.
// Thread-safe: the loop's workers call process() concurrently.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sourcetrace/service/http_message.hpp"
#include "sourcetrace/service/investigator_handler.hpp"
#include "sourcetrace/service/web_sessions.hpp"

namespace sourcetrace::service {

class WebApp {
 public:
  // `tls`: the listener runs TLS, so the cookie is marked Secure.
  WebApp(ServiceState& state, WebSessionOptions sessions, bool tls);

  // One request's bytes (as the loop delimits them) in, the response's out.
  std::optional<std::string> process(std::string_view request);
  HttpResponse answer(const HttpRequest& request);

  WebSessions& sessions() { return sessions_; }

 private:
  HttpResponse api(const HttpRequest& request);
  HttpResponse sign_in(const HttpRequest& request);
  HttpResponse page(const HttpRequest& request);
  // The session the request's cookie names, if live.
  std::optional<WebSessions::Session> session_of(const HttpRequest& request);
  void audit(const std::string& token_id, const char* call, nlohmann::ordered_json args, const char* error = "");

  ServiceState& state_;
  InvestigatorHandler handler_;
  WebSessions sessions_;
  bool tls_;
};

}  // namespace sourcetrace::service
