// TokenStore: the tokens file read, checked, searched and rewritten.
#include "sourcetrace/service/token_store.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <set>

#include "sourcetrace/store/run_file.hpp"
#include "sourcetrace/tables/fields.hpp"
#include "sourcetrace/tables/output_file.hpp"

namespace sourcetrace::service {

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr const char* kSecretPrefix = "st_";
constexpr std::size_t kSecretBytes = 32;
constexpr std::size_t kMaxIdBytes = 64;

// Ids go into audit lines and terminal tables: keep them plain.
const char* check_token_id(const std::string& id) {
  if (id.empty()) return "empty token id";
  if (id.size() > kMaxIdBytes) return "token id longer than 64 characters";
  if (id == "-") return "token id \"-\" is reserved (the audit log's unknown caller)";
  for (char c : id) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '.' || c == '_' || c == '@' || c == '-';
    if (!plain) return "token id may hold only letters, digits and . _ @ -";
  }
  return nullptr;
}

// Sorts and deduplicates, and checks the role/brands pairing.
std::string normalise_brands(TokenRole role, std::vector<std::string>& brands) {
  for (const std::string& b : brands) {
    if (const char* why = tables::check_identifier(b)) return fmt::format("brand \"{}\": {}", b, why);
  }
  std::sort(brands.begin(), brands.end());
  brands.erase(std::unique(brands.begin(), brands.end()), brands.end());
  if (role == TokenRole::kBrand && brands.empty()) return "a brand token needs at least one brand";
  if (role == TokenRole::kInvestigator && !brands.empty()) {
    return "an investigator token sees every network: it takes no brands";
  }
  return {};
}

Result<std::string> read_all(int fd, const std::string& path) {
  std::string bytes;
  char buffer[1 << 14];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n == 0) return bytes;
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::io_error(path + ": read failed: " + std::strerror(errno));
    }
    bytes.append(buffer, static_cast<std::size_t>(n));
  }
}

// One line → a record, or the reason it is not one.
std::string parse_record(const std::string& line, TokenRecord& r) {
  const json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return "not a JSON object";
  if (!j.is_object()) return "not a JSON object";
  // A misspelt key ("revokd") must not silently leave a token active.
  static const std::set<std::string> kKeys = {"id", "role", "brands", "sha256", "created", "revoked"};
  for (const auto& [key, value] : j.items()) {
    if (kKeys.count(key) == 0) return fmt::format("unknown key \"{}\"", key);
  }
  for (const std::string& key : kKeys) {
    if (!j.contains(key)) return fmt::format("missing \"{}\"", key);
  }
  if (!j["id"].is_string()) return "\"id\" is not a string";
  r.id = j["id"].get<std::string>();
  if (const char* why = check_token_id(r.id)) return why;
  if (!j["role"].is_string()) return "\"role\" is not a string";
  const auto role = parse_token_role(j["role"].get<std::string>());
  if (!role) return "\"role\" is neither \"investigator\" nor \"brand\"";
  r.role = *role;
  if (!j["brands"].is_array()) return "\"brands\" is not an array";
  r.brands.clear();
  for (const json& b : j["brands"]) {
    if (!b.is_string()) return "\"brands\" holds something other than strings";
    r.brands.push_back(b.get<std::string>());
  }
  if (std::string why = normalise_brands(r.role, r.brands); !why.empty()) return why;
  if (!j["sha256"].is_string() || !parse_sha256_hex(j["sha256"].get<std::string>(), r.hash)) {
    return "\"sha256\" is not 64 lowercase hex digits";
  }
  if (!j["created"].is_string()) return "\"created\" is not a string";
  r.created = j["created"].get<std::string>();
  if (!j["revoked"].is_boolean()) return "\"revoked\" is not true or false";
  r.revoked = j["revoked"].get<bool>();
  return {};
}

Result<std::string> random_secret() {
  unsigned char bytes[kSecretBytes];
  const int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::io_error(std::string("/dev/urandom: ") + std::strerror(errno));
  std::size_t got = 0;
  while (got < sizeof bytes) {
    const ssize_t n = ::read(fd, bytes + got, sizeof bytes - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return Status::io_error("/dev/urandom: short read");
    }
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  Sha256 as_array;
  std::copy(std::begin(bytes), std::end(bytes), as_array.begin());
  std::string secret = kSecretPrefix + to_hex(as_array);
  std::fill(std::begin(bytes), std::end(bytes), 0);
  return secret;
}

Status write_all(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Status::io_error(path + ": write failed: " + std::strerror(errno));
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return Status::ok();
}

}  // namespace

const char* token_role_name(TokenRole role) {
  return role == TokenRole::kInvestigator ? "investigator" : "brand";
}

std::optional<TokenRole> parse_token_role(std::string_view name) {
  if (name == "investigator") return TokenRole::kInvestigator;
  if (name == "brand") return TokenRole::kBrand;
  return std::nullopt;
}

Result<TokenStore> TokenStore::load(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::missing_input(path + ": no such tokens file");
    return Status::io_error(path + ": cannot open: " + std::strerror(errno));
  }
  // The mode of the file we read, not of whatever the name points to later.
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return Status::io_error(path + ": cannot stat: " + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::invalid_input(path + ": not a regular file");
  }
  const unsigned mode = st.st_mode & 07777;
  if (mode != 0600) {
    ::close(fd);
    return Status::invalid_input(fmt::format(
        "{}: mode {:04o}; a tokens file must be readable and writable by its owner alone "
        "(mode 0600): chmod 600 {}",
        path, mode, path));
  }
  auto bytes = read_all(fd, path);
  ::close(fd);
  if (!bytes.is_ok()) return bytes.status();

  TokenStore store;
  std::set<std::string> ids;
  std::size_t line_number = 0, start = 0;
  const std::string& text = bytes.value();
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    TokenRecord r;
    std::string why = parse_record(line, r);
    if (why.empty() && !ids.insert(r.id).second) why = fmt::format("token id \"{}\" appears twice", r.id);
    if (!why.empty()) return Status::invalid_input(fmt::format("{}:{}: {}", path, line_number, why));
    store.records_.push_back(std::move(r));
  }
  return store;
}

std::optional<TokenGrant> TokenStore::authenticate(std::string_view secret) const {
  auto digest = sha256(secret);
  if (!digest.is_ok()) return std::nullopt;  // fail closed
  // No early exit: every hash is compared, whichever one matches.
  const TokenRecord* match = nullptr;
  for (const TokenRecord& r : records_) {
    const bool equal = equal_in_constant_time(r.hash, digest.value());
    if (equal && !r.revoked && match == nullptr) match = &r;
  }
  if (match == nullptr) return std::nullopt;
  return TokenGrant{match->id, match->role == TokenRole::kInvestigator, match->brands};
}

Result<std::string> TokenStore::add(const std::string& id, TokenRole role,
                                    std::vector<std::string> brands) {
  if (const char* why = check_token_id(id)) return Status::invalid_argument(why);
  if (find(id) != nullptr) {
    return Status::invalid_argument(fmt::format(
        "token id \"{}\" is already in the file (ids are never reused, even once revoked)", id));
  }
  if (std::string why = normalise_brands(role, brands); !why.empty()) {
    return Status::invalid_argument(why);
  }
  auto secret = random_secret();
  if (!secret.is_ok()) return secret.status();
  auto hash = sha256(secret.value());
  if (!hash.is_ok()) return hash.status();
  records_.push_back(TokenRecord{id, role, std::move(brands), hash.value(), store::utc_now(), false});
  return secret;
}

Status TokenStore::revoke(const std::string& id) {
  for (TokenRecord& r : records_) {
    if (r.id == id) {
      r.revoked = true;
      return Status::ok();
    }
  }
  return Status::not_found(fmt::format("no token with id \"{}\"", id));
}

const TokenRecord* TokenStore::find(const std::string& id) const {
  for (const TokenRecord& r : records_) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

Status TokenStore::save(const std::string& path) const {
  std::string text;
  for (const TokenRecord& r : records_) {
    ordered_json j;
    j["id"] = r.id;
    j["role"] = token_role_name(r.role);
    j["brands"] = r.brands;
    j["sha256"] = to_hex(r.hash);
    j["created"] = r.created;
    j["revoked"] = r.revoked;
    text += j.dump();
    text += '\n';
  }
  const std::string temp = tables::temporary_path_for(path);
  ::unlink(temp.c_str());  // a leftover of a killed run; O_EXCL below
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return Status::cannot_create(temp + ": cannot create: " + std::strerror(errno));
  // open() applies the umask, which may take bits away but must not leave
  // the file unreadable to its owner; set 0600 exactly before any byte.
  Status status;
  if (::fchmod(fd, 0600) != 0) {
    status = Status::cannot_create(temp + ": chmod 600: " + std::strerror(errno));
  }
  if (status.is_ok()) status = write_all(fd, text, temp);
  if (::close(fd) != 0 && status.is_ok()) {
    status = Status::io_error(temp + ": close failed: " + std::strerror(errno));
  }
  if (status.is_ok()) status = tables::publish_file(temp, path);
  if (!status.is_ok()) ::unlink(temp.c_str());
  return status;
}

}  // namespace sourcetrace::service
