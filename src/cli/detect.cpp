// `sourcetrace detect`: graph.h5 → communities in run.h5 (and a TSV).
#include <fmt/core.h>
#include <omp.h>

#include <algorithm>
#include <filesystem>
#include <optional>

#include "commands.hpp"
#include "job_file.hpp"
#include "sourcetrace/cli/exit_code.hpp"
#include "sourcetrace/cli/progress.hpp"
#include "sourcetrace/community/community_file.hpp"
#include "sourcetrace/community/leiden.hpp"
#include "sourcetrace/graph/combined_graph.hpp"
#include "sourcetrace/store/graph_file.hpp"
#include "sourcetrace/store/run_file.hpp"
#include "sourcetrace/tables/output_file.hpp"

namespace sourcetrace::cli {

namespace {

struct DetectOptions {
  std::string graph;
  std::string out;
  std::string job;
  std::string partition_out;
  int threads = 0;
  std::optional<std::string> algorithm;
  std::optional<double> resolution;
  std::optional<std::uint64_t> seed;
  bool deterministic = false, no_deterministic = false;
};

// `key<TAB>community` per vertex, in vertex order; key is the edge-list id
// or `kind:id`.
Status write_partition_tsv(const std::string& path, const graph::MarketGraph& g,
                           const community::Partition& p) {
  auto out = tables::OutputFile::create(path);
  if (!out.is_ok()) return out.status();
  std::string buffer;
  const bool plain = g.source_kind != "market";
  for (graph::VertexId v = 0; v < g.num_entities(); ++v) {
    if (!plain) {
      buffer += entity_kind_name(g.kind(v));
      buffer += ':';
    }
    buffer += g.key(v);
    buffer += '\t';
    buffer += std::to_string(p.membership[v]);
    buffer += '\n';
    if (buffer.size() > (1 << 20)) {
      ST_RETURN_IF_ERROR(out.value()->write(buffer));
      buffer.clear();
    }
  }
  ST_RETURN_IF_ERROR(out.value()->write(buffer));
  return out.value()->publish();
}

int run_detect(const DetectOptions& o) {
  auto loaded = load_job(o.job);
  if (!loaded.is_ok()) return report_failure(loaded.status());
  Job job = std::move(loaded).value();
  community::LeidenOptions& leiden = job.detect;
  if (o.algorithm) {
    leiden.method = *o.algorithm == "louvain" ? community::LeidenOptions::Method::kLouvain
                                              : community::LeidenOptions::Method::kLeiden;
  }
  if (o.resolution) leiden.resolution = *o.resolution;
  if (o.seed) leiden.seed = *o.seed;
  if (o.deterministic && o.no_deterministic) {
    return report_failure(Status::invalid_argument("--deterministic and --no-deterministic contradict each other"));
  }
  if (o.deterministic) leiden.deterministic = true;
  if (o.no_deterministic) leiden.deterministic = false;
  if (Status s = community::validate(leiden); !s.is_ok()) return report_failure(s);

  ProgressReporter progress("detect");
  progress.update("reading " + o.graph, 0.0);
  store::GraphProvenance provenance;
  auto graph = store::read_graph_file(o.graph, &provenance);
  if (!graph.is_ok()) return report_failure(graph.status());

  progress.update("combining layers", 0.1);
  graph::Csr combined = graph::combine_layers(graph.value(), job.combine);

  progress.update("leiden", 0.2);
  community::Leiden detector(combined, leiden);
  if (Status s = detector.run(); !s.is_ok()) return report_failure(s);

  progress.update("writing " + o.out, 0.9);
  std::error_code ec;
  auto parent = std::filesystem::path(o.out).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  community::DetectionRecord record{leiden, o.graph, provenance.input_digest, job.digest,
                                    omp_get_max_threads(), detector.hierarchy(), detector.timings()};
  Status written = store::write_run_file(
      o.out, [&](store::H5File& f) { return community::write_communities(f, record); });
  if (!written.is_ok()) return report_failure(written);
  if (!o.partition_out.empty()) {
    Status tsv = write_partition_tsv(o.partition_out, graph.value(), detector.partition());
    if (!tsv.is_ok()) return report_failure(tsv);
  }

  const community::Partition& p = detector.partition();
  std::vector<std::uint64_t> sizes(p.num_communities, 0);
  for (auto c : p.membership) ++sizes[c];
  const std::uint64_t largest = sizes.empty() ? 0 : *std::max_element(sizes.begin(), sizes.end());
  progress.finish(fmt::format(
      "detect: {} communities (largest {}), modularity {:.4f}, {} levels, {} vertices {} edges; "
      "{} in {:.2f} s ({:.2f} s algorithm, {} threads{}) -> {}",
      p.num_communities, largest, detector.modularity(), detector.hierarchy().size(),
      combined.num_vertices(), combined.num_arcs() / 2,
      leiden.method == community::LeidenOptions::Method::kLeiden ? "leiden" : "louvain",
      progress.seconds(), detector.timings().total_seconds, omp_get_max_threads(),
      leiden.deterministic ? ", deterministic" : "", o.out));
  return kExitOk;
}

}  // namespace

void add_detect_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<DetectOptions>();
  CLI::App* cmd = app.add_subcommand("detect", "Find the communities of graph.h5's combined graph");
  cmd->add_option("GRAPH", o->graph, "The graph file (from `sourcetrace ingest`)")->required();
  cmd->add_option("--out", o->out, "The run file to write (atomically)")->required();
  cmd->add_option("--job", o->job, "Job file (default: built-in values, as in jobs/default.toml)");
  cmd->add_option("--threads", o->threads, "Threads (0: all cores)")->capture_default_str();
  cmd->add_option("--algorithm", o->algorithm, "leiden (default) or louvain")
      ->check(CLI::IsMember({"leiden", "louvain"}));
  cmd->add_option("--resolution", o->resolution, "Modularity resolution (default 1)");
  cmd->add_option("--seed", o->seed, "Seed for tie-breaking (default 1)");
  cmd->add_flag("--deterministic", o->deterministic,
                "Same partition for any thread count (the default, unless the job file says otherwise)");
  cmd->add_flag("--no-deterministic", o->no_deterministic,
                "Let threads move vertices as they go: faster, the result varies from run to run");
  cmd->add_option("--partition-out", o->partition_out,
                  "Also write the final partition as TSV: key<TAB>community, one line per vertex");
  cmd->callback([o, &exit_code] {
    set_threads(o->threads);
    exit_code = run_detect(*o);
  });
}

}  // namespace sourcetrace::cli
