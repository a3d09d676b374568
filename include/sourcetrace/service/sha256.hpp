// SHA-256 as lowercase hex: what the tokens file stores instead of a secret
// and what chains the audit log's lines together.
//
// Cryptographic on purpose (OpenSSL's EVP API), unlike tables::Digest, which
// detects change but not tampering. Pure functions, safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "sourcetrace/status.hpp"

namespace sourcetrace::service {

using Sha256 = std::array<std::uint8_t, 32>;

// Fails only when OpenSSL cannot digest at all (no memory): the caller then
// refuses what it was doing rather than trust a made-up digest.
Result<Sha256> sha256(std::string_view bytes);

// 64 lowercase hex digits.
Result<std::string> sha256_hex(std::string_view bytes);
std::string to_hex(const Sha256& digest);

// Parses 64 hex digits (lowercase only: the one spelling we write).
// Returns false, leaving `digest` unspecified, for anything else.
bool parse_sha256_hex(std::string_view hex, Sha256& digest);

// True when 64 lowercase hex digits.
bool is_sha256_hex(std::string_view hex);

// Equality in time independent of where the digests differ.
bool equal_in_constant_time(const Sha256& a, const Sha256& b);

}  // namespace sourcetrace::service
