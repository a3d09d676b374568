// ConnectionLoop: the query service's network side, an event loop that
// gives no thread to a connection that is not running a call.
//
// Why not a thread per connection (Thrift's TThreadedServer, used before):
// a client that opens sockets and sends nothing held a thread each until
// the idle timeout, so 64 silent sockets locked everyone out. Here one
// thread watches every socket with epoll and reads whatever arrives; only
// a complete frame goes to a worker thread (a pool of `threads`), which
// runs the call (FrameProcessor) and hands the reply back to the loop to
// write. A silent or dripping socket costs a file descriptor and a few
// hundred bytes, never a worker.
//
// What a client can hold is bounded:
//   - connections: `max_connections` in all and `max_per_peer` from one
//     address; more are closed at accept;
//   - memory: a frame's bytes are buffered as they arrive (never the size a
//     header claims), and a header claiming more than `max_frame_bytes` (or
//     nothing) closes the connection; a connection has at most one frame in
//     a worker, so queued work is bounded by the connections;
//   - time: from accept (TLS handshake included) to the first byte of a
//     call `first_byte_ms`; from a frame's first byte to its last
//     `frame_ms`; between calls `idle_ms`; to write a reply `write_ms`. Past
//     its deadline a connection is closed.
// TLS (OpenSSL, TLS 1.2 or later) runs in the loop too, non-blocking: a
// client stalled mid-handshake is a socket waiting like any other.
//
// Framing is Thrift's framed transport (a 4-byte big-endian length, then
// the message) or HTTP/1.1 (the web view: a request ends where
// http_message.hpp's parser says; the handler's reply is the whole
// response, sent as it is; a pipelined next request waits in the buffer).
// Calls on one connection run one after another, in order.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "sourcetrace/status.hpp"

namespace sourcetrace::service {

struct ConnectionLimits {
  int threads = 8;              // workers running calls
  int max_connections = 4096;   // open at once, from everyone
  int max_per_peer = 64;        // open at once, from one address
  int max_frame_bytes = 1 << 20;
  int first_byte_ms = 5000;     // accept (and handshake) to a call's first byte
  int frame_ms = 10000;         // a frame's first byte to its last
  int idle_ms = 30000;          // between calls
  int write_ms = 10000;         // a reply's first byte to its last
};

enum class Framing { kThrift, kHttp };

struct TlsCredentials {
  std::string certificate, private_key;  // PEM files; both empty: plain TCP
};

// What the loop has done since it started; read at any time.
struct ConnectionCounters {
  std::atomic<std::uint64_t> accepted{0}, refused_per_peer{0}, refused_total{0}, timed_out{0},
      bad_frames{0}, calls{0};
};

class ConnectionLoop {
 public:
  // One request frame's body in, the reply's body out; nullopt closes the
  // connection. Called on worker threads, concurrently.
  using FrameHandler = std::function<std::optional<std::string>(std::string_view)>;

  // Binds and listens (so a port the system chose is known before run()).
  static Result<std::unique_ptr<ConnectionLoop>> listen(const std::string& address, int port,
                                                        const TlsCredentials& tls, const ConnectionLimits& limits,
                                                        FrameHandler handler, Framing framing = Framing::kThrift);
  ~ConnectionLoop();

  int port() const;
  const ConnectionCounters& counters() const;

  // Serves until stop(): stops accepting, closes connections that are not
  // in a call, lets the calls in flight finish and write their replies.
  void run();
  void stop();  // from any thread

 private:
  class Impl;
  explicit ConnectionLoop(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sourcetrace::service
