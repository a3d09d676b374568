// InvestigatorServer: `sourcetrace serve`, the Thrift server around the
// handler.
//
// Wire: framed transport, binary protocol. The network side is a
// ConnectionLoop (connection_loop.hpp): one event thread for every socket,
// `connections.threads` workers for the calls, so a client that connects
// and sends nothing, or drips a byte a second, holds no worker and locks
// nobody out; per-peer and total connection caps, first-byte, per-frame,
// idle and write deadlines; frames over `connections.max_frame_bytes` are
// refused at their header. Each frame is parsed from memory by a
// FrameProcessor (frame_processor.hpp) whose string and container limits
// are the frame's length, so no claim inside a frame allocates more than
// the frame. Loopback by default; any other address needs TLS (a
// certificate and key), because tokens travel in every call; TLS runs
// non-blocking in the same loop, so a handshake that stalls holds nothing
// either.
//
// Snapshots: the run named by RUNS/current is loaded at start; `reload()`
// (SIGHUP, or the watcher that polls the link every `watch_ms`) loads the
// newly published run and the tokens file, and swaps them in whole; calls
// in flight finish on what they started with. A run that fails to load is
// reported and the old one stays.
//
// The web view (web_app.hpp), when asked for, is a second ConnectionLoop
// with HTTP framing on its own port, over the same state: the same
// snapshot, tokens, limits and audit log, served by the same kind of
// bounded loop (its own workers), so an idle or dripping browser socket
// holds no thread either.
//
// Shutdown: `stop()` (SIGTERM) stops accepting, closes the connections not
// in a call, and lets the calls in flight finish and answer; serve() then
// returns.
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "sourcetrace/service/connection_loop.hpp"
#include "sourcetrace/service/frame_processor.hpp"
#include "sourcetrace/service/investigator_handler.hpp"
#include "sourcetrace/service/web_app.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::service {

struct ServerOptions {
  std::string runs_dir;     // holds the `current` link
  std::string tokens_path;  // mode 0600
  std::string audit_path;   // "" = runs_dir/audit.jsonl
  std::string journal_path; // "" = runs_dir/feedback.jsonl (store/feedback_journal.hpp)
  std::string bind = "127.0.0.1";
  int port = 0;             // 0: any free port (see port())
  std::string tls_cert, tls_key;  // PEM; required unless bind is loopback
  ConnectionLimits connections;
  int watch_ms = 1000;      // 0: no watcher (SIGHUP only)
  ServiceLimits limits;
  // The web view (docs/web.md): -1 for none; 0 for any free port
  // (http_port()). Same address, TLS, connection limits as the Thrift port.
  int http_port = -1;
  WebSessionOptions sessions;
};

// What the server reports as it goes (loads, swaps, failures), one line each.
using ServerLog = std::function<void(const std::string&)>;

class InvestigatorServer {
 public:
  // Loads the current run and the tokens, opens the audit log and binds the
  // socket (so a port chosen by the system is known before serve()).
  static Result<std::unique_ptr<InvestigatorServer>> create(const ServerOptions& options, ServerLog log);
  ~InvestigatorServer();

  int port() const { return port_; }
  int http_port() const { return http_port_; }  // -1 without the web view
  std::string serving() const;  // the run folder served

  void serve();  // blocks until stop()
  void stop();
  // Reloads the tokens, and the run if `current` names another one (or
  // `force`).
  Status reload(bool force = false);

 private:
  InvestigatorServer() = default;
  void watch();

  ServerOptions options_;
  ServerLog log_;
  std::unique_ptr<ServiceState> state_;
  std::unique_ptr<FrameProcessor> processor_;
  std::unique_ptr<ConnectionLoop> loop_;
  int port_ = 0;
  std::unique_ptr<WebApp> web_;
  std::unique_ptr<ConnectionLoop> http_loop_;
  int http_port_ = -1;
  mutable std::mutex reload_mutex_;
  std::string serving_;
  std::filesystem::file_time_type tokens_loaded_;
  std::thread watcher_;
  std::mutex watch_mutex_;
  std::condition_variable watch_wake_;
  bool stopping_ = false;
};

}  // namespace sourcetrace::service
