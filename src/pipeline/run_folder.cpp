// Run folder: the engine-build check every stage's staleness ends with.
#include "sourcetrace/pipeline/run_folder.hpp"

#include "sourcetrace/store/engine_stamp.hpp"

namespace sourcetrace::pipeline {

std::optional<std::string> built_elsewhere(const std::string& path) {
  auto build = store::read_engine_build(path);
  if (!build.is_ok() || build.value() != store::engine_build()) {
    return std::filesystem::path(path).filename().string() + " was written by another engine build";
  }
  return std::nullopt;
}

}  // namespace sourcetrace::pipeline
