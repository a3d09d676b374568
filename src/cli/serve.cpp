// `sourcetrace serve` and `sourcetrace publish`: the query service over a
// runs folder, and switching which run it serves.
#include <fmt/core.h>
#include <pthread.h>

#include <csignal>
#include <thread>

#include "commands.hpp"
#include "sourcetrace/cli/exit_code.hpp"
#include "sourcetrace/service/investigator_server.hpp"
#include "sourcetrace/store/feedback_journal.hpp"
#include "sourcetrace/service/run_publication.hpp"
#include "sourcetrace/service/web_assets.hpp"

namespace sourcetrace::cli {

namespace {

int run_serve(service::ServerOptions o) {
  // A client that hangs up mid-answer must cost its connection, not the
  // server: writes to it fail with EPIPE instead of killing the process.
  std::signal(SIGPIPE, SIG_IGN);
  // Signals go to one thread (below), never to Thrift's: block them before
  // any thread starts so that every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&signals, s);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto log = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
  auto server = service::InvestigatorServer::create(o, log);
  if (!server.is_ok()) return report_failure(server.status());
  service::InvestigatorServer& s = *server.value();
  fmt::print(stderr, "serve: listening on {}:{}{}, serving {}; audit log {}; feedback journal {}\n", o.bind,
             s.port(), o.tls_cert.empty() ? "" : " (TLS)", s.serving(),
             o.audit_path.empty() ? o.runs_dir + "/audit.jsonl" : o.audit_path,
             o.journal_path.empty() ? o.runs_dir + "/" + store::kFeedbackJournalName : o.journal_path);
  if (s.http_port() >= 0) {
    fmt::print(stderr, "serve: web view at {}://{}:{}/{}\n", o.tls_cert.empty() ? "http" : "https", o.bind,
               s.http_port(), service::web_assets().empty() ? " (built without its pages: the JSON API only)" : "");
  }
  std::fflush(stderr);

  std::thread serving([&s] { s.serve(); });
  for (;;) {
    int received = 0;
    sigwait(&signals, &received);
    if (received == SIGHUP) {
      Status reloaded = s.reload(/*force=*/true);
      log(reloaded.is_ok() ? "serve: reloaded on SIGHUP: serving " + s.serving() : reloaded.message());
      continue;
    }
    log("serve: stopping: finishing the calls in flight");
    s.stop();
    break;
  }
  serving.join();
  log("serve: stopped");
  return kExitOk;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<service::ServerOptions>();
  auto idle_minutes = std::make_shared<int>(30);
  auto session_hours = std::make_shared<int>(12);
  CLI::App* cmd = app.add_subcommand("serve", "Serve the published run to investigators (Apache Thrift)");
  cmd->add_option("RUNS", o->runs_dir, "Runs folder; its `current` link names the run served")->required();
  cmd->add_option("--port", o->port, "TCP port (0: any free one, printed at start)")->required();
  cmd->add_option("--tokens", o->tokens_path, "Tokens file (mode 0600; `sourcetrace token add`)")->required();
  cmd->add_option("--audit", o->audit_path, "Audit log, JSON lines with a hash chain (default RUNS/audit.jsonl)");
  cmd->add_option("--journal", o->journal_path,
                  "Feedback journal: the reports and verdicts written through the service (default RUNS/feedback.jsonl)");
  cmd->add_option("--max-reports", o->limits.max_reports, "Reports in one submit_reports call")->capture_default_str();
  cmd->add_option("--write-rate", o->limits.rows_per_minute,
                  "Rows (reports, verdicts) one token may write per minute; more get RateLimited")
      ->capture_default_str();
  cmd->add_option("--threads", o->connections.threads, "Worker threads running calls (idle connections hold none)")
      ->capture_default_str();
  cmd->add_option("--max-connections", o->connections.max_connections, "Connections open at once, in all")
      ->capture_default_str();
  cmd->add_option("--max-per-peer", o->connections.max_per_peer, "Connections open at once from one address")
      ->capture_default_str();
  cmd->add_option("--http", o->http_port, "Also serve the web view on this TCP port (0: any free one, printed at start)");
  cmd->add_option("--session-idle-minutes", *idle_minutes, "Web view: a session ends after this long without a request")
      ->capture_default_str();
  cmd->add_option("--session-hours", *session_hours, "Web view: a session ends this long after sign-in")
      ->capture_default_str();
  cmd->add_option("--bind", o->bind, "Address to listen on; anything but loopback needs TLS")->capture_default_str();
  cmd->add_option("--tls-cert", o->tls_cert, "TLS certificate (PEM)");
  cmd->add_option("--tls-key", o->tls_key, "TLS private key (PEM)");
  cmd->add_option("--max-frame", o->connections.max_frame_bytes, "Largest request frame in bytes")->capture_default_str();
  cmd->add_option("--deadline-ms", o->limits.deadline_ms, "Per-call deadline")->capture_default_str();
  cmd->add_option("--max-in-flight", o->limits.max_in_flight, "Calls running at once; more get ServerBusy")
      ->capture_default_str();
  cmd->add_option("--max-page", o->limits.query.max_page, "Largest page")->capture_default_str();
  cmd->add_option("--max-hops", o->limits.query.max_hops, "Longest path searched")->capture_default_str();
  cmd->add_option("--idle-timeout-ms", o->connections.idle_ms, "Close a connection silent this long between calls")
      ->capture_default_str();
  cmd->add_option("--first-byte-ms", o->connections.first_byte_ms,
                  "Close a new connection (TLS handshake included) that sends no call this soon")
      ->capture_default_str();
  cmd->add_option("--frame-timeout-ms", o->connections.frame_ms, "Close a connection whose call takes longer to arrive")
      ->capture_default_str();
  cmd->callback([o, idle_minutes, session_hours, &exit_code] {
    o->sessions.idle = std::chrono::minutes(*idle_minutes);
    o->sessions.lifetime = std::chrono::minutes(*session_hours * 60);
    exit_code = run_serve(*o);
  });
}

void add_publish_command(CLI::App& app, int& exit_code) {
  auto run = std::make_shared<std::string>();
  auto runs = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "publish", "Point RUNS/current at a complete run (checked against its manifest); servers switch to it");
  cmd->add_option("RUN_DIR", *run, "A run folder made by `sourcetrace run`")->required();
  cmd->add_option("--to", *runs, "The runs folder a server serves")->required();
  cmd->callback([run, runs, &exit_code] {
    Status s = service::publish_run(*run, *runs);
    if (!s.is_ok()) {
      exit_code = report_failure(s);
      return;
    }
    fmt::print(stderr, "publish: {}/current -> {}\n", *runs, *run);
    exit_code = kExitOk;
  });
}

}  // namespace sourcetrace::cli
