// InvestigatorServer: Thrift TThreadedServer over a bound socket, a watcher
// for publications, reloads that swap state whole.
#include "sourcetrace/service/investigator_server.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thrift/TConfiguration.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/server/TThreadedServer.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSSLServerSocket.h>
#include <thrift/transport/TSSLSocket.h>
#include <thrift/transport/TServerSocket.h>

#include <filesystem>
#include <limits>

#include "sourcetrace/service/run_publication.hpp"

namespace sourcetrace::service {

namespace tt = apache::thrift::transport;

namespace {

// listen() once, early, so that the port is known before serve(), which
// calls listen() again.
template <typename Base>
class ListenOnce : public Base {
 public:
  using Base::Base;
  void listen() override {
    if (!listening_) Base::listen();
    listening_ = true;
  }
  void close() override {
    Base::close();
    listening_ = false;
  }

 private:
  bool listening_ = false;
};

// Framed transport with our frame limit (Thrift's default is 16 MiB).
class LimitedFramedTransportFactory : public tt::TTransportFactory {
 public:
  explicit LimitedFramedTransportFactory(int max_frame_bytes)
      : config_(std::make_shared<apache::thrift::TConfiguration>(std::numeric_limits<int>::max(), max_frame_bytes)) {}
  std::shared_ptr<tt::TTransport> getTransport(std::shared_ptr<tt::TTransport> transport) override {
    return std::make_shared<tt::TFramedTransport>(transport, config_);
  }

 private:
  std::shared_ptr<apache::thrift::TConfiguration> config_;
};

bool is_loopback(const std::string& address) {
  return address == "127.0.0.1" || address == "::1" || address == "localhost";
}

int bound_port(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return 0;
  if (address.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
  if (address.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
  return 0;
}

Result<std::shared_ptr<const RunSnapshot>> load_current(const std::string& runs_dir, std::string& run_dir) {
  auto current = current_run(runs_dir);
  if (!current.is_ok()) return current.status();
  run_dir = current.value();
  return RunSnapshot::load(run_dir);
}

}  // namespace

Result<std::unique_ptr<InvestigatorServer>> InvestigatorServer::create(const ServerOptions& o, ServerLog log) {
  const bool tls = !o.tls_cert.empty() || !o.tls_key.empty();
  if (!is_loopback(o.bind) && !tls) {
    return Status::invalid_argument(fmt::format(
        "--bind {}: serving beyond this machine needs TLS (--tls-cert and --tls-key), since every call carries a "
        "token; or bind 127.0.0.1",
        o.bind));
  }
  if (tls && (o.tls_cert.empty() || o.tls_key.empty())) {
    return Status::invalid_argument("TLS needs both --tls-cert and --tls-key");
  }
  std::unique_ptr<InvestigatorServer> server(new InvestigatorServer());
  server->options_ = o;
  server->log_ = std::move(log);
  if (server->options_.audit_path.empty()) {
    server->options_.audit_path = (std::filesystem::path(o.runs_dir) / "audit.jsonl").string();
  }

  auto tokens = TokenStore::load(o.tokens_path);
  if (!tokens.is_ok()) return tokens.status();
  auto snapshot = load_current(o.runs_dir, server->serving_);
  if (!snapshot.is_ok()) return snapshot.status();
  auto audit = AuditLog::open(server->options_.audit_path);
  if (!audit.is_ok()) return audit.status();
  std::error_code ec;
  server->tokens_loaded_ = std::filesystem::last_write_time(o.tokens_path, ec);
  server->state_ = std::make_unique<ServiceState>(std::move(snapshot).value(),
                                                  std::make_shared<const TokenStore>(std::move(tokens).value()),
                                                  std::move(audit).value(), o.limits);

  try {
    if (tls) {
      auto factory = std::make_shared<tt::TSSLSocketFactory>();
      factory->server(true);
      factory->loadCertificate(o.tls_cert.c_str());
      factory->loadPrivateKey(o.tls_key.c_str());
      server->socket_ = std::make_shared<ListenOnce<tt::TSSLServerSocket>>(o.bind, o.port, factory);
    } else {
      server->socket_ = std::make_shared<ListenOnce<tt::TServerSocket>>(o.bind, o.port);
    }
    server->socket_->setRecvTimeout(o.idle_timeout_ms);
    server->socket_->setInterruptableChildren(true);
    server->socket_->listen();
  } catch (const apache::thrift::TException& e) {
    return Status::cannot_create(fmt::format("cannot listen on {}:{}: {}", o.bind, o.port, e.what()));
  }
  server->port_ = bound_port(server->socket_->getSocketFD());

  auto handler = std::make_shared<InvestigatorHandler>(*server->state_);
  server->server_ = std::make_shared<apache::thrift::server::TThreadedServer>(
      std::make_shared<api::InvestigatorProcessor>(handler), server->socket_,
      std::make_shared<LimitedFramedTransportFactory>(o.max_frame_bytes),
      std::make_shared<apache::thrift::protocol::TBinaryProtocolFactory>());
  server->server_->setConcurrentClientLimit(o.max_clients);
  if (o.watch_ms > 0) server->watcher_ = std::thread([s = server.get()] { s->watch(); });
  return server;
}

InvestigatorServer::~InvestigatorServer() {
  {
    std::lock_guard<std::mutex> lock(watch_mutex_);
    stopping_ = true;
  }
  watch_wake_.notify_all();
  if (watcher_.joinable()) watcher_.join();
}

void InvestigatorServer::serve() { server_->serve(); }

void InvestigatorServer::stop() {
  {
    std::lock_guard<std::mutex> lock(watch_mutex_);
    stopping_ = true;
  }
  watch_wake_.notify_all();
  server_->stop();
}

std::string InvestigatorServer::serving() const {
  std::lock_guard<std::mutex> lock(reload_mutex_);
  return serving_;
}

Status InvestigatorServer::reload(bool force) {
  std::lock_guard<std::mutex> lock(reload_mutex_);
  std::error_code ec;
  const auto tokens_changed = std::filesystem::last_write_time(options_.tokens_path, ec);
  if (force || (!ec && tokens_changed != tokens_loaded_)) {
    auto tokens = TokenStore::load(options_.tokens_path);
    if (tokens.is_ok()) {
      state_->set_tokens(std::make_shared<const TokenStore>(std::move(tokens).value()));
      if (!ec) tokens_loaded_ = tokens_changed;
    } else {
      log_(fmt::format("serve: keeping the tokens loaded before: {}", tokens.status().message()));
    }
  }
  auto current = current_run(options_.runs_dir);
  if (!current.is_ok()) return current.status();
  if (current.value() == serving_ && !force) return Status::ok();
  auto snapshot = RunSnapshot::load(current.value());
  if (!snapshot.is_ok()) {
    return Status(snapshot.status()).with_context("serve: keeping " + serving_);
  }
  state_->set_snapshot(std::move(snapshot).value());
  serving_ = current.value();
  log_(fmt::format("serve: now serving {}", serving_));
  return Status::ok();
}

void InvestigatorServer::watch() {
  std::string last_failure;
  std::unique_lock<std::mutex> lock(watch_mutex_);
  while (!watch_wake_.wait_for(lock, std::chrono::milliseconds(options_.watch_ms), [&] { return stopping_; })) {
    lock.unlock();
    Status s = reload();
    // Say a failure once, not every poll.
    if (!s.is_ok() && s.message() != last_failure) log_(s.message());
    last_failure = s.is_ok() ? "" : s.message();
    lock.lock();
  }
}

}  // namespace sourcetrace::service
