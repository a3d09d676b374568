// Digest: a 128-bit content fingerprint (XXH3-128), shown as 32 hex digits.
//
// Every stage records the digests of its inputs so that a rerun can tell
// whether its output is still current. Not cryptographic: it detects change,
// not tampering.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "sourcetrace/status.hpp"

namespace sourcetrace::tables {

struct Digest {
  std::uint64_t high = 0, low = 0;
  std::string hex() const;
  bool operator==(const Digest&) const = default;
};

// Incremental digest of a byte stream.
class DigestBuilder {
 public:
  DigestBuilder();
  ~DigestBuilder();
  DigestBuilder(const DigestBuilder&) = delete;
  DigestBuilder& operator=(const DigestBuilder&) = delete;
  void update(std::string_view bytes);
  Digest finish() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

Digest digest_of(std::string_view bytes);

// The digest and size of a file's bytes as stored (no decompression).
struct FileDigest {
  Digest digest;
  std::uint64_t bytes = 0;
};
Result<FileDigest> digest_file(const std::string& path);

}  // namespace sourcetrace::tables
