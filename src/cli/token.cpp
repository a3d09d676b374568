// `sourcetrace token add|revoke|list`: manages the query service's tokens
// file (service/token_store.hpp). A secret is printed once, by `add`, and
// stored nowhere.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "sourcetrace/cli/exit_code.hpp"
#include "sourcetrace/service/token_store.hpp"

namespace sourcetrace::cli {

namespace {

using service::TokenStore;

struct TokenOptions {
  std::string file;
  std::string id;
  std::string role;
  std::vector<std::string> brands;
};

// add and revoke read, change and rewrite the file. Two at once in the same
// folder would lose one change (the last rename wins), so they take turns on
// an exclusive flock of the folder: no lock file is left behind.
class FolderLock {
 public:
  explicit FolderLock(const std::string& file) {
    std::string dir = std::filesystem::path(file).parent_path().string();
    fd_ = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd_ < 0) {
      status_ = Status::cannot_create(fmt::format("{}: cannot open its folder: {}", file, std::strerror(errno)));
    } else if (::flock(fd_, LOCK_EX) != 0) {
      status_ = Status::io_error(fmt::format("{}: cannot lock its folder: {}", file, std::strerror(errno)));
    }
  }
  ~FolderLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;
  const Status& status() const { return status_; }

 private:
  int fd_ = -1;
  Status status_;
};

// The file's tokens; none when `may_be_missing` and there is no file yet.
Result<TokenStore> load(const std::string& file, bool may_be_missing) {
  auto store = TokenStore::load(file);
  if (!store.is_ok() && may_be_missing && store.status().code() == Status::Code::kMissingInput) {
    return TokenStore();
  }
  return store;
}

int run_add(const TokenOptions& o) {
  const auto role = service::parse_token_role(o.role);
  if (!role) return report_failure(Status::invalid_argument("--role must be investigator or brand"));
  FolderLock lock(o.file);
  if (!lock.status().is_ok()) return report_failure(lock.status());
  auto store = load(o.file, /*may_be_missing=*/true);
  if (!store.is_ok()) return report_failure(store.status());
  auto secret = store.value().add(o.id, *role, o.brands);
  if (!secret.is_ok()) return report_failure(secret.status().with_context(o.file));
  if (Status s = store.value().save(o.file); !s.is_ok()) return report_failure(s);
  // The secret alone on stdout, so that a script can capture it.
  fmt::print("{}\n", secret.value());
  std::fflush(stdout);
  fmt::print(stderr,
             "sourcetrace: token \"{}\" ({}) added to {}. The secret above is shown once and "
             "stored nowhere (the file keeps its SHA-256): hand it over now.\n",
             o.id, o.role, o.file);
  return kExitOk;
}

int run_revoke(const TokenOptions& o) {
  FolderLock lock(o.file);
  if (!lock.status().is_ok()) return report_failure(lock.status());
  auto store = load(o.file, /*may_be_missing=*/false);
  if (!store.is_ok()) return report_failure(store.status());
  const service::TokenRecord* record = store.value().find(o.id);
  const bool was_revoked = record != nullptr && record->revoked;
  if (Status s = store.value().revoke(o.id); !s.is_ok()) {
    // An unknown id is a bad parameter (64), not a missing input file.
    return report_failure(Status::invalid_argument(o.file + ": " + s.message()));
  }
  if (Status s = store.value().save(o.file); !s.is_ok()) return report_failure(s);
  fmt::print(stderr, "sourcetrace: token \"{}\" {}\n", o.id,
             was_revoked ? "was already revoked" : "revoked: it no longer authenticates");
  return kExitOk;
}

int run_list(const TokenOptions& o) {
  auto store = load(o.file, /*may_be_missing=*/false);
  if (!store.is_ok()) return report_failure(store.status());
  std::size_t id_width = 2;
  for (const auto& r : store.value().records()) id_width = std::max(id_width, r.id.size());
  fmt::print("{:<{}}  {:<12}  {:<20}  {:<7}  {}\n", "id", id_width, "role", "created", "status", "brands");
  for (const auto& r : store.value().records()) {
    fmt::print("{:<{}}  {:<12}  {:<20}  {:<7}  {}\n", r.id, id_width, service::token_role_name(r.role),
               r.created, r.revoked ? "revoked" : "active",
               r.brands.empty() ? std::string("-") : fmt::format("{}", fmt::join(r.brands, ";")));
  }
  return kExitOk;
}

}  // namespace

void add_token_command(CLI::App& app, int& exit_code) {
  CLI::App* token = app.add_subcommand("token", "Manage the query service's tokens file (add, revoke, list)");
  token->require_subcommand(1);

  auto add = std::make_shared<TokenOptions>();
  CLI::App* a = token->add_subcommand(
      "add", "Add a token and print its secret once (creates FILE, mode 0600, if missing)");
  a->add_option("FILE", add->file, "The tokens file")->required();
  a->add_option("--id", add->id, "The token's name, as the audit log shows it")->required();
  a->add_option("--role", add->role, "investigator (sees every network) or brand (its brands' networks)")
      ->required()
      ->check(CLI::IsMember({"investigator", "brand"}));
  a->add_option("--brand", add->brands, "A brand the token may see (repeat for more; brand role only)")
      ->allow_extra_args(false);
  a->callback([add, &exit_code] { exit_code = run_add(*add); });

  auto revoke = std::make_shared<TokenOptions>();
  CLI::App* r = token->add_subcommand("revoke", "Revoke a token: it never authenticates again");
  r->add_option("FILE", revoke->file, "The tokens file")->required();
  r->add_option("--id", revoke->id, "The token to revoke")->required();
  r->callback([revoke, &exit_code] { exit_code = run_revoke(*revoke); });

  auto list = std::make_shared<TokenOptions>();
  CLI::App* l = token->add_subcommand("list", "List the tokens (id, role, created, status, brands; never hashes)");
  l->add_option("FILE", list->file, "The tokens file")->required();
  l->callback([list, &exit_code] { exit_code = run_list(*list); });
}

}  // namespace sourcetrace::cli
