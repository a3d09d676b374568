// Stage files of a run (communities.h5, risk.h5, targets.h5; format
// `sourcetrace.run`, docs/run-h5.md).
//
// Each holds one stage's group (`/communities`, `/risk`, `/targets`). Each
// area writes and reads its own group through H5File,
// so store never needs to know a partition or a target list. This header
// owns the file-level part: the root attributes (format, version, engine,
// created) and atomic publication.
#pragma once

#include <functional>
#include <string>

#include "sourcetrace/status.hpp"
#include "sourcetrace/store/h5_file.hpp"

namespace sourcetrace::store {

inline constexpr const char* kRunFormat = "sourcetrace.run";
// 2: checksummed, as graph.h5's version 2 (docs/integrity.md).
inline constexpr std::int64_t kRunFormatVersion = 2;

// Creates `path` under a temporary name, stamps the root attributes, lets
// `fill` write the groups, and renames it into place only if all succeeded.
Status write_run_file(const std::string& path, const std::function<Status(H5File&)>& fill);

// Opens a run file for reading; refuses other formats and versions.
Result<H5File> open_run_file(const std::string& path);

// The current UTC time as ISO-8601, for `created` attributes.
std::string utc_now();
// The same with milliseconds ("2026-12-03T17:20:00.123Z"), for log lines.
std::string utc_now_millis();

}  // namespace sourcetrace::store
