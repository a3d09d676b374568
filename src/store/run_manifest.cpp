// Run manifest: written last, removed first, checked file by file.
#include "sourcetrace/store/run_manifest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sourcetrace/store/engine_stamp.hpp"
#include "sourcetrace/store/run_file.hpp"
#include "sourcetrace/tables/digest.hpp"
#include "sourcetrace/tables/output_file.hpp"

namespace sourcetrace::store {

namespace fs = std::filesystem;

namespace {

Result<ManifestEntry> describe_file(const fs::path& dir, const std::string& name) {
  auto file = tables::digest_file((dir / name).string());
  if (!file.is_ok()) return file.status();
  return ManifestEntry{name, file.value().bytes, file.value().digest.hex()};
}

// The file as it is against its manifest entry: the size first (a stat,
// no read), then the digest.
Status check_entry(const fs::path& dir, const ManifestEntry& expected) {
  const fs::path path = dir / expected.name;
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec) {
    return Status::missing_input(fmt::format("{}: listed in {} but cannot be read: {}; the run is incomplete, "
                                             "rerun `sourcetrace run` into {}",
                                             path.string(), kManifestName, ec.message(), dir.string()));
  }
  auto damaged = [&](const std::string& how) {
    return Status::corrupt(fmt::format("{}: changed or damaged since the run wrote it ({}); it is not read. "
                                       "Restore it from a copy, or rerun `sourcetrace run` into {} to remake it",
                                       path.string(), how, dir.string()));
  };
  if (size != expected.bytes) {
    return damaged(fmt::format("{} bytes, {} says {}", size, kManifestName, expected.bytes));
  }
  auto actual = describe_file(dir, expected.name);
  if (!actual.is_ok()) return actual.status();
  if (actual.value().bytes != expected.bytes || actual.value().digest != expected.digest) {
    return damaged(fmt::format("digest {}, {} says {}", actual.value().digest, kManifestName, expected.digest));
  }
  return Status::ok();
}

}  // namespace

Status write_run_manifest(const std::string& run_dir, const std::vector<std::string>& file_names) {
  nlohmann::json files = nlohmann::json::array();
  for (const std::string& name : file_names) {
    auto entry = describe_file(run_dir, name);
    if (!entry.is_ok()) return entry.status();
    files.push_back({{"name", entry.value().name}, {"bytes", entry.value().bytes}, {"digest", entry.value().digest}});
  }
  const nlohmann::json manifest = {{"complete", true},
                                   {"engine", engine_name()},
                                   {"engine_build", engine_build()},
                                   {"created", utc_now()},
                                   {"files", files}};
  auto out = tables::OutputFile::create((fs::path(run_dir) / kManifestName).string());
  if (!out.is_ok()) return out.status();
  ST_RETURN_IF_ERROR(out.value()->write(manifest.dump(2) + "\n"));
  return out.value()->publish();
}

Status remove_run_manifest(const std::string& run_dir) {
  std::error_code ec;
  fs::remove(fs::path(run_dir) / kManifestName, ec);
  if (ec) return Status::io_error(fmt::format("{}/{}: cannot remove: {}", run_dir, kManifestName, ec.message()));
  return Status::ok();
}

Result<RunManifest> read_run_manifest(const std::string& run_dir) {
  const fs::path path = fs::path(run_dir) / kManifestName;
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::not_found(run_dir + ": not a complete run (no " + kManifestName + ")");
  try {
    const nlohmann::json j = nlohmann::json::parse(in);
    if (!j.value("complete", false)) return Status::corrupt(path.string() + ": does not mark the run complete");
    RunManifest m{j.at("engine").get<std::string>(), j.at("engine_build").get<std::string>(),
                  j.at("created").get<std::string>(), {}};
    for (const auto& f : j.at("files")) {
      m.files.push_back({f.at("name").get<std::string>(), f.at("bytes").get<std::uint64_t>(),
                         f.at("digest").get<std::string>()});
    }
    return m;
  } catch (const nlohmann::json::exception& e) {
    return Status::corrupt(path.string() + ": not a run manifest: " + e.what());
  }
}

Status verify_run(const std::string& run_dir) {
  auto manifest = read_run_manifest(run_dir);
  if (!manifest.is_ok()) return manifest.status();
  for (const ManifestEntry& expected : manifest.value().files) {
    ST_RETURN_IF_ERROR(check_entry(run_dir, expected));
  }
  return Status::ok();
}

Status verify_run_files(const std::string& run_dir, const std::vector<std::string>& names) {
  auto manifest = read_run_manifest(run_dir);
  if (!manifest.is_ok()) return manifest.status();
  for (const std::string& name : names) {
    const auto& files = manifest.value().files;
    const auto entry = std::find_if(files.begin(), files.end(), [&](const ManifestEntry& e) { return e.name == name; });
    if (entry == files.end()) {
      return Status::corrupt(fmt::format("{}/{}: not listed in the run's {}; rerun `sourcetrace run` into {}",
                                         run_dir, name, kManifestName, run_dir));
    }
    ST_RETURN_IF_ERROR(check_entry(run_dir, *entry));
  }
  return Status::ok();
}

namespace {

// The folder holding `path`, its file name, and whether that folder is a
// finished run (it has a manifest).
struct InRun {
  fs::path dir;
  std::string name;
  bool finished = false;
};

InRun in_run(const std::string& path) {
  const fs::path file(path);
  InRun where{file.has_parent_path() ? file.parent_path() : fs::path("."), file.filename().string()};
  std::error_code ec;
  where.finished = fs::exists(where.dir / kManifestName, ec);
  return where;
}

}  // namespace

Status check_against_manifest(const std::string& path) {
  const InRun where = in_run(path);
  if (!where.finished) return Status::ok();
  auto manifest = read_run_manifest(where.dir.string());
  if (!manifest.is_ok()) return manifest.status();
  for (const ManifestEntry& entry : manifest.value().files) {
    if (entry.name == where.name) return check_entry(where.dir, entry);
  }
  return Status::ok();
}

Status retire_manifest_for(const std::string& path) {
  const InRun where = in_run(path);
  if (!where.finished) return Status::ok();
  auto manifest = read_run_manifest(where.dir.string());
  // A manifest that cannot be read marks no finished run: it goes too.
  const bool listed = !manifest.is_ok() ||
                      std::any_of(manifest.value().files.begin(), manifest.value().files.end(),
                                  [&](const ManifestEntry& e) { return e.name == where.name; });
  return listed ? remove_run_manifest(where.dir.string()) : Status::ok();
}

}  // namespace sourcetrace::store
