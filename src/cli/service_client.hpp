// The command line's side of the query service: how `query` and `report`
// connect (host, port, TLS trusting a CA), where the token comes from
// (SOURCETRACE_TOKEN or --token-file, never the command line, where `ps`
// would show it), and what each typed error of the IDL says to a user.
#pragma once

#include <functional>
#include <string>

#include "sourcetrace/service/api/Investigator.h"
#include "sourcetrace/status.hpp"

namespace CLI {
class App;
}

namespace sourcetrace::cli {

struct ServiceAddress {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string token_file, tls_ca;
};

// --port (required), --host, --token-file, --tls-ca.
void add_service_address_options(CLI::App& cmd, ServiceAddress& address);

// Connects, reads the token and runs `call` with the client; the server's
// typed errors and transport failures become a message and an exit code.
// Returns `call`'s exit code when it returns.
int with_service(const ServiceAddress& address,
                 const std::function<int(service::api::InvestigatorClient& client, const std::string& token)>& call);

}  // namespace sourcetrace::cli
