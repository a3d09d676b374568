// A write-only TProtocol that writes JSON by field name.
#include "sourcetrace/service/thrift_json.hpp"

#include <fmt/format.h>

#include <cmath>
#include <thrift/protocol/TVirtualProtocol.h>
#include <thrift/transport/TBufferTransports.h>

namespace sourcetrace::service {

namespace {

using apache::thrift::protocol::TProtocolDefaults;
using apache::thrift::protocol::TType;
using apache::thrift::protocol::TVirtualProtocol;

class JsonWriter : public TVirtualProtocol<JsonWriter, TProtocolDefaults> {
 public:
  // Thrift's protocol base reads its recursion limit from a transport: an
  // empty memory buffer, never written, serves.
  explicit JsonWriter(std::string& out)
      : TVirtualProtocol(std::make_shared<apache::thrift::transport::TMemoryBuffer>()), out_(out) {}

  uint32_t writeStructBegin(const char*) { return open('{', false); }
  uint32_t writeStructEnd() { return close('}'); }
  uint32_t writeFieldBegin(const char* name, const TType, const int16_t) {
    separate();
    out_ += '"';
    out_ += name;
    out_ += "\":";
    levels_.back().pending_value = true;
    return 0;
  }
  uint32_t writeFieldEnd() { return 0; }
  uint32_t writeFieldStop() { return 0; }
  uint32_t writeListBegin(const TType, const uint32_t) { return open('[', false); }
  uint32_t writeListEnd() { return close(']'); }
  uint32_t writeSetBegin(const TType, const uint32_t) { return open('[', false); }
  uint32_t writeSetEnd() { return close(']'); }
  // A map's keys become strings: JSON objects have no other keys.
  uint32_t writeMapBegin(const TType, const TType, const uint32_t) { return open('{', true); }
  uint32_t writeMapEnd() { return close('}'); }

  uint32_t writeBool(const bool value) { return scalar(value ? "true" : "false"); }
  uint32_t writeByte(const int8_t value) { return scalar(fmt::format("{}", value)); }
  uint32_t writeI16(const int16_t value) { return scalar(fmt::format("{}", value)); }
  uint32_t writeI32(const int32_t value) { return scalar(fmt::format("{}", value)); }
  uint32_t writeI64(const int64_t value) { return scalar(fmt::format("{}", value)); }
  uint32_t writeDouble(const double value) {
    return scalar(std::isfinite(value) ? fmt::format("{}", value) : std::string("null"));
  }
  uint32_t writeString(const std::string& value) {
    std::string quoted = "\"";
    for (const char ch : value) {
      const auto byte = static_cast<unsigned char>(ch);
      if (ch == '"' || ch == '\\') {
        quoted += '\\';
        quoted += ch;
      } else if (byte < 0x20) {
        quoted += fmt::format("\\u{:04x}", byte);
      } else {
        quoted += ch;
      }
    }
    quoted += '"';
    return scalar(quoted, /*is_string=*/true);
  }
  uint32_t writeBinary(const std::string& value) { return writeString(value); }

 private:
  struct Level {
    bool map = false;
    bool first = true;
    bool pending_value = false;  // a field name or map key was written, its value is next
  };

  // Before a value (or a field's name) inside an array, an object or a map.
  void separate() {
    if (levels_.empty()) return;
    Level& l = levels_.back();
    if (l.pending_value) return;
    if (!l.first) out_ += ',';
    l.first = false;
  }
  void took_value() {
    if (levels_.empty()) return;
    Level& l = levels_.back();
    if (l.pending_value) {
      l.pending_value = false;
    } else if (l.map) {
      // That was a key: its value comes next.
      out_ += ':';
      l.pending_value = true;
    }
  }
  uint32_t open(char bracket, bool map) {
    separate();
    out_ += bracket;
    levels_.push_back({map, true, false});
    return 0;
  }
  uint32_t close(char bracket) {
    out_ += bracket;
    levels_.pop_back();
    took_value();
    return 0;
  }
  uint32_t scalar(const std::string& text, bool is_string = false) {
    separate();
    const bool key = !levels_.empty() && levels_.back().map && !levels_.back().pending_value;
    if (key && !is_string) {
      out_ += '"' + text + '"';
    } else {
      out_ += text;
    }
    took_value();
    return 0;
  }

  std::string& out_;
  std::vector<Level> levels_;
};

}  // namespace

std::shared_ptr<apache::thrift::protocol::TProtocol> make_json_writer(std::string& out) {
  return std::make_shared<JsonWriter>(out);
}

}  // namespace sourcetrace::service
