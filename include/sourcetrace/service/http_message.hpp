// HTTP/1.1 messages for the web view: where a request ends, what it says,
// and the bytes of a response.
//
// The web view rides on the service's ConnectionLoop (connection_loop.hpp),
// which reads bytes and needs to know where a request ends;
// http_request_length answers that with the same parser (Debian's
// libhttp-parser, Node.js's former parser) that parse_http_request then
// reads the complete request with, so framing and reading can never
// disagree. Bodies may be sent with Content-Length or chunked; a request
// is bounded by the loop's max_frame_bytes either way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sourcetrace/status.hpp"

namespace sourcetrace::service {

// http_request_length's answer for bytes that are not an HTTP request.
inline constexpr std::size_t kMalformedRequest = SIZE_MAX;

// The length of the request at the start of `in` once all of it is there;
// 0 while more bytes are needed; kMalformedRequest when they cannot be one.
std::size_t http_request_length(std::string_view in);

struct HttpRequest {
  std::string method;  // GET, POST, ...
  std::string path;    // percent-decoded, without the query
  std::string target;  // as sent: path and query
  std::vector<std::pair<std::string, std::string>> query;    // decoded, in order
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string body;

  // The first header or query parameter of that name, if any.
  const std::string* header(std::string_view name) const;
  const std::string* param(std::string_view name) const;
  // A cookie's value from the Cookie header, if sent.
  std::optional<std::string> cookie(std::string_view name) const;
};

// Reads one complete request (as delimited by http_request_length).
Result<HttpRequest> parse_http_request(std::string_view message);

// Percent-decoding (and '+' as space, as forms send it); nullopt when an
// escape is broken.
std::optional<std::string> percent_decode(std::string_view text);

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // added to the defaults
  // Only our own scripts and styles (a case file, which has its style
  // inline, widens it).
  std::string content_security_policy =
      "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; frame-ancestors 'none'";

  // Status line, headers (Content-Length, Content-Type, the security
  // headers every answer carries), blank line, body.
  std::string serialize() const;
};

}  // namespace sourcetrace::service
