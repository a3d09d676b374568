// Edge-list reader: whitespace-separated lines over a ByteSource.
#include "sourcetrace/tables/edge_list_reader.hpp"

#include <fast_float/fast_float.h>
#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <optional>

#include "sourcetrace/tables/byte_source.hpp"
#include "sourcetrace/tables/csv_reader.hpp"
#include "sourcetrace/tables/fields.hpp"

namespace sourcetrace::tables {

namespace {

// Splits on spaces and tabs; returns the number of fields (up to `max`+1).
int split(std::string_view line, std::string_view* out, int max) {
  int count = 0;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    std::size_t begin = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (count <= max) out[count] = line.substr(begin, i - begin);
    ++count;
  }
  return count;
}

}  // namespace

Status read_edge_list(const std::string& path,
                      const std::function<const char*(const EdgeListRow&)>& on_edge,
                      const RejectSink& reject, TableStats& stats, const ByteProgress& progress) {
  stats.name = "edges";
  stats.path = path;
  auto opened = ByteSource::open(path);
  if (!opened.is_ok()) return opened.status();
  ByteSource& source = *opened.value();

  std::string buffer, block;
  std::size_t pos = 0;
  std::uint64_t line_number = 0;
  bool done = false;
  std::optional<bool> weighted;
  std::uint64_t first_edge_line = 0;
  std::uint64_t next_progress = 1 << 16;

  while (true) {
    const char* nl = static_cast<const char*>(std::memchr(buffer.data() + pos, '\n', buffer.size() - pos));
    if (nl == nullptr && !done) {
      buffer.erase(0, pos);
      pos = 0;
      if (!source.next(block)) {
        if (!source.status().is_ok()) return source.status();
        done = true;
      } else {
        buffer.append(block);
      }
      continue;
    }
    if (nl == nullptr && pos >= buffer.size()) break;
    std::size_t end = nl ? static_cast<std::size_t>(nl - buffer.data()) : buffer.size();
    std::string_view line(buffer.data() + pos, end - pos);
    pos = nl ? end + 1 : buffer.size();
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    std::string_view fields[5];
    int count = split(line, fields, 4);
    if (count == 0 || fields[0][0] == '#' || fields[0][0] == '%') continue;

    ++stats.read;
    std::string reason;
    EdgeListRow row{};
    if (!is_valid_utf8(line)) {
      reason = "invalid UTF-8";
    } else if (count < 2 || count > 4) {
      reason = fmt::format("{} fields, expected `u v` or `u v w`", count);
    } else if (const char* bad = check_identifier(fields[0])) {
      reason = fmt::format("first vertex: {}", bad);
    } else if (const char* bad2 = check_identifier(fields[1])) {
      reason = fmt::format("second vertex: {}", bad2);
    } else {
      row.u = fields[0];
      row.v = fields[1];
      row.weighted = count >= 3;
      row.weight = 1.0;
      if (!weighted) {
        weighted = row.weighted;
        first_edge_line = line_number;
      }
      if (*weighted != row.weighted) {
        reason = fmt::format("{} weight, unlike the first edge (line {})",
                             row.weighted ? "has a" : "has no", first_edge_line);
      } else if (row.weighted) {
        auto r = fast_float::from_chars(fields[2].data(), fields[2].data() + fields[2].size(), row.weight);
        if (r.ec != std::errc() || r.ptr != fields[2].data() + fields[2].size() ||
            !std::isfinite(row.weight) || row.weight < 0) {
          reason = fmt::format("weight '{}' is not a non-negative number", fields[2].substr(0, 32));
        } else if (row.weight > kMaxEdgeWeight) {
          reason = fmt::format("weight '{}' is above {:g} (weights are kept as 32-bit floats)",
                               fields[2].substr(0, 32), kMaxEdgeWeight);
        }
      }
      if (reason.empty()) {
        if (const char* refused = on_edge(row)) reason = refused;
      }
    }
    if (reason.empty()) {
      ++stats.accepted;
    } else {
      ++stats.rejected;
      ST_RETURN_IF_ERROR(reject(RowError{"edges", path, line_number, std::move(reason), line}));
    }
    if (progress && stats.read >= next_progress) {
      next_progress += 1 << 16;
      progress(source.file_bytes_read(), source.file_size());
    }
  }
  stats.digest = source.digest();
  stats.content_bytes = source.content_bytes();
  if (progress) progress(source.file_size(), source.file_size());
  return Status::ok();
}

}  // namespace sourcetrace::tables
