// Engine stamp: version and build digest of the running executable.
#include "sourcetrace/store/engine_stamp.hpp"

#include "sourcetrace/store/run_manifest.hpp"
#include "sourcetrace/tables/digest.hpp"
#include "sourcetrace/version.hpp"

namespace sourcetrace::store {

std::string engine_name() { return std::string("sourcetrace ") + kEngineVersion; }

const std::string& engine_build() {
  static const std::string build = [] {
    auto file = tables::digest_file("/proc/self/exe");
    return file.is_ok() ? file.value().digest.hex() : std::string("unknown");
  }();
  return build;
}

Status stamp_engine(H5File& file) {
  ST_RETURN_IF_ERROR(file.write_attribute("/", "engine", engine_name()));
  return file.write_attribute("/", "engine_build", engine_build());
}

Result<std::string> read_engine_build(const std::string& path) {
  ST_RETURN_IF_ERROR(check_against_manifest(path));
  auto file = H5File::open(path);
  if (!file.is_ok()) return file.status();
  return file.value().read_string_attribute("/", "engine_build");
}

}  // namespace sourcetrace::store
