// Run publication: verify, then swap the `current` link with one rename.
#include "sourcetrace/service/run_publication.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "sourcetrace/store/run_manifest.hpp"

namespace sourcetrace::service {

namespace fs = std::filesystem;

Status publish_run(const std::string& run_dir, const std::string& runs_dir) {
  std::error_code ec;
  const fs::path run = fs::canonical(run_dir, ec);
  if (ec) return Status::missing_input(fmt::format("{}: no such run folder", run_dir));
  ST_RETURN_IF_ERROR(store::verify_run(run.string()));
  fs::create_directories(runs_dir, ec);
  if (ec) return Status::cannot_create(fmt::format("{}: cannot create folder: {}", runs_dir, ec.message()));
  const fs::path link = fs::path(runs_dir) / kCurrentLink;
  const fs::path temp = fs::path(runs_dir) / fmt::format(".{}.tmp-{}", kCurrentLink, ::getpid());
  fs::remove(temp, ec);
  fs::create_directory_symlink(run, temp, ec);
  if (ec) return Status::cannot_create(fmt::format("{}: cannot create link: {}", temp.string(), ec.message()));
  // rename(2) replaces the old link in one step: a reader sees the old run
  // or the new one, never no link.
  if (std::rename(temp.c_str(), link.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    fs::remove(temp, ec);
    return Status::io_error(fmt::format("{}: cannot switch to {}: {}", link.string(), run.string(), why));
  }
  return Status::ok();
}

Result<std::string> current_run(const std::string& runs_dir) {
  const fs::path link = fs::path(runs_dir) / kCurrentLink;
  std::error_code ec;
  if (!fs::is_symlink(link, ec)) {
    return Status::not_found(fmt::format("{}: no run published (no `{}` link; see `sourcetrace publish`)",
                                         runs_dir, kCurrentLink));
  }
  const fs::path target = fs::canonical(link, ec);
  if (ec) return Status::not_found(fmt::format("{}: names a run folder that is gone: {}", link.string(), ec.message()));
  return target.string();
}

}  // namespace sourcetrace::service
