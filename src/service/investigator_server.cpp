// InvestigatorServer: a ConnectionLoop whose frames go to a FrameProcessor
// over the handler, a watcher for publications, reloads that swap state
// whole.
#include "sourcetrace/service/investigator_server.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "sourcetrace/service/run_publication.hpp"

namespace sourcetrace::service {

namespace {

bool is_loopback(const std::string& address) {
  return address == "127.0.0.1" || address == "::1" || address == "localhost";
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
  if (server->options_.journal_path.empty()) {
    server->options_.journal_path = (std::filesystem::path(o.runs_dir) / store::kFeedbackJournalName).string();
  }
  if (o.limits.max_reports < 1 || o.limits.rows_per_minute < o.limits.max_reports || o.limits.max_note_bytes < 0) {
    return Status::invalid_argument("--max-reports must be at least 1 and --write-rate at least --max-reports");
  }
  auto journal = store::FeedbackJournal::open(server->options_.journal_path);
  if (!journal.is_ok()) return journal.status();
  std::error_code ec;
  server->tokens_loaded_ = std::filesystem::last_write_time(o.tokens_path, ec);
  server->state_ = std::make_unique<ServiceState>(std::move(snapshot).value(),
                                                  std::make_shared<const TokenStore>(std::move(tokens).value()),
                                                  std::move(audit).value(), std::move(journal).value(), o.limits);

  auto handler = std::make_shared<InvestigatorHandler>(*server->state_);
  server->processor_ = std::make_unique<FrameProcessor>(handler, o.connections.max_frame_bytes);
  auto loop = ConnectionLoop::listen(o.bind, o.port, TlsCredentials{o.tls_cert, o.tls_key}, o.connections,
                                     [p = server->processor_.get()](std::string_view frame) { return p->process(frame); });
  if (!loop.is_ok()) return loop.status();
  server->loop_ = std::move(loop).value();
  server->port_ = server->loop_->port();
  if (o.http_port >= 0) {
    server->web_ = std::make_unique<WebApp>(*server->state_, o.sessions, tls);
    auto http = ConnectionLoop::listen(
        o.bind, o.http_port, TlsCredentials{o.tls_cert, o.tls_key}, o.connections,
        [w = server->web_.get()](std::string_view request) { return w->process(request); }, Framing::kHttp);
    if (!http.is_ok()) return Status(http.status()).with_context("--http");
    server->http_loop_ = std::move(http).value();
    server->http_port_ = server->http_loop_->port();
  }
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

void InvestigatorServer::serve() {
  std::thread http;
  if (http_loop_) http = std::thread([this] { http_loop_->run(); });
  loop_->run();
  if (http.joinable()) http.join();
}

void InvestigatorServer::stop() {
  {
    std::lock_guard<std::mutex> lock(watch_mutex_);
    stopping_ = true;
  }
  watch_wake_.notify_all();
  loop_->stop();
  if (http_loop_) http_loop_->stop();
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
