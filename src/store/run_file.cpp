// A run's stage files: root attributes and atomic publication.
#include "sourcetrace/store/run_file.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <ctime>

#include "sourcetrace/tables/output_file.hpp"
#include "sourcetrace/store/engine_stamp.hpp"
#include "sourcetrace/store/run_manifest.hpp"

namespace sourcetrace::store {

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

std::string utc_now_millis() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03}Z", text, millis);
}

Status write_run_file(const std::string& path, const std::function<Status(H5File&)>& fill) {
  const std::string temp = tables::temporary_path_for(path);
  Status status;
  {
    auto file = H5File::create(temp);
    if (!file.is_ok()) return file.status().with_context("cannot write " + path);
    H5File& f = file.value();
    status = f.write_attribute("/", "format", std::string_view(kRunFormat));
    if (status.is_ok()) status = f.write_attribute("/", "version", kRunFormatVersion);
    if (status.is_ok()) status = stamp_engine(f);
    if (status.is_ok()) status = f.write_attribute("/", "created", utc_now());
    if (status.is_ok()) status = fill(f);
    if (status.is_ok()) status = f.close();
  }
  if (status.is_ok()) status = retire_manifest_for(path);
  if (status.is_ok()) status = tables::publish_file(temp, path);
  if (!status.is_ok()) std::remove(temp.c_str());
  return status;
}

Result<H5File> open_run_file(const std::string& path) {
  ST_RETURN_IF_ERROR(check_against_manifest(path));
  auto file = H5File::open(path);
  if (!file.is_ok()) return file.status();
  auto format = file.value().read_string_attribute("/", "format");
  if (!format.is_ok() && format.status().code() == Status::Code::kCorrupt) return format.status();
  if (!format.is_ok() || format.value() != kRunFormat) {
    return Status::corrupt(path + ": not a sourcetrace run file (made by `sourcetrace detect`)");
  }
  auto version = file.value().read_int_attribute("/", "version");
  if (!version.is_ok() || version.value() != kRunFormatVersion) {
    return Status::corrupt(fmt::format("{}: run format version {} is not supported (this engine reads {})",
                                       path, version.is_ok() ? version.value() : -1, kRunFormatVersion));
  }
  return file;
}

}  // namespace sourcetrace::store
