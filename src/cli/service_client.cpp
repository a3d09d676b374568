// Connecting to `sourcetrace serve`, the token, and the typed errors as messages.
#include "service_client.hpp"

#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSSLSocket.h>
#include <thrift/transport/TSocket.h>

#include <csignal>
#include <cstdlib>
#include <fstream>

#include "sourcetrace/cli/exit_code.hpp"

namespace sourcetrace::cli {

namespace {

namespace api = service::api;

Result<std::string> read_token(const ServiceAddress& o) {
  if (!o.token_file.empty()) {
    std::ifstream in(o.token_file);
    if (!in) return Status::missing_input(o.token_file + ": cannot read the token file");
    std::string token;
    std::getline(in, token);
    if (token.empty()) return Status::invalid_input(o.token_file + ": empty token file");
    return token;
  }
  if (const char* env = std::getenv("SOURCETRACE_TOKEN"); env != nullptr && *env != '\0') return std::string(env);
  return Status::invalid_argument("no token: set SOURCETRACE_TOKEN or pass --token-file FILE");
}

}  // namespace

void add_service_address_options(CLI::App& cmd, ServiceAddress& o) {
  cmd.add_option("--port", o.port, "The server's port")->required();
  cmd.add_option("--host", o.host, "The server's address")->capture_default_str();
  cmd.add_option("--token-file", o.token_file, "Read the token from this file (else SOURCETRACE_TOKEN)");
  cmd.add_option("--tls-ca", o.tls_ca, "Connect with TLS, trusting this CA certificate (PEM)");
}

int with_service(const ServiceAddress& o,
                 const std::function<int(api::InvestigatorClient& client, const std::string& token)>& call) {
  std::signal(SIGPIPE, SIG_IGN);  // a server that hangs up is an error to report, not a kill
  auto token = read_token(o);
  if (!token.is_ok()) return report_failure(token.status());
  namespace tt = apache::thrift::transport;
  std::shared_ptr<tt::TSocket> socket;
  std::shared_ptr<tt::TSSLSocketFactory> tls;
  if (!o.tls_ca.empty()) {
    tls = std::make_shared<tt::TSSLSocketFactory>();
    tls->loadTrustedCertificates(o.tls_ca.c_str());
    tls->authenticate(true);
    socket = tls->createSocket(o.host, o.port);
  } else {
    socket = std::make_shared<tt::TSocket>(o.host, o.port);
  }
  auto transport = std::make_shared<tt::TFramedTransport>(socket);
  api::InvestigatorClient client(std::make_shared<apache::thrift::protocol::TBinaryProtocol>(transport));
  try {
    transport->open();
    const int code = call(client, token.value());
    transport->close();
    return code;
  } catch (const api::NotFound& e) {
    return report_failure(Status::not_found("not found: " + e.message));
  } catch (const api::Forbidden& e) {
    return report_failure(Status::invalid_argument("forbidden: " + e.message));
  } catch (const api::BadRequest& e) {
    return report_failure(Status::invalid_argument(
        fmt::format("bad request: {} ({} limit {})", e.message, e.parameter, e.limit)));
  } catch (const api::ServerBusy& e) {
    return report_failure(Status::io_error(fmt::format("server busy: {} (retry after {} ms)", e.message, e.retry_after_ms)));
  } catch (const api::RateLimited& e) {
    return report_failure(Status::io_error(fmt::format("rate limited: {} (retry after {} ms)", e.message, e.retry_after_ms)));
  } catch (const apache::thrift::TException& e) {
    return report_failure(Status::io_error(fmt::format("{}:{}: {}", o.host, o.port, e.what())));
  }
}

}  // namespace sourcetrace::cli
