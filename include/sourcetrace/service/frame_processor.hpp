// FrameProcessor: one whole request frame in, its reply frame out.
//
// The server reads a frame (bounded by the frame limit) into memory before
// any Thrift code sees it, so the protocol parses from a buffer of known
// size. That is what bounds what a client can make the server allocate: a
// string or container that claims more than the frame holds is refused
// before anything is allocated (string and container limits, and Thrift's
// remaining-message-size check, are all set to the frame's length). The
// connection loop (investigator_server.cpp) and the fuzz harness share this
// seam, so the fuzzer exercises exactly what the network reaches.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace apache::thrift {
class TProcessor;
}

namespace sourcetrace::service {

class InvestigatorHandler;

class FrameProcessor {
 public:
  FrameProcessor(std::shared_ptr<InvestigatorHandler> handler, int max_frame_bytes);

  // The reply frame's body (without its 4-byte length), or nullopt when the
  // frame is no well-formed call: the caller closes the connection. Never
  // throws; never allocates more than a small multiple of the frame.
  std::optional<std::string> process(std::string_view request) const;

  int max_frame_bytes() const { return max_frame_bytes_; }

 private:
  std::shared_ptr<apache::thrift::TProcessor> processor_;
  int max_frame_bytes_;
};

}  // namespace sourcetrace::service
