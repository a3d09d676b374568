// TokenStore: who may call the query service, and what each caller may see.
//
// The tokens file holds one JSON object per line:
//
//   {"id":"alice","role":"brand","brands":["B001"],"sha256":"<64 hex>",
//    "created":"2024-05-01T12:00:00Z","revoked":false}
//
// A token's secret is never stored: only the SHA-256 of the whole secret
// ("st_" + 64 hex digits of /dev/urandom). The secret carries 256 random
// bits, so a fast unsalted hash is enough — there is nothing to guess — and
// whoever reads the file cannot call the service. The `id` is what the audit
// log names, so that the log never holds a secret either.
//
// The file is refused unless its mode is exactly 0600: whoever can write it
// can give themselves a token, and whoever can read it learns the ids and
// the brands. Revoked tokens stay in the file (marked), so an id seen in an
// old audit line always means one token and is never handed out again.
//
// Roles: an `investigator` sees every network; a `brand` token only the
// networks whose evidence names one of its brands (at least one).
//
// A loaded TokenStore is a plain value; its const methods are safe from any
// number of threads. add/revoke/save are for `sourcetrace token`, one
// process at a time.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sourcetrace/service/sha256.hpp"
#include "sourcetrace/status.hpp"

namespace sourcetrace::service {

enum class TokenRole { kInvestigator, kBrand };

// "investigator" | "brand".
const char* token_role_name(TokenRole role);
std::optional<TokenRole> parse_token_role(std::string_view name);

// What an authenticated caller may see.
struct TokenGrant {
  std::string id;
  bool investigator = false;
  std::vector<std::string> brands;  // sorted, distinct; empty for an investigator
};

// One line of the tokens file, as `token list` shows it (minus the hash).
struct TokenRecord {
  std::string id;
  TokenRole role = TokenRole::kInvestigator;
  std::vector<std::string> brands;  // sorted, distinct
  Sha256 hash{};                    // SHA-256 of the secret
  std::string created;              // ISO-8601 UTC
  bool revoked = false;
};

class TokenStore {
 public:
  TokenStore() = default;  // no tokens

  // Reads a tokens file. Missing file: kMissingInput. Mode other than 0600:
  // kInvalidInput naming the file, its mode and `chmod 600 FILE`. A bad line:
  // kInvalidInput "file:line: reason". Blank lines are skipped.
  static Result<TokenStore> load(const std::string& path);

  // The caller holding `secret`, unless it is unknown or revoked. Hashes the
  // secret once and compares it with every token's hash in constant time,
  // so the time taken says nothing about which token (if any) is close.
  std::optional<TokenGrant> authenticate(std::string_view secret) const;

  // Adds a token and returns its secret, the only copy there will ever be.
  // Refused: an id already in the file (revoked or not), an id that is not
  // 1–64 characters of [A-Za-z0-9._@-] or is "-" (the audit log's "nobody"),
  // a brand token without brands, an investigator token with brands, a
  // brand that breaks the table contract's identifier rule.
  Result<std::string> add(const std::string& id, TokenRole role, std::vector<std::string> brands);

  // Marks a token revoked; it never authenticates again. Unknown id:
  // kNotFound. Revoking a revoked token is not an error.
  Status revoke(const std::string& id);

  // Writes the file atomically (temporary file beside it, fsync, rename)
  // with mode 0600, set before the first byte is written.
  Status save(const std::string& path) const;

  const std::vector<TokenRecord>& records() const { return records_; }
  const TokenRecord* find(const std::string& id) const;

 private:
  std::vector<TokenRecord> records_;  // in the order they were added
};

}  // namespace sourcetrace::service
