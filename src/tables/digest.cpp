// Digest: XXH3-128 through libxxhash.
#include "sourcetrace/tables/digest.hpp"

#include <xxhash.h>

#include <cstdio>
#include <fstream>

namespace sourcetrace::tables {

std::string Digest::hex() const {
  char text[33];
  std::snprintf(text, sizeof text, "%016llx%016llx", static_cast<unsigned long long>(high),
                static_cast<unsigned long long>(low));
  return text;
}

struct DigestBuilder::State {
  XXH3_state_t* xxh = XXH3_createState();
  ~State() { XXH3_freeState(xxh); }
};

DigestBuilder::DigestBuilder() : state_(std::make_unique<State>()) {
  XXH3_128bits_reset(state_->xxh);
}
DigestBuilder::~DigestBuilder() = default;

void DigestBuilder::update(std::string_view bytes) {
  XXH3_128bits_update(state_->xxh, bytes.data(), bytes.size());
}

Digest DigestBuilder::finish() const {
  XXH128_hash_t h = XXH3_128bits_digest(state_->xxh);
  return {h.high64, h.low64};
}

Digest digest_of(std::string_view bytes) {
  XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  return {h.high64, h.low64};
}

Result<FileDigest> digest_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::missing_input(path + ": cannot open");
  DigestBuilder digest;
  FileDigest result;
  std::string block(1 << 20, '\0');
  while (in.read(block.data(), static_cast<std::streamsize>(block.size())) || in.gcount() > 0) {
    const auto got = static_cast<std::size_t>(in.gcount());
    digest.update(std::string_view(block.data(), got));
    result.bytes += got;
  }
  if (in.bad()) return Status::io_error(path + ": read failed");
  result.digest = digest.finish();
  return result;
}

}  // namespace sourcetrace::tables
