// SHA-256 through OpenSSL's one-shot EVP digest.
#include "sourcetrace/service/sha256.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace sourcetrace::service {

Result<Sha256> sha256(std::string_view bytes) {
  Sha256 digest{};
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1 ||
      size != digest.size()) {
    return Status::internal("OpenSSL could not compute a SHA-256 digest");
  }
  return digest;
}

std::string to_hex(const Sha256& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(digest.size() * 2, '0');
  for (std::size_t i = 0; i < digest.size(); ++i) {
    hex[2 * i] = kDigits[digest[i] >> 4];
    hex[2 * i + 1] = kDigits[digest[i] & 0x0F];
  }
  return hex;
}

Result<std::string> sha256_hex(std::string_view bytes) {
  auto digest = sha256(bytes);
  if (!digest.is_ok()) return digest.status();
  return to_hex(digest.value());
}

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

bool parse_sha256_hex(std::string_view hex, Sha256& digest) {
  if (hex.size() != digest.size() * 2) return false;
  for (std::size_t i = 0; i < digest.size(); ++i) {
    const int high = hex_value(hex[2 * i]), low = hex_value(hex[2 * i + 1]);
    if (high < 0 || low < 0) return false;
    digest[i] = static_cast<std::uint8_t>(high << 4 | low);
  }
  return true;
}

bool is_sha256_hex(std::string_view hex) {
  Sha256 ignored;
  return parse_sha256_hex(hex, ignored);
}

bool equal_in_constant_time(const Sha256& a, const Sha256& b) {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace sourcetrace::service
