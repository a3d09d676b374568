// Feeds the fuzzer's bytes to the web view's HTTP reading, as the
// connection loop meets them from a socket: http_request_length decides
// where a request ends (or that the bytes are not one), and a request it
// calls complete must read with parse_http_request — framing and reading
// use one parser and must never disagree — and its parameters, headers
// and cookies must read without a crash. Any bytes: a length, "more" or
// "malformed", never a crash or a length past the input.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sourcetrace/service/http_message.hpp"

using namespace sourcetrace::service;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::size_t length = http_request_length(bytes);
  if (length == kMalformedRequest || length == 0) return 0;
  if (length > size) std::abort();
  auto request = parse_http_request(bytes.substr(0, length));
  if (!request.is_ok()) {
    // Framing took it as a request; reading may still refuse its target
    // (not a path, a broken %-escape), never its syntax.
    if (request.status().message() == "not a complete HTTP request") std::abort();
    return 0;
  }
  const HttpRequest& r = request.value();
  if (r.method.empty()) std::abort();
  (void)r.param("id");
  (void)r.header("content-type");
  (void)r.cookie("st_session");
  return 0;
}
