// The query service under test: two complete runs made by `sourcetrace
// run` (one published), tokens for an investigator and a brand, a real
// `sourcetrace serve` on 127.0.0.1 (a free port) with its own audit log
// and feedback journal, and the generated C++ client.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSocket.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "sourcetrace/service/api/Investigator.h"
#include "test_env.hpp"

namespace sourcetrace::testing {

namespace api = sourcetrace::service::api;
namespace tt = apache::thrift::transport;

// Two complete runs of two small markets, tokens for an investigator and
// for one brand, made once for every test case.
struct Fixture {
  TempDir dir;
  std::string runs, tokens, investigator, brand_token, brand;
  Fixture() {
    runs = dir / "runs";
    tokens = dir / "tokens";
    for (const char* seed : {"2", "3"}) {
      const std::string market = dir / (std::string("m") + seed), run = dir / (std::string("run") + seed);
      REQUIRE(run_sourcetrace({"generate", market, "--sellers", "2500", "--seed", seed}).exit_code == 0);
      CommandResult r = run_sourcetrace({"run", market, "--out", run, "--job", source_path("jobs/default.toml")});
      INFO(r.err);
      REQUIRE(r.exit_code == 0);
    }
    REQUIRE(run_sourcetrace({"publish", dir / "run2", "--to", runs}).exit_code == 0);
    CommandResult a = run_sourcetrace({"token", "add", tokens, "--id", "ines", "--role", "investigator"});
    REQUIRE(a.exit_code == 0);
    investigator = trim(a.out);
    // The brand of the most suspect network of run2 that does not name every brand.
    brand = "B001";
    CommandResult b = run_sourcetrace({"token", "add", tokens, "--id", "acme", "--role", "brand", "--brand", brand});
    REQUIRE(b.exit_code == 0);
    brand_token = trim(b.out);
  }
  static std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
  }
};

inline Fixture& fixture() {
  static Fixture f;
  return f;
}

// A running `sourcetrace serve`, stopped with SIGTERM at the end.
class Server {
 public:
  // Serves the fixture's runs folder, or `runs`.
  explicit Server(std::vector<std::string> extra = {}, const std::string& runs = "") {
    Fixture& f = fixture();
    std::vector<std::string> argv = {SOURCETRACE_BINARY, "serve", runs.empty() ? f.runs : runs, "--port", "0",
                                     "--audit", audit()};
    if (std::find(extra.begin(), extra.end(), "--journal") == extra.end()) {
      argv.insert(argv.end(), {"--journal", journal()});
    }
    if (std::find(extra.begin(), extra.end(), "--tokens") == extra.end()) {
      argv.insert(argv.end(), {"--tokens", f.tokens});
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    pid_ = start_program(argv, dir_ / "out", dir_ / "err");
    REQUIRE(pid_ > 0);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (port_ == 0 && std::chrono::steady_clock::now() < deadline) {
      const std::string err = read_file(dir_ / "err");
      const auto at = err.find("listening on ");
      const auto comma = at == std::string::npos ? at : err.find(',', at);
      if (comma != std::string::npos) {
        const std::string address = err.substr(at, comma - at);  // "listening on HOST:PORT" and maybe " (TLS)"
        port_ = std::stoi(address.substr(address.rfind(':') + 1));
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    }
    INFO(read_file(dir_ / "err"));
    REQUIRE(port_ > 0);
    // The web view's port, when asked for (--http): printed on the next line.
    if (std::find(extra.begin(), extra.end(), "--http") != extra.end()) {
      while (http_port_ == 0 && std::chrono::steady_clock::now() < deadline) {
        const std::string err = read_file(dir_ / "err");
        const auto at = err.find("web view at http");
        const auto slash = at == std::string::npos ? at : err.find('/', err.find("://", at) + 3);
        if (slash != std::string::npos) {
          const std::string address = err.substr(at, slash - at);
          http_port_ = std::stoi(address.substr(address.rfind(':') + 1));
        } else {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
      }
      REQUIRE(http_port_ > 0);
    }
  }
  ~Server() { stop(); }
  int stop() {
    if (pid_ <= 0) return exit_code_;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return exit_code_;
  }
  int port() const { return port_; }
  int http_port() const { return http_port_; }  // 0 without --http
  std::string audit() const { return dir_ / "audit.jsonl"; }
  std::string journal() const { return dir_ / "feedback.jsonl"; }
  std::string log() const { return read_file(dir_ / "err"); }
  pid_t pid() const { return pid_; }

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  int http_port_ = 0;
  int exit_code_ = -1;
};

// A raw TCP connection for hostile clients, from `source` (any loopback
// address: 127.0.0.0/8 is all this machine's).
inline int raw_connect(int port, const char* source = nullptr) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (source != nullptr) {
    sockaddr_in from{};
    from.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &from.sin_addr);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0);
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  return fd;
}

// Open: nothing to read yet; closed by the server: end of stream.
inline bool still_open(int fd) {
  char byte = 0;
  return ::recv(fd, &byte, 1, MSG_DONTWAIT) < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

struct Client {
  std::shared_ptr<tt::TSocket> socket;
  std::shared_ptr<tt::TTransport> transport;
  api::InvestigatorClient client;
  explicit Client(int port)
      : socket(std::make_shared<tt::TSocket>("127.0.0.1", port)),
        transport(std::make_shared<tt::TFramedTransport>(socket)),
        client(std::make_shared<apache::thrift::protocol::TBinaryProtocol>(transport)) {
    socket->setRecvTimeout(20000);
    transport->open();
  }
  api::InvestigatorClient* operator->() { return &client; }
};

}  // namespace sourcetrace::testing
