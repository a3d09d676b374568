// The tokens file: mode 0600 or refused, secrets never stored, round trips
// through add/save/load/authenticate/revoke, and `sourcetrace token` as a
// user runs it.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <string>

#include "../support/test_env.hpp"
#include "sourcetrace/service/token_store.hpp"

using namespace sourcetrace;
using namespace sourcetrace::testing;
using service::TokenRole;
using service::TokenStore;

namespace {

unsigned mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

constexpr const char* kLine =
    R"({"id":"alice","role":"investigator","brands":[],"sha256":")"
    "0000000000000000000000000000000000000000000000000000000000000001"
    R"(","created":"2024-05-01T12:00:00Z","revoked":false})";

}  // namespace

TEST_CASE("service: a tokens file others may read is refused with the chmod hint", "[service]") {
  TempDir tmp;
  const std::string file = tmp / "tokens.jsonl";
  write_file(file, std::string(kLine) + "\n");
  REQUIRE(::chmod(file.c_str(), 0644) == 0);
  auto store = TokenStore::load(file);
  REQUIRE_FALSE(store.is_ok());
  CHECK(store.status().code() == Status::Code::kInvalidInput);
  CHECK_THAT(store.status().message(), Catch::Contains(file) && Catch::Contains("0644") &&
                                           Catch::Contains("chmod 600 " + file));
  REQUIRE(::chmod(file.c_str(), 0400) == 0);  // exactly 0600, not merely private
  CHECK_FALSE(TokenStore::load(file).is_ok());
  REQUIRE(::chmod(file.c_str(), 0600) == 0);
  REQUIRE(TokenStore::load(file).is_ok());
  CHECK(TokenStore::load(file)->records().size() == 1);
  CHECK(TokenStore::load(tmp / "missing.jsonl").status().code() == Status::Code::kMissingInput);
}

TEST_CASE("service: tokens round trip through the file: add, authenticate, revoke", "[service]") {
  TempDir tmp;
  const std::string file = tmp / "tokens.jsonl";
  TokenStore store;
  auto alice = store.add("alice", TokenRole::kInvestigator, {});
  auto acme = store.add("acme", TokenRole::kBrand, {"B002", "B001", "B002"});
  REQUIRE(alice.is_ok());
  REQUIRE(acme.is_ok());
  CHECK(alice.value().rfind("st_", 0) == 0);
  CHECK(alice.value().size() == 3 + 64);
  CHECK(alice.value() != acme.value());
  REQUIRE(store.save(file).is_ok());
  CHECK(mode_of(file) == 0600);

  auto loaded = TokenStore::load(file);
  REQUIRE(loaded.is_ok());
  auto grant = loaded->authenticate(alice.value());
  REQUIRE(grant);
  CHECK(grant->id == "alice");
  CHECK(grant->investigator);
  CHECK(grant->brands.empty());
  grant = loaded->authenticate(acme.value());
  REQUIRE(grant);
  CHECK(grant->id == "acme");
  CHECK_FALSE(grant->investigator);
  CHECK(grant->brands == std::vector<std::string>{"B001", "B002"});
  CHECK_FALSE(loaded->authenticate("st_" + std::string(64, '0')));
  CHECK_FALSE(loaded->authenticate(""));

  REQUIRE(loaded.value().revoke("acme").is_ok());
  REQUIRE(loaded.value().revoke("acme").is_ok());  // again: not an error
  REQUIRE(loaded->save(file).is_ok());
  auto reloaded = TokenStore::load(file);
  REQUIRE(reloaded.is_ok());
  CHECK_FALSE(reloaded->authenticate(acme.value()));
  CHECK(reloaded->authenticate(alice.value()));
  REQUIRE(reloaded->find("acme") != nullptr);
  CHECK(reloaded->find("acme")->revoked);
  CHECK(reloaded->find("acme")->created == loaded->find("acme")->created);
  // A revoked id is never handed out again.
  CHECK(reloaded.value().add("acme", TokenRole::kBrand, {"B001"}).status().code() ==
        Status::Code::kInvalidArgument);
}

TEST_CASE("service: the tokens file never holds a secret", "[service]") {
  TempDir tmp;
  const std::string file = tmp / "tokens.jsonl";
  TokenStore store;
  auto secret = store.add("alice", TokenRole::kInvestigator, {});
  REQUIRE(secret.is_ok());
  REQUIRE(store.save(file).is_ok());
  const std::string bytes = read_file(file);
  CHECK(bytes.find(secret.value()) == std::string::npos);
  CHECK(bytes.find(secret.value().substr(3)) == std::string::npos);  // nor its random part
  CHECK(bytes.find("\"sha256\":\"" + service::sha256_hex(secret.value()).value() + "\"") !=
        std::string::npos);
}

TEST_CASE("service: bad tokens are refused: brand without brands, duplicate or unknown id", "[service]") {
  TokenStore store;
  CHECK(store.add("acme", TokenRole::kBrand, {}).status().code() == Status::Code::kInvalidArgument);
  CHECK_THAT(store.add("acme", TokenRole::kBrand, {}).status().message(), Catch::Contains("brand"));
  CHECK_FALSE(store.add("alice", TokenRole::kInvestigator, {"B001"}).is_ok());
  CHECK_FALSE(store.add("-", TokenRole::kInvestigator, {}).is_ok());
  CHECK_FALSE(store.add("", TokenRole::kInvestigator, {}).is_ok());
  CHECK_FALSE(store.add("with space", TokenRole::kInvestigator, {}).is_ok());
  CHECK(store.records().empty());
  REQUIRE(store.add("alice", TokenRole::kInvestigator, {}).is_ok());
  CHECK_THAT(store.add("alice", TokenRole::kInvestigator, {}).status().message(),
             Catch::Contains("already"));
  CHECK(store.revoke("bob").code() == Status::Code::kNotFound);
  CHECK(store.records().size() == 1);
}

TEST_CASE("service: a bad line in the tokens file is named file:line", "[service]") {
  TempDir tmp;
  const std::string file = tmp / "tokens.jsonl";
  const std::string good = kLine;
  auto refused = [&](const std::string& second_line) {
    write_file(file, good + "\n\n" + second_line + "\n");
    REQUIRE(::chmod(file.c_str(), 0600) == 0);
    auto store = TokenStore::load(file);
    REQUIRE_FALSE(store.is_ok());
    CHECK(store.status().code() == Status::Code::kInvalidInput);
    return store.status().message();
  };
  CHECK_THAT(refused("{not json"), Catch::StartsWith(file + ":3: "));
  CHECK_THAT(refused(good), Catch::Contains(":3: ") && Catch::Contains("twice"));
  std::string misspelt = good;
  misspelt.replace(misspelt.find("\"revoked\""), 9, "\"revokd\"");
  CHECK_THAT(refused(misspelt), Catch::Contains("unknown key \"revokd\""));
  std::string brand = good;
  brand.replace(brand.find("\"alice\""), 7, "\"acme\"");
  brand.replace(brand.find("investigator"), 12, "brand");
  CHECK_THAT(refused(brand), Catch::Contains(":3: a brand token needs at least one brand"));
  std::string short_hash = good;
  short_hash.replace(short_hash.find("0000"), 4, "");
  short_hash.replace(short_hash.find("\"alice\""), 7, "\"bob\"");
  CHECK_THAT(refused(short_hash), Catch::Contains(":3: \"sha256\""));
}

TEST_CASE("service: save makes the file 0600 whatever the umask", "[service]") {
  TempDir tmp;
  const std::string file = tmp / "tokens.jsonl";
  TokenStore store;
  REQUIRE(store.add("alice", TokenRole::kInvestigator, {}).is_ok());
  const mode_t old = ::umask(0277);  // would leave a new file 0400
  Status saved = store.save(file);
  ::umask(old);
  REQUIRE(saved.is_ok());
  CHECK(mode_of(file) == 0600);
  write_file(file, "");  // replacing a 0644 file leaves 0600 too
  REQUIRE(::chmod(file.c_str(), 0644) == 0);
  REQUIRE(store.save(file).is_ok());
  CHECK(mode_of(file) == 0600);
  CHECK(TokenStore::load(file).is_ok());
}

TEST_CASE("service: sourcetrace token add, list and revoke", "[service][cli]") {
  TempDir tmp;
  const std::string file = tmp / "tokens.jsonl";
  CommandResult added = run_sourcetrace({"token", "add", file, "--id", "acme", "--role", "brand",
                                         "--brand", "B001", "--brand", "B003"});
  INFO(added.err);
  REQUIRE(added.exit_code == 0);
  CHECK(mode_of(file) == 0600);
  const std::string secret = added.out.substr(0, added.out.find('\n'));
  CHECK(added.out == secret + "\n");
  CHECK(secret.rfind("st_", 0) == 0);
  CHECK_THAT(added.err, Catch::Contains("stored nowhere"));
  CHECK(read_file(file).find(secret) == std::string::npos);

  REQUIRE(run_sourcetrace({"token", "add", file, "--id", "alice", "--role", "investigator"}).exit_code == 0);
  CommandResult again = run_sourcetrace({"token", "add", file, "--id", "alice", "--role", "investigator"});
  CHECK(again.exit_code == 64);
  CHECK_THAT(again.err, Catch::Contains("already"));
  CHECK(run_sourcetrace({"token", "add", file, "--id", "bob", "--role", "brand"}).exit_code == 64);
  CHECK(run_sourcetrace({"token", "add", file, "--id", "bob", "--role", "boss"}).exit_code == 64);

  CommandResult listed = run_sourcetrace({"token", "list", file});
  REQUIRE(listed.exit_code == 0);
  CHECK_THAT(listed.out, Catch::Contains("acme") && Catch::Contains("B001;B003") &&
                             Catch::Contains("alice") && Catch::Contains("investigator") &&
                             Catch::Contains("active"));
  CHECK(listed.out.find(service::sha256_hex(secret).value()) == std::string::npos);
  CHECK(TokenStore::load(file)->authenticate(secret));

  REQUIRE(run_sourcetrace({"token", "revoke", file, "--id", "acme"}).exit_code == 0);
  CHECK_FALSE(TokenStore::load(file)->authenticate(secret));
  CHECK_THAT(run_sourcetrace({"token", "list", file}).out, Catch::Contains("revoked"));
  CHECK(run_sourcetrace({"token", "revoke", file, "--id", "nobody"}).exit_code == 64);
  CHECK(run_sourcetrace({"token", "list", tmp / "missing.jsonl"}).exit_code == 66);

  REQUIRE(::chmod(file.c_str(), 0640) == 0);
  CommandResult loose = run_sourcetrace({"token", "list", file});
  CHECK(loose.exit_code == 65);
  CHECK_THAT(loose.err, Catch::Contains("chmod 600 " + file));
}
