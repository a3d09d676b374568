// HTTP/1.1 requests read with libhttp-parser; responses written by hand.
#include "sourcetrace/service/http_message.hpp"

#include <fmt/format.h>
#include <http_parser.h>

#include <algorithm>
#include <cctype>

namespace sourcetrace::service {

namespace {

// What the parser's callbacks collect; `complete` stops it at the end of
// the first message, so a pipelined next request is not read with it.
struct Collector {
  HttpRequest request;
  std::string field, value;  // the header being read
  bool in_value = false;
  bool complete = false;
  std::string url;

  void finish_header() {
    if (field.empty()) return;
    std::transform(field.begin(), field.end(), field.begin(), [](unsigned char c) { return std::tolower(c); });
    request.headers.emplace_back(std::move(field), std::move(value));
    field.clear();
    value.clear();
  }
};

Collector* collector(http_parser* p) { return static_cast<Collector*>(p->data); }

const http_parser_settings& settings() {
  static const http_parser_settings kSettings = [] {
    http_parser_settings s{};
    http_parser_settings_init(&s);
    s.on_url = [](http_parser* p, const char* at, std::size_t n) {
      collector(p)->url.append(at, n);
      return 0;
    };
    s.on_header_field = [](http_parser* p, const char* at, std::size_t n) {
      Collector* c = collector(p);
      if (c->in_value) c->finish_header();
      c->in_value = false;
      c->field.append(at, n);
      return 0;
    };
    s.on_header_value = [](http_parser* p, const char* at, std::size_t n) {
      Collector* c = collector(p);
      c->in_value = true;
      c->value.append(at, n);
      return 0;
    };
    s.on_headers_complete = [](http_parser* p) {
      collector(p)->finish_header();
      return 0;
    };
    s.on_body = [](http_parser* p, const char* at, std::size_t n) {
      collector(p)->request.body.append(at, n);
      return 0;
    };
    s.on_message_complete = [](http_parser* p) {
      collector(p)->complete = true;
      http_parser_pause(p, 1);
      return 0;
    };
    return s;
  }();
  return kSettings;
}

// Runs the parser over `in`; the bytes it took.
std::size_t run_parser(std::string_view in, Collector& c, bool& bad) {
  http_parser parser;
  http_parser_init(&parser, HTTP_REQUEST);
  parser.data = &c;
  const std::size_t taken = http_parser_execute(&parser, &settings(), in.data(), in.size());
  const auto error = HTTP_PARSER_ERRNO(&parser);
  bad = error != HPE_OK && error != HPE_PAUSED;
  if (c.complete) {
    c.request.method = http_method_str(static_cast<http_method>(parser.method));
  }
  return taken;
}

void add_query(std::string_view text, std::vector<std::pair<std::string, std::string>>& out, bool& bad) {
  while (!text.empty()) {
    const std::size_t amp = text.find('&');
    const std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    auto name = percent_decode(pair.substr(0, eq));
    auto value = percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!name || !value) {
      bad = true;
      return;
    }
    out.emplace_back(std::move(*name), std::move(*value));
  }
}

const char* reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 303: return "See Other";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

}  // namespace

std::size_t http_request_length(std::string_view in) {
  Collector c;
  bool bad = false;
  const std::size_t taken = run_parser(in, c, bad);
  if (bad) return kMalformedRequest;
  return c.complete ? taken : 0;
}

Result<HttpRequest> parse_http_request(std::string_view message) {
  Collector c;
  bool bad = false;
  run_parser(message, c, bad);
  if (bad || !c.complete) return Status::invalid_argument("not a complete HTTP request");
  http_parser_url url;
  http_parser_url_init(&url);
  if (http_parser_parse_url(c.url.data(), c.url.size(), 0, &url) != 0 || !(url.field_set & (1 << UF_PATH))) {
    return Status::invalid_argument("the request target is not a path");
  }
  HttpRequest& r = c.request;
  r.target = c.url;
  auto path = percent_decode(std::string_view(c.url).substr(url.field_data[UF_PATH].off, url.field_data[UF_PATH].len));
  if (!path) return Status::invalid_argument("the path has a broken %-escape");
  r.path = std::move(*path);
  if (url.field_set & (1 << UF_QUERY)) {
    add_query(std::string_view(c.url).substr(url.field_data[UF_QUERY].off, url.field_data[UF_QUERY].len), r.query, bad);
    if (bad) return Status::invalid_argument("the query has a broken %-escape");
  }
  return std::move(r);
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%') {
      if (i + 2 >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i + 1])) ||
          !std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
        return std::nullopt;
      }
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

const std::string* HttpRequest::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return &v;
  }
  return nullptr;
}

const std::string* HttpRequest::param(std::string_view name) const {
  for (const auto& [n, v] : query) {
    if (n == name) return &v;
  }
  return nullptr;
}

std::optional<std::string> HttpRequest::cookie(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n != "cookie") continue;
    std::string_view rest = v;
    while (!rest.empty()) {
      const std::size_t semi = rest.find(';');
      std::string_view pair = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
      const std::size_t eq = pair.find('=');
      if (eq != std::string_view::npos && pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
    }
  }
  return std::nullopt;
}

std::string HttpResponse::serialize() const {
  std::string out = fmt::format("HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n", status,
                                reason_phrase(status), content_type, body.size());
  // Every answer: no sniffing, no framing by other sites, no referrer
  // leaving the site, a policy that runs only our own scripts.
  out +=
      "X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\nReferrer-Policy: same-origin\r\n"
      "Content-Security-Policy: " + content_security_policy + "\r\n";
  for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
  out += "\r\n";
  out += body;
  return out;
}

}  // namespace sourcetrace::service
