// FrameProcessor: the Thrift processor run over in-memory buffers whose
// configuration caps every size at the frame's length.
#include "sourcetrace/service/frame_processor.hpp"

#include <thrift/TConfiguration.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include "sourcetrace/service/investigator_handler.hpp"

namespace sourcetrace::service {

namespace tt = apache::thrift::transport;
namespace tp = apache::thrift::protocol;

FrameProcessor::FrameProcessor(std::shared_ptr<InvestigatorHandler> handler, int max_frame_bytes)
    : processor_(std::make_shared<api::InvestigatorProcessor>(std::move(handler))),
      max_frame_bytes_(max_frame_bytes) {}

std::optional<std::string> FrameProcessor::process(std::string_view request) const {
  if (request.size() > static_cast<std::size_t>(max_frame_bytes_)) return std::nullopt;
  // A strict binary-protocol call: version 1 (0x8001), then the message
  // type in the fourth byte, which must be a call or a one-way call. Thrift
  // itself would cast any byte there to its TMessageType enum before
  // checking it, which is undefined for values outside the enum (found by
  // tests/fuzz/thrift_frame_fuzz), so the type is checked here first.
  if (request.size() < 4 || static_cast<std::uint8_t>(request[0]) != 0x80 ||
      static_cast<std::uint8_t>(request[1]) != 0x01 ||
      (request[3] != static_cast<char>(tp::T_CALL) && request[3] != static_cast<char>(tp::T_ONEWAY))) {
    return std::nullopt;
  }
  const int size = static_cast<int>(request.size());
  try {
    // The message may be no longer than this frame: Thrift checks every
    // container's count against what is left of it.
    auto config = std::make_shared<apache::thrift::TConfiguration>(size, size);
    auto in = std::make_shared<tt::TMemoryBuffer>(
        reinterpret_cast<std::uint8_t*>(const_cast<char*>(request.data())), static_cast<std::uint32_t>(size),
        tt::TMemoryBuffer::OBSERVE, config);
    auto out = std::make_shared<tt::TMemoryBuffer>();
    // A string no longer than the frame, a container no longer than the
    // frame has bytes (every element takes at least one).
    tp::TBinaryProtocol in_protocol(in, size, size, /*strict_read=*/true, /*strict_write=*/true);
    tp::TBinaryProtocol out_protocol(out);
    if (!processor_->process(std::shared_ptr<tp::TProtocol>(&in_protocol, [](tp::TProtocol*) {}),
                             std::shared_ptr<tp::TProtocol>(&out_protocol, [](tp::TProtocol*) {}), nullptr)) {
      return std::nullopt;
    }
    return out->getBufferAsString();
  } catch (...) {
    // A frame Thrift cannot parse (bad version, size over a limit, short
    // read): no call, so no reply; the connection is closed.
    return std::nullopt;
  }
}

}  // namespace sourcetrace::service
