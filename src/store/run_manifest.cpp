// Run manifest: written last, removed first, checked file by file.
#include "sourcetrace/store/run_manifest.hpp"

#include <fmt/format.h>

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
    auto actual = describe_file(run_dir, expected.name);
    if (!actual.is_ok()) return actual.status();
    if (actual.value().bytes != expected.bytes || actual.value().digest != expected.digest) {
      return Status::corrupt(fmt::format("{}/{}: changed since the run completed (manifest says {} bytes, digest {})",
                                         run_dir, expected.name, expected.bytes, expected.digest));
    }
  }
  return Status::ok();
}

}  // namespace sourcetrace::store
