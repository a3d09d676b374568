// `/communities` in communities.h5.
#include "sourcetrace/community/community_file.hpp"

#include <fmt/format.h>

#include "sourcetrace/store/run_file.hpp"

namespace sourcetrace::community {

namespace {
const char* method_name(LeidenOptions::Method m) {
  return m == LeidenOptions::Method::kLeiden ? "leiden" : "louvain";
}
}  // namespace

Status write_communities(store::H5File& f, const DetectionRecord& r) {
  const std::string g = "/communities";
  ST_RETURN_IF_ERROR(f.create_group(g));
  const LeidenLevel& final_level = r.hierarchy.back();
  ST_RETURN_IF_ERROR(f.write_array(g + "/membership", final_level.partition.membership));
  std::vector<double> q;
  std::vector<std::uint32_t> counts;
  for (std::size_t i = 0; i < r.hierarchy.size(); ++i) {
    q.push_back(r.hierarchy[i].modularity);
    counts.push_back(r.hierarchy[i].partition.num_communities);
    ST_RETURN_IF_ERROR(f.write_array(fmt::format("{}/levels/{}/membership", g, i),
                                     r.hierarchy[i].partition.membership));
  }
  ST_RETURN_IF_ERROR(f.write_array(g + "/level_modularity", q));
  ST_RETURN_IF_ERROR(f.write_array(g + "/level_communities", counts));

  const LeidenOptions& o = r.options;
  ST_RETURN_IF_ERROR(f.write_attribute(g, "algorithm", std::string_view(method_name(o.method))));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "resolution", o.resolution));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "density", o.density));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "resolution_used", r.resolution_used > 0 ? r.resolution_used : o.resolution));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "seed", static_cast<std::int64_t>(o.seed)));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "deterministic", std::int64_t{o.deterministic}));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "max_levels", std::int64_t{o.max_levels}));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "max_passes", std::int64_t{o.max_passes}));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "tolerance", o.tolerance));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "tolerance_drop", o.tolerance_drop));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "aggregation_tolerance", o.aggregation_tolerance));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "gather_below", static_cast<std::int64_t>(r.gather_below)));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "rounds", std::int64_t{r.rounds}));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "round_levels", std::int64_t{r.round_levels}));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "threads", std::int64_t{r.threads}));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "ranks", std::int64_t{r.ranks}));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "graph_path", r.graph_path));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "graph_digest", r.graph_digest));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "job_digest", r.job_digest));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "modularity", final_level.modularity));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "communities", std::int64_t{final_level.partition.num_communities}));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "levels", static_cast<std::int64_t>(r.hierarchy.size())));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "algorithm_seconds", r.timings.total_seconds));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "move_seconds", r.timings.move_seconds));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "refine_seconds", r.timings.refine_seconds));
  return f.write_attribute(g, "aggregate_seconds", r.timings.aggregate_seconds);
}

Result<DetectionRecord> read_communities(const store::H5File& f) {
  const std::string g = "/communities";
  if (!f.exists(g)) return Status::corrupt(f.path() + ": no /communities group (run `sourcetrace detect`)");
  DetectionRecord r;
  auto levels = f.read_int_attribute(g, "levels");
  auto q = f.read_array<double>(g + "/level_modularity");
  auto counts = f.read_array<std::uint32_t>(g + "/level_communities");
  for (const Status* s : {&levels.status(), &q.status(), &counts.status()}) {
    if (!s->is_ok()) return *s;
  }
  if (q.value().size() != static_cast<std::size_t>(levels.value()) ||
      counts.value().size() != q.value().size()) {
    return Status::corrupt(f.path() + ": /communities level arrays of inconsistent length");
  }
  for (std::int64_t i = 0; i < levels.value(); ++i) {
    auto m = f.read_array<std::uint32_t>(fmt::format("{}/levels/{}/membership", g, i));
    if (!m.is_ok()) return m.status();
    LeidenLevel level;
    level.partition.membership = std::move(m).value();
    level.partition.num_communities = counts.value()[i];
    level.modularity = q.value()[i];
    r.hierarchy.push_back(std::move(level));
  }
  auto text = [&](const char* name) {
    auto a = f.read_string_attribute(g, name);
    return a.is_ok() ? a.value() : std::string();
  };
  r.options.method = text("algorithm") == "louvain" ? LeidenOptions::Method::kLouvain
                                                    : LeidenOptions::Method::kLeiden;
  r.graph_path = text("graph_path");
  r.graph_digest = text("graph_digest");
  r.job_digest = text("job_digest");
  if (auto seed = f.read_int_attribute(g, "seed"); seed.is_ok()) r.options.seed = static_cast<std::uint64_t>(seed.value());
  if (auto det = f.read_int_attribute(g, "deterministic"); det.is_ok()) r.options.deterministic = det.value() != 0;
  if (auto v = f.read_int_attribute(g, "gather_below"); v.is_ok()) r.gather_below = static_cast<std::uint64_t>(v.value());
  if (auto v = f.read_int_attribute(g, "rounds"); v.is_ok()) r.rounds = static_cast<int>(v.value());
  if (auto v = f.read_int_attribute(g, "round_levels"); v.is_ok()) r.round_levels = static_cast<int>(v.value());
  if (auto v = f.read_double_attribute(g, "resolution"); v.is_ok()) r.options.resolution = v.value();
  if (auto v = f.read_double_attribute(g, "density"); v.is_ok()) r.options.density = v.value();
  r.resolution_used = r.options.resolution;
  if (auto v = f.read_double_attribute(g, "resolution_used"); v.is_ok()) r.resolution_used = v.value();
  return r;
}

Result<DetectionRecord> read_communities_file(const std::string& path) {
  auto file = store::open_run_file(path);
  if (!file.is_ok()) return file.status();
  return read_communities(file.value());
}

}  // namespace sourcetrace::community
