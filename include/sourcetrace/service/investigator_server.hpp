// InvestigatorServer: `sourcetrace serve`, the Thrift server around the
// handler.
//
// Wire: framed transport, binary protocol; frames over `max_frame_bytes`
// are refused (the connection is closed, the server goes on). Threads:
// Thrift's TThreadedServer, a thread per connection up to `max_clients`
// (more wait in the accept queue); a client that sends nothing for
// `idle_timeout_ms`, or sends garbage, loses its connection and nobody
// else notices. Loopback by default; any other address needs TLS (a
// certificate and key), because tokens travel in every call.
//
// Snapshots: the run named by RUNS/current is loaded at start; `reload()`
// (SIGHUP, or the watcher that polls the link every `watch_ms`) loads the
// newly published run and the tokens file, and swaps them in whole; calls
// in flight finish on what they started with. A run that fails to load is
// reported and the old one stays.
//
// Shutdown: `stop()` (SIGTERM) stops accepting, interrupts idle
// connections, and lets the calls in flight finish; serve() then returns.
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "sourcetrace/service/investigator_handler.hpp"
#include "sourcetrace/status.hpp"

namespace apache::thrift::server {
class TThreadedServer;
}
namespace apache::thrift::transport {
class TServerSocket;
}

namespace sourcetrace::service {

struct ServerOptions {
  std::string runs_dir;     // holds the `current` link
  std::string tokens_path;  // mode 0600
  std::string audit_path;   // "" = runs_dir/audit.jsonl
  std::string bind = "127.0.0.1";
  int port = 0;             // 0: any free port (see port())
  std::string tls_cert, tls_key;  // PEM; required unless bind is loopback
  int max_clients = 64;
  int max_frame_bytes = 1 << 20;
  int idle_timeout_ms = 30000;
  int watch_ms = 1000;      // 0: no watcher (SIGHUP only)
  ServiceLimits limits;
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
  std::shared_ptr<apache::thrift::transport::TServerSocket> socket_;
  std::shared_ptr<apache::thrift::server::TThreadedServer> server_;
  int port_ = 0;
  mutable std::mutex reload_mutex_;
  std::string serving_;
  std::filesystem::file_time_type tokens_loaded_;
  std::thread watcher_;
  std::mutex watch_mutex_;
  std::condition_variable watch_wake_;
  bool stopping_ = false;
};

}  // namespace sourcetrace::service
