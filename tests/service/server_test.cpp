// The query service end to end: the real `sourcetrace serve` on 127.0.0.1
// (a free port), real runs made by `sourcetrace run`, the generated C++
// client. Every call and typed exception, brand scope through the wire,
// the audit chain, hostile clients (garbage, oversize and truncated frames,
// silence), publication swaps under load, graceful shutdown.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSocket.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <thread>

#include "../support/service_fixture.hpp"
#include "../support/test_env.hpp"
#include "sourcetrace/service/api/Investigator.h"
#include "sourcetrace/service/run_publication.hpp"

using namespace sourcetrace::testing;
namespace api = sourcetrace::service::api;
namespace tt = apache::thrift::transport;


TEST_CASE("service: every call answers, and every typed exception reaches the client", "[service]") {
  Fixture& f = fixture();
  Server server;
  Client c(server.port());
  const std::string& token = f.investigator;
  c->ping(token);

  api::RunInfo info;
  c->run_info(info, token);
  CHECK(info.run == "run2");
  CHECK(info.networks > 0);
  CHECK(info.engine.rfind("sourcetrace ", 0) == 0);

  api::NetworkFilter filter;
  filter.min_risk = 0.2;
  api::NetworkPage page;
  c->list_networks(page, token, filter, 0, 5);
  REQUIRE(!page.networks.empty());
  CHECK(page.total >= static_cast<std::int64_t>(page.networks.size()));
  for (std::size_t i = 1; i < page.networks.size(); ++i) CHECK(page.networks[i - 1].risk >= page.networks[i].risk);

  api::NetworkDetail detail;
  c->network(detail, token, page.networks[0].network);
  CHECK(detail.summary.network == page.networks[0].network);
  REQUIRE(detail.members.size() >= 2);
  CHECK(!detail.targets.empty());

  api::EntityDetail entity;
  c->entity(entity, token, detail.members[0].entity, 0, 10);
  CHECK(entity.network == detail.summary.network);

  api::PathResult paths;
  c->paths(paths, token, detail.members[0].entity, detail.members[1].entity, 6, 4);
  REQUIRE(!paths.paths.empty());
  CHECK(paths.paths[0].steps.front().tail == detail.members[0].entity);
  CHECK(paths.paths[0].steps.back().head == detail.members[1].entity);

  api::TargetPage targets;
  c->targets(targets, token, 0, 10);
  REQUIRE(!targets.targets.empty());
  api::Target first;
  c->target(first, token, targets.targets[0].rank);
  CHECK(first.entity == targets.targets[0].entity);

  CHECK_THROWS_AS(c->ping("not-a-token"), api::Forbidden);
  CHECK_THROWS_AS(c->network(detail, token, "N99999"), api::NotFound);
  api::EntityRef nobody;
  nobody.kind = "seller";
  nobody.id = "S999999";
  CHECK_THROWS_AS(c->entity(entity, token, nobody, 0, 10), api::NotFound);
  try {
    c->list_networks(page, token, filter, 0, 1000000);
    FAIL("a page over the limit was served");
  } catch (const api::BadRequest& e) {
    CHECK(e.parameter == "limit");
    CHECK(e.limit == 1000);
  }
  CHECK_THROWS_AS(c->paths(paths, token, detail.members[0].entity, detail.members[1].entity, 100, 4),
                  api::BadRequest);
  CHECK_THROWS_AS(c->target(first, token, 0), api::NotFound);
}

TEST_CASE("service: a brand token sees only its brand's networks, through every call", "[service]") {
  Fixture& f = fixture();
  Server server;
  Client c(server.port());
  api::NetworkFilter any;
  api::NetworkPage all, mine;
  c->list_networks(all, f.investigator, any, 0, 1000);
  c->list_networks(mine, f.brand_token, any, 0, 1000);
  CHECK(mine.total < all.total);
  std::set<std::string> visible;
  for (const auto& n : mine.networks) {
    CHECK(std::find(n.brands.begin(), n.brands.end(), f.brand) != n.brands.end());
    visible.insert(n.network);
  }
  // A network of another brand: not found, nor its members, nor paths to them.
  const api::NetworkSummary* hidden = nullptr;
  for (const auto& n : all.networks) {
    if (!visible.count(n.network) && n.members >= 2) {
      hidden = &n;
      break;
    }
  }
  REQUIRE(hidden != nullptr);
  api::NetworkDetail detail;
  c->network(detail, f.investigator, hidden->network);
  CHECK_THROWS_AS(c->network(detail, f.brand_token, hidden->network), api::NotFound);
  // Ids are opaque ("N" and 16 hex digits: no position to count by) and
  // the same for every token; a hidden one is refused in the words an id
  // nobody has gets.
  REQUIRE(all.total == static_cast<std::int64_t>(all.networks.size()));
  std::map<std::string, api::NetworkSummary> by_id;
  for (const auto& n : all.networks) {
    CHECK(n.network.size() == 17);
    CHECK(n.network.find_first_not_of("0123456789abcdef", 1) == std::string::npos);
    by_id[n.network] = n;
  }
  CHECK(by_id.size() == all.networks.size());
  for (const auto& n : mine.networks) {
    REQUIRE(by_id.count(n.network) == 1);
    CHECK(by_id[n.network] == n);
  }
  auto refusal = [&](const std::string& id) {
    try {
      api::NetworkDetail d;
      c->network(d, f.brand_token, id);
    } catch (const api::NotFound& e) {
      return e.message;
    }
    return std::string("found");
  };
  CHECK(refusal(hidden->network) == "no network " + hidden->network);
  CHECK(refusal("N0123456789abcdef") == "no network N0123456789abcdef");
  api::EntityDetail entity;
  CHECK_THROWS_AS(c->entity(entity, f.brand_token, detail.members[0].entity, 0, 10), api::NotFound);
  api::PathResult paths;
  CHECK_THROWS_AS(c->paths(paths, f.brand_token, detail.members[0].entity, detail.members[1].entity, 6, 4),
                  api::NotFound);
  // Neighbours and targets of visible networks never name a hidden network's entity.
  std::set<std::string> hidden_entities;
  for (const auto& m : detail.members) hidden_entities.insert(m.entity.kind + ":" + m.entity.id);
  for (const auto& n : mine.networks) {
    api::NetworkDetail d;
    c->network(d, f.brand_token, n.network);
    for (const auto& m : d.members) {
      api::EntityDetail e;
      c->entity(e, f.brand_token, m.entity, 0, 1000);
      for (const auto& nb : e.neighbours) CHECK(!hidden_entities.count(nb.entity.kind + ":" + nb.entity.id));
    }
  }
  api::TargetPage targets;
  c->targets(targets, f.brand_token, 0, 1000);
  for (const auto& t : targets.targets) CHECK(visible.count(t.network));

  // Counts, totals and ranks over what the brand sees, so that it cannot
  // count what it may not: run_info's totals, target ranks 1..k.
  api::RunInfo everyone, brand;
  c->run_info(everyone, f.investigator);
  c->run_info(brand, f.brand_token);
  CHECK(brand.networks == mine.total);
  CHECK(brand.networks < everyone.networks);
  std::int64_t members = 0;
  for (const auto& n : mine.networks) members += n.members;
  CHECK(brand.entities == members);
  REQUIRE(!targets.targets.empty());
  api::TargetPage global;
  c->targets(global, f.investigator, 0, 1000);
  CHECK(targets.total < global.total);
  for (std::size_t i = 0; i < targets.targets.size(); ++i) {
    CHECK(targets.targets[i].rank == static_cast<std::int32_t>(i + 1));
    api::Target one;
    c->target(one, f.brand_token, targets.targets[i].rank);
    CHECK(one.entity == targets.targets[i].entity);
  }
  api::Target past;
  CHECK_THROWS_AS(c->target(past, f.brand_token, static_cast<std::int32_t>(targets.total) + 1), api::NotFound);
  // A visible network's own targets carry the brand's ranks too.
  for (const auto& n : mine.networks) {
    api::NetworkDetail d;
    c->network(d, f.brand_token, n.network);
    for (const auto& t : d.targets) {
      api::Target same;
      c->target(same, f.brand_token, t.rank);
      CHECK(same.entity == t.entity);
    }
  }
}

TEST_CASE("service: every call is audited in a hash chain that detects an edited or deleted line", "[service]") {
  Fixture& f = fixture();
  TempDir keep;
  const std::string audit = keep / "audit.jsonl";
  {
    Server server;
    Client c(server.port());
    c->ping(f.investigator);
    api::NetworkDetail d;
    CHECK_THROWS_AS(c->network(d, f.brand_token, "N99999"), api::NotFound);
    CHECK_THROWS_AS(c->ping("wrong"), api::Forbidden);
    CHECK(server.stop() == 0);
    const std::string log = read_file(server.audit());
    CHECK(log.find("\"token\":\"ines\"") != std::string::npos);
    CHECK(log.find("\"token\":\"acme\"") != std::string::npos);
    CHECK(log.find("NotFound") != std::string::npos);
    CHECK(log.find("Forbidden") != std::string::npos);
    CHECK(log.find(f.investigator) == std::string::npos);  // ids, never secrets
    CHECK(run_sourcetrace({"audit", "verify", server.audit()}).exit_code == 0);
    write_file(audit, log);  // a copy to tamper with
  }
  std::string lines = read_file(audit);
  const auto second = lines.find('\n') + 1;
  std::string edited = lines;
  edited.replace(edited.find("ping", 0), 4, "pong");
  write_file(audit, edited);
  CommandResult e = run_sourcetrace({"audit", "verify", audit});
  CHECK(e.exit_code == 65);
  CHECK(e.err.find(":1:") != std::string::npos);
  write_file(audit, lines.substr(0, second) + lines.substr(lines.find('\n', second) + 1));
  CommandResult d = run_sourcetrace({"audit", "verify", audit});
  CHECK(d.exit_code == 65);
  CHECK(d.err.find(":2:") != std::string::npos);
}

TEST_CASE("service: garbage, oversize and truncated frames and a silent client leave the server serving",
          "[service]") {
  Fixture& f = fixture();
  Server server({"--idle-timeout-ms", "2000", "--max-frame", "65536"});
  const int silent = raw_connect(server.port());  // connects and says nothing
  const int garbage = raw_connect(server.port());
  const std::string junk = "GET / HTTP/1.1\r\nHost: x\r\n\r\n\x01\x02\x03 not thrift at all";
  CHECK(::send(garbage, junk.data(), junk.size(), 0) > 0);
  const int oversize = raw_connect(server.port());
  const unsigned char huge[4] = {0x7f, 0xff, 0xff, 0xff};  // a 2 GiB frame
  CHECK(::send(oversize, huge, 4, 0) == 4);
  const int truncated = raw_connect(server.port());
  const unsigned char partial[6] = {0x00, 0x00, 0x01, 0x00, 0x80, 0x01};  // 256 bytes announced, 2 sent
  CHECK(::send(truncated, partial, 6, 0) == 6);
  ::close(truncated);

  // Others are served meanwhile, and after.
  for (int i = 0; i < 5; ++i) {
    Client c(server.port());
    c->ping(f.investigator);
  }
  // The server closes the garbage and oversize connections.
  char byte = 0;
  CHECK(::recv(garbage, &byte, 1, 0) <= 0);
  CHECK(::recv(oversize, &byte, 1, 0) <= 0);
  // And the silent one once it has been idle too long.
  timeval wait{5, 0};
  ::setsockopt(silent, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  CHECK(::recv(silent, &byte, 1, 0) == 0);
  for (int fd : {silent, garbage, oversize}) ::close(fd);
  Client after(server.port());
  after->ping(f.investigator);
  CHECK(server.stop() == 0);
}

TEST_CASE("service: publishing a new run swaps the snapshot under a querying client without a failed call",
          "[service]") {
  Fixture& f = fixture();
  REQUIRE(run_sourcetrace({"publish", f.dir / "run2", "--to", f.runs}).exit_code == 0);
  Server server;
  std::atomic<bool> stop{false};
  std::atomic<int> calls{0}, failures{0}, on_run3{0};
  std::thread looping([&] {
    Client c(server.port());
    while (!stop) {
      try {
        api::RunInfo info;
        c->run_info(info, f.investigator);
        api::NetworkPage page;
        c->list_networks(page, f.investigator, api::NetworkFilter(), 0, 10);
        if (info.run == "run3") ++on_run3;
      } catch (...) {
        ++failures;
      }
      ++calls;
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  REQUIRE(run_sourcetrace({"publish", f.dir / "run3", "--to", f.runs}).exit_code == 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (on_run3 == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  stop = true;
  looping.join();
  INFO(server.log());
  CHECK(failures == 0);
  CHECK(on_run3 > 0);
  CHECK(calls > on_run3);
  CHECK(server.log().find("now serving") != std::string::npos);
  REQUIRE(run_sourcetrace({"publish", f.dir / "run2", "--to", f.runs}).exit_code == 0);
}

TEST_CASE("service: a served run damaged on disk is refused on reload, and the server keeps what it serves",
          "[service]") {
  Fixture& f = fixture();
  auto current = sourcetrace::service::current_run(f.runs);
  REQUIRE(current.is_ok());
  Server server;
  Client c(server.port());
  api::RunInfo before;
  c->run_info(before, f.investigator);

  // A byte of the published risk.h5 flipped, then a forced reload (SIGHUP).
  const std::string risk = current.value() + "/risk.h5";
  const std::string pristine = read_file(risk);
  std::string damaged = pristine;
  damaged[damaged.size() / 2] = static_cast<char>(damaged[damaged.size() / 2] ^ 0x10);
  write_file(risk, damaged);
  ::kill(server.pid(), SIGHUP);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (server.log().find("changed or damaged") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  write_file(risk, pristine);
  const std::string log = server.log();
  INFO(log);
  // Refused by name, and the run loaded before is still served, whole.
  CHECK(log.find(risk + ": changed or damaged since the run wrote it") != std::string::npos);
  CHECK(log.find("serve: keeping " + current.value()) != std::string::npos);
  api::RunInfo after;
  c->run_info(after, f.investigator);
  CHECK(after.run == before.run);
  CHECK(after.networks == before.networks);
  api::NetworkPage page;
  c->list_networks(page, f.investigator, api::NetworkFilter(), 0, 5);
  CHECK(!page.networks.empty());
  CHECK(server.stop() == 0);
}

TEST_CASE("service: publish only complete runs; serve refuses other addresses without TLS", "[service]") {
  Fixture& f = fixture();
  TempDir tmp;
  fs::create_directories(tmp / "broken");
  fs::copy(f.dir / "run2", tmp / "broken", fs::copy_options::recursive);
  fs::remove(tmp / "broken/manifest.json");
  CommandResult incomplete = run_sourcetrace({"publish", tmp / "broken", "--to", tmp / "runs"});
  CHECK(incomplete.exit_code != 0);
  CHECK(incomplete.err.find("not a complete run") != std::string::npos);
  fs::copy(f.dir / "run2/manifest.json", tmp / "broken/manifest.json");
  write_file(tmp / "broken/targets.csv", "rank,network,kind,id,impact,reason\n");
  CommandResult edited = run_sourcetrace({"publish", tmp / "broken", "--to", tmp / "runs"});
  CHECK(edited.exit_code == 65);
  CHECK(edited.err.find("changed since the run completed") != std::string::npos);

  CommandResult open = run_sourcetrace({"serve", f.runs, "--port", "0", "--tokens", f.tokens, "--bind", "0.0.0.0"});
  CHECK(open.exit_code == 64);
  CHECK(open.err.find("needs TLS") != std::string::npos);
}

TEST_CASE("service: sourcetrace query prints tables and JSON with the token from the environment", "[service]") {
  Fixture& f = fixture();
  Server server;
  const std::string port = std::to_string(server.port());
  CommandResult no_token = run_sourcetrace({"query", "--port", port, "info"});
  CHECK(no_token.exit_code == 64);
  CHECK(no_token.err.find("SOURCETRACE_TOKEN") != std::string::npos);
  write_file(server.audit() + ".token", f.investigator + "\n");
  CommandResult networks = run_sourcetrace({"query", "--port", port, "--token-file", server.audit() + ".token", "networks", "--json"});
  INFO(networks.err);
  REQUIRE(networks.exit_code == 0);
  const auto j = nlohmann::json::parse(networks.out);
  REQUIRE(!j["networks"].empty());
  const std::string first = j["networks"][0]["network"];
  ::setenv("SOURCETRACE_TOKEN", f.investigator.c_str(), 1);
  CommandResult network = run_sourcetrace({"query", "--port", port, "network", first});
  ::unsetenv("SOURCETRACE_TOKEN");
  CHECK(network.exit_code == 0);
  CHECK(network.out.find("members (") != std::string::npos);
  CommandResult missing = run_sourcetrace({"query", "--port", port, "--token-file", server.audit() + ".token", "network", "N99999"});
  CHECK(missing.exit_code == 66);
  // Changes and alerts: the served run starts a chain, so none of either.
  CommandResult changes = run_sourcetrace({"query", "--port", port, "--token-file", server.audit() + ".token", "changes", "--json"});
  INFO(changes.err);
  REQUIRE(changes.exit_code == 0);
  const auto c = nlohmann::json::parse(changes.out);
  CHECK(c["changes"].empty());
  CHECK(c["total"] == 0);
  CHECK(c["previous_run"] == "");
  CommandResult alerts = run_sourcetrace({"query", "--port", port, "--token-file", server.audit() + ".token", "alerts"});
  REQUIRE(alerts.exit_code == 0);
  CHECK(alerts.out.find("(0 of 0 alerts from 0)") != std::string::npos);
}

TEST_CASE("service: a call past its deadline is answered ServerBusy; SIGHUP reloads the tokens", "[service]") {
  Fixture& f = fixture();
  TempDir tmp;
  // Its own tokens file, to add a token while the server runs.
  fs::copy_file(f.tokens, tmp / "tokens");
  fs::permissions(tmp / "tokens", fs::perms::owner_read | fs::perms::owner_write);
  Server server({"--deadline-ms", "0", "--tokens", tmp / "tokens"});
  Client c(server.port());
  api::NetworkPage page;
  c->list_networks(page, f.investigator, api::NetworkFilter(), 0, 2);
  api::NetworkDetail d;
  c->network(d, f.investigator, page.networks[0].network);
  api::PathResult paths;
  CHECK_THROWS_AS(c->paths(paths, f.investigator, d.members[0].entity, d.members[1].entity, 6, 4), api::ServerBusy);

  CommandResult added = run_sourcetrace({"token", "add", tmp / "tokens", "--id", "late", "--role", "investigator"});
  REQUIRE(added.exit_code == 0);
  const std::string late = Fixture::trim(added.out);
  ::kill(server.pid(), SIGHUP);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  bool accepted = false;
  while (!accepted && std::chrono::steady_clock::now() < deadline) {
    try {
      c->ping(late);
      accepted = true;
    } catch (const api::Forbidden&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  CHECK(accepted);
  CHECK(server.stop() == 0);
}

TEST_CASE("service: TLS: a server on another address with a certificate, and a client that trusts it", "[service]") {
  Fixture& f = fixture();
  TempDir tmp;
  const std::string key = tmp / "key.pem", cert = tmp / "cert.pem";
  CommandResult made = run_program({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                                    "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
                                    "subjectAltName=IP:127.0.0.1"});
  INFO(made.err);
  REQUIRE(made.exit_code == 0);
  // Bound to every address (not only loopback): allowed, with TLS.
  std::vector<std::string> argv = {SOURCETRACE_BINARY, "serve", f.runs, "--port", "0", "--tokens", f.tokens,
                                   "--bind", "0.0.0.0", "--tls-cert", cert, "--tls-key", key,
                                   "--audit", tmp / "audit.jsonl"};
  pid_t pid = start_program(argv, tmp / "out", tmp / "err");
  REQUIRE(pid > 0);
  int port = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (port == 0 && std::chrono::steady_clock::now() < deadline) {
    const std::string err = read_file(tmp / "err");
    const auto at = err.find("listening on 0.0.0.0:");
    if (at != std::string::npos && err.find(' ', at + 21) != std::string::npos) {
      port = std::stoi(err.substr(at + 21));
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  INFO(read_file(tmp / "err"));
  REQUIRE(port > 0);
  write_file(tmp / "token", f.investigator + "\n");
  CommandResult tls = run_sourcetrace({"query", "--port", std::to_string(port), "--token-file", tmp / "token",
                                       "--tls-ca", cert, "info", "--json"});
  CHECK(tls.exit_code == 0);
  CHECK(tls.out.find("\"run\"") != std::string::npos);
  CommandResult plain = run_sourcetrace({"query", "--port", std::to_string(port), "--token-file", tmp / "token", "info"});
  CHECK(plain.exit_code != 0);  // no TLS: no answer
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
}

namespace {

// The server's peak resident memory (VmHWM), in MiB: a bound on it proves
// that an allocation did not happen.
double peak_rss_mib(pid_t pid) {
  const std::string status = read_file("/proc/" + std::to_string(pid) + "/status");
  const auto at = status.find("VmHWM:");
  REQUIRE(at != std::string::npos);
  return std::stod(status.substr(at + 6)) / 1024.0;
}

// Big-endian bytes of a 32-bit value, as Thrift's binary protocol writes them.
std::string be32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

// Sends one frame and waits for the server to close the connection
// (recv() == 0) or to answer (> 0); -1 when it did neither in 10 s.
int send_frame_and_wait(int port, const std::string& message) {
  const int fd = raw_connect(port);
  const std::string frame = be32(static_cast<std::uint32_t>(message.size())) + message;
  CHECK(::send(fd, frame.data(), frame.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(frame.size()));
  timeval wait{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  char byte = 0;
  const ssize_t got = ::recv(fd, &byte, 1, 0);
  ::close(fd);
  return static_cast<int>(got);
}

}  // namespace

TEST_CASE("service: a size claimed inside a small frame allocates nothing: 1 GiB claims are refused", "[service]") {
  Fixture& f = fixture();
  Server server;
  {
    Client warm(server.port());  // the snapshot is loaded and a call has run
    warm->ping(f.investigator);
  }
  const double before = peak_rss_mib(server.pid());
  const std::uint32_t gib = 1u << 30;
  const std::string call = be32(0x80010001);  // strict binary protocol, a call
  const std::string ping = call + be32(4) + "ping" + be32(1);
  // The message name claims 1 GiB.
  const std::string name_claim = call + be32(gib) + "ping";
  // The token (field 1, a string) claims 1 GiB.
  const std::string token_claim = ping + std::string{11, 0, 1} + be32(gib) + "abc";
  // An unknown field, a list of 1 Gi strings, that the server must skip.
  const std::string list_claim = ping + std::string{15, 0, 99} + std::string{11} + be32(gib) + be32(3) + "abc";
  // A map of 1 Gi entries.
  const std::string map_claim = ping + std::string{13, 0, 98} + std::string{11, 11} + be32(gib) + be32(1) + "a";
  for (const std::string* claim : {&name_claim, &token_claim, &list_claim, &map_claim}) {
    for (int i = 0; i < 4; ++i) CHECK(send_frame_and_wait(server.port(), *claim) == 0);  // closed, no answer
  }
  const double after = peak_rss_mib(server.pid());
  INFO("peak RSS " << before << " MiB before the claims, " << after << " after");
  CHECK(after - before < 100);
  Client c(server.port());
  c->ping(f.investigator);
  CHECK(server.stop() == 0);
}

TEST_CASE("service: a real caller is answered while 500 idle sockets are open from ten other addresses",
          "[service]") {
  Fixture& f = fixture();
  // Deadlines long enough that the silent sockets are all still open at the end.
  Server server({"--threads", "4", "--first-byte-ms", "120000", "--idle-timeout-ms", "120000"});
  std::vector<int> idle;
  for (int peer = 2; peer <= 11; ++peer) {
    const std::string source = "127.0.0." + std::to_string(peer);
    for (int i = 0; i < 50; ++i) idle.push_back(raw_connect(server.port(), source.c_str()));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // all accepted, all silent
  // Each call would wait out the 30 s idle timeout if a silent socket held
  // a thread; the client gives up after 20 s.
  for (int i = 0; i < 10; ++i) {
    Client c(server.port());
    c->ping(f.investigator);
    api::NetworkPage page;
    c->list_networks(page, f.investigator, api::NetworkFilter(), 0, 5);
    CHECK(!page.networks.empty());
  }
  int open = 0;
  for (int fd : idle) open += still_open(fd) ? 1 : 0;
  CHECK(open == 500);  // none refused: 50 from each address is under the per-peer cap
  for (int fd : idle) ::close(fd);
  CHECK(server.stop() == 0);
}

TEST_CASE("service: one address holds at most --max-per-peer connections; a dripping frame is cut off",
          "[service]") {
  Fixture& f = fixture();
  Server server({"--max-per-peer", "8", "--frame-timeout-ms", "1000"});
  std::vector<int> mine;
  for (int i = 0; i < 12; ++i) mine.push_back(raw_connect(server.port(), "127.0.0.12"));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the server has accepted or refused each
  int open = 0;
  for (int fd : mine) open += still_open(fd) ? 1 : 0;
  CHECK(open == 8);
  for (int fd : mine) ::close(fd);

  // A frame of 64 bytes sent one byte at a time, 100 ms apart: the server
  // closes it at the frame deadline, long before the frame is whole.
  const int drip = raw_connect(server.port());
  const std::string header = be32(64);
  CHECK(::send(drip, header.data(), 4, MSG_NOSIGNAL) == 4);
  bool closed = false;
  for (int i = 0; i < 60 && !closed; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    closed = !still_open(drip) || ::send(drip, "x", 1, MSG_NOSIGNAL) < 0;
  }
  CHECK(closed);
  ::close(drip);
  Client c(server.port());  // others are served all along
  c->ping(f.investigator);
  CHECK(server.stop() == 0);
}

TEST_CASE("service: TLS clients stalled mid-handshake do not stop other callers", "[service]") {
  Fixture& f = fixture();
  TempDir tmp;
  const std::string key = tmp / "key.pem", cert = tmp / "cert.pem";
  CommandResult made = run_program({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                                    "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
                                    "subjectAltName=IP:127.0.0.1"});
  REQUIRE(made.exit_code == 0);
  Server server({"--bind", "0.0.0.0", "--tls-cert", cert, "--tls-key", key, "--threads", "2"});
  // 100 clients begin a TLS record (a ClientHello's header) and stop there.
  std::vector<int> stalled;
  const std::string hello_start = {0x16, 0x03, 0x01, 0x02, 0x00};
  for (int i = 0; i < 100; ++i) {
    const std::string source = "127.0.1." + std::to_string(1 + i / 50);
    stalled.push_back(raw_connect(server.port(), source.c_str()));
    CHECK(::send(stalled.back(), hello_start.data(), hello_start.size(), MSG_NOSIGNAL) == 5);
  }
  write_file(tmp / "token", f.investigator + "\n");
  for (int i = 0; i < 3; ++i) {
    CommandResult tls = run_sourcetrace({"query", "--port", std::to_string(server.port()), "--token-file",
                                         tmp / "token", "--tls-ca", cert, "info", "--json"});
    INFO(tls.err);
    CHECK(tls.exit_code == 0);
  }
  for (int fd : stalled) ::close(fd);
  CHECK(server.stop() == 0);
}
