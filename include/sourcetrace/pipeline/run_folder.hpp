// Run folder: the one place that names the files of a run and the stages
// that write them (docs/run-h5.md).
//
// `sourcetrace run` writes them, export, eval --explain and the query
// service read them: each asks this type for a path instead of spelling
// the name, so a file renamed or added is renamed or added here.
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace sourcetrace::pipeline {

// The stages of the batch job, in the order they run.
inline constexpr std::array<std::string_view, 6> kStages = {"ingest", "detect", "score", "track", "targets", "export"};

struct RunFolder {
  std::filesystem::path dir;

  std::string file(std::string_view name) const { return (dir / name).string(); }
  std::string graph() const { return file("graph.h5"); }
  std::string communities() const { return file("communities.h5"); }
  std::string risk() const { return file("risk.h5"); }
  std::string lineage() const { return file("lineage.h5"); }
  std::string targets() const { return file("targets.h5"); }
  std::string summary() const { return file("summary.json"); }

  // The stage file `stage` writes ("" for export, which writes the CSVs).
  static std::string_view output_of(std::string_view stage) {
    if (stage == "ingest") return "graph.h5";
    if (stage == "detect") return "communities.h5";
    if (stage == "score") return "risk.h5";
    if (stage == "track") return "lineage.h5";
    if (stage == "targets") return "targets.h5";
    return "";
  }
};

// Why the stage file at `path` must be remade because another engine build
// wrote it (or its build cannot be read), or nullopt: every stage's
// staleness check ends with it.
std::optional<std::string> built_elsewhere(const std::string& path);

}  // namespace sourcetrace::pipeline
