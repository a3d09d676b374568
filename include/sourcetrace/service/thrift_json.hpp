// Thrift structs as plain JSON, with their IDL field names.
//
// The web view is a client of the same IDL as the Thrift service: every
// JSON answer is one of investigator.thrift's structs, written with the
// field names the IDL gives (Thrift's own TJSONProtocol writes field ids
// and type tags, which a page should not have to decode). Generated code
// writes a struct through a TProtocol, naming each field as it goes, so a
// write-only protocol that turns those calls into JSON covers every struct
// of the IDL, today's and tomorrow's, with no hand-written copy of each.
// Doubles are written shortest-exact; NaN and infinities as null; strings
// escaped as JSON requires (bytes above 0x7f pass through: the tables are
// UTF-8).
#pragma once

#include <string>
#include <vector>

#include <thrift/protocol/TProtocol.h>

namespace sourcetrace::service {

// Appends JSON for what is written through it to a string.
std::shared_ptr<apache::thrift::protocol::TProtocol> make_json_writer(std::string& out);

template <typename Struct>
std::string to_json_text(const Struct& value) {
  std::string out;
  auto writer = make_json_writer(out);
  value.write(writer.get());
  return out;
}

template <typename Struct>
std::string to_json_text(const std::vector<Struct>& values) {
  std::string out = "[";
  auto writer = make_json_writer(out);
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    values[i].write(writer.get());
  }
  out += ']';
  return out;
}

}  // namespace sourcetrace::service
