// `sourcetrace detect`: graph.h5 → communities.h5 (and a TSV).
//
// Started as more than one MPI rank (mpirun, srun), it runs distributed:
// each rank reads its share of graph.h5 (dist/graph_slice.hpp), the ranks
// detect together (dist/distributed_leiden.hpp) and rank 0 writes the same
// outputs a single process writes.
#include <fmt/core.h>
#include <omp.h>

#include <algorithm>
#include <filesystem>
#include <optional>

#include "commands.hpp"
#include "sourcetrace/pipeline/job.hpp"
#include "sourcetrace/cli/exit_code.hpp"
#include "sourcetrace/cli/progress.hpp"
#include "sourcetrace/community/community_file.hpp"
#include "sourcetrace/community/leiden.hpp"
#include "sourcetrace/community/round_leiden.hpp"
#include "sourcetrace/dist/distributed_leiden.hpp"
#include "sourcetrace/dist/graph_slice.hpp"
#include "sourcetrace/dist/mpi_session.hpp"
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
  std::optional<double> resolution, density;
  std::optional<std::uint64_t> seed;
  bool deterministic = false, no_deterministic = false;
  // Override the job's [detect] gather_below and rounds.
  std::optional<std::uint64_t> gather_below;
  std::optional<int> rounds;
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

// Writes communities.h5 (atomically) and the TSV when asked.
Status write_outputs(const DetectOptions& o, const community::DetectionRecord& record,
                     const graph::MarketGraph& entities) {
  std::error_code ec;
  auto parent = std::filesystem::path(o.out).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  ST_RETURN_IF_ERROR(store::write_run_file(
      o.out, [&](store::H5File& f) { return community::write_communities(f, record); }));
  if (o.partition_out.empty()) return Status::ok();
  return write_partition_tsv(o.partition_out, entities, record.hierarchy.back().partition);
}

std::string describe(const community::DetectionRecord& r) {
  const community::Partition& p = r.hierarchy.back().partition;
  std::vector<std::uint64_t> sizes(p.num_communities, 0);
  for (auto c : p.membership) ++sizes[c];
  const std::uint64_t largest = sizes.empty() ? 0 : *std::max_element(sizes.begin(), sizes.end());
  return fmt::format("{} communities (largest {}), modularity {:.4f}, {} levels", p.num_communities, largest,
                     r.hierarchy.back().modularity, r.hierarchy.size());
}

const char* method_word(const community::LeidenOptions& o) {
  return o.method == community::LeidenOptions::Method::kLeiden ? "leiden" : "louvain";
}

int detect_on_one_node(const DetectOptions& o, pipeline::Job& job) {
  const community::LeidenOptions& leiden = job.detect;
  ProgressReporter progress("detect");
  progress.update("reading " + o.graph, 0.0);
  store::GraphProvenance provenance;
  auto graph = store::read_graph_file(o.graph, &provenance);
  if (!graph.is_ok()) return report_failure(graph.status());

  progress.update("combining layers", 0.1);
  graph::Csr combined = graph::combine_layers(graph.value(), job.combine);

  progress.update("leiden", 0.2);
  community::RoundLeiden detector(combined, job.detect_levels());
  if (Status s = detector.run(); !s.is_ok()) return report_failure(s);

  progress.update("writing " + o.out, 0.9);
  community::DetectionRecord record{leiden, o.graph, provenance.input_digest, job.stage_digest("detect"),
                                    omp_get_max_threads(), 1, detector.hierarchy(), detector.timings(),
                                    job.gather_below, job.rounds, detector.round_levels(),
                                    detector.resolution_used()};
  if (Status s = write_outputs(o, record, graph.value()); !s.is_ok()) return report_failure(s);
  const std::string rounds = detector.round_levels() == 0
                                 ? std::string()
                                 : fmt::format(" (the first {} in rounds)", detector.round_levels());
  progress.finish(fmt::format("detect: {}{}; {} vertices {} edges; {} in {:.2f} s ({:.2f} s algorithm, {} threads{}) -> {}",
                              describe(record), rounds, combined.num_vertices(), combined.num_arcs() / 2, method_word(leiden),
                              progress.seconds(), detector.timings().total_seconds, omp_get_max_threads(),
                              leiden.deterministic ? ", deterministic" : "", o.out));
  return kExitOk;
}

// Every rank runs this; rank 0 reports and writes. All ranks return the
// same exit code.
int detect_distributed(const DetectOptions& o, pipeline::Job& job, const dist::MpiSession& mpi) {
  const bool root = mpi.rank() == 0;
  auto fail = [&](const Status& s) { return root ? report_failure(s) : exit_code_for(s); };
  std::optional<ProgressReporter> progress;
  if (root) progress.emplace("detect");
  const dist::DistributedOptions options = job.detect_levels();

  if (progress) progress->update(fmt::format("reading {} on {} ranks", o.graph, mpi.size()), 0.0);
  dist::SliceReadStats read;
  auto graph = dist::read_combined_slice(mpi.comm(), o.graph, job.combine, &read);
  if (!graph.is_ok()) return fail(graph.status());
  std::uint64_t arcs = graph.value().local().num_arcs(), all_arcs = 0;
  MPI_Reduce(&arcs, &all_arcs, 1, MPI_UINT64_T, MPI_SUM, 0, mpi.comm());

  if (progress) progress->update("distributed leiden", 0.2);
  dist::DistributedLeiden detector(graph.value(), options);
  Status ran = detector.run();
  if (!ran.is_ok()) return fail(ran);
  const dist::DistributedTimings& t = detector.timings();
  std::uint64_t bytes = t.bytes_sent, all_bytes = 0;
  MPI_Reduce(&bytes, &all_bytes, 1, MPI_UINT64_T, MPI_SUM, 0, mpi.comm());

  Status written = Status::ok();
  if (root) {
    progress->update("writing " + o.out, 0.9);
    auto provenance = store::read_graph_provenance(o.graph);
    graph::MarketGraph entities;
    if (!provenance.is_ok()) {
      written = provenance.status();
    } else if (!o.partition_out.empty()) {
      auto read_entities = store::read_graph_entities(o.graph);
      if (read_entities.is_ok()) {
        entities = std::move(read_entities).value();
      } else {
        written = read_entities.status();
      }
    }
    if (written.is_ok()) {
      community::LeidenTimings timings = detector.finish_timings();
      timings.move_seconds += t.move_seconds;
      timings.aggregate_seconds += t.aggregate_seconds;
      timings.levels += t.distributed_levels;
      timings.passes += t.passes;
      timings.total_seconds = t.total_seconds;
      community::DetectionRecord record{job.detect, o.graph, provenance.value().input_digest, job.stage_digest("detect"),
                                        omp_get_max_threads(), mpi.size(), detector.hierarchy(), timings,
                                        job.gather_below, job.rounds, t.distributed_levels,
                                        detector.resolution_used()};
      written = write_outputs(o, record, entities);
      if (written.is_ok()) {
        progress->finish(fmt::format(
            "detect: {}; {} vertices {} edges; {} on {} ranks x {} threads in {:.2f} s ({} distributed levels, "
            "{} rounds, {:.1f} MB exchanged, gathered {} vertices onto rank 0{}) -> {}",
            describe(record), graph.value().ranges().num_vertices(), all_arcs / 2, method_word(job.detect),
            mpi.size(), omp_get_max_threads(), progress->seconds(), t.distributed_levels, t.rounds,
            static_cast<double>(all_bytes) / 1e6, t.gathered_vertices,
            job.detect.deterministic ? ", deterministic" : "", o.out));
      }
    }
  }
  int code = root ? (written.is_ok() ? kExitOk : report_failure(written)) : kExitOk;
  MPI_Bcast(&code, 1, MPI_INT, 0, mpi.comm());
  return code;
}

int run_detect(const DetectOptions& o) {
  auto loaded = pipeline::load_job(o.job);
  if (!loaded.is_ok()) return report_failure(loaded.status());
  pipeline::Job job = std::move(loaded).value();
  community::LeidenOptions& leiden = job.detect;
  if (o.algorithm) {
    leiden.method = *o.algorithm == "louvain" ? community::LeidenOptions::Method::kLouvain
                                              : community::LeidenOptions::Method::kLeiden;
  }
  // The job's density is for marketplace graphs; a plain graph (an edge
  // list) is partitioned by modularity unless --density asks otherwise.
  if (!o.density) {
    auto provenance = store::read_graph_provenance(o.graph);
    if (!provenance.is_ok()) return report_failure(provenance.status());
    if (provenance.value().source_kind != "market") leiden.density = 0;
  }
  if (o.resolution) {
    leiden.resolution = *o.resolution;
    leiden.density = 0;
  }
  if (o.density) leiden.density = *o.density;
  if (o.seed) leiden.seed = *o.seed;
  if (o.deterministic && o.no_deterministic) {
    return report_failure(Status::invalid_argument("--deterministic and --no-deterministic contradict each other"));
  }
  if (o.deterministic) leiden.deterministic = true;
  if (o.no_deterministic) leiden.deterministic = false;
  if (o.gather_below) job.gather_below = *o.gather_below;
  if (o.rounds) job.rounds = *o.rounds;
  if (Status s = community::validate(job.detect_levels()); !s.is_ok()) return report_failure(s);
  // The options as used, flags included: what communities.h5's job digest covers.
  nlohmann::json& used = job.parameters["detect"];
  used["algorithm"] = method_word(leiden);
  used["resolution"] = leiden.resolution;
  used["density"] = leiden.density;
  used["seed"] = leiden.seed;
  used["deterministic"] = leiden.deterministic;
  used["gather_below"] = job.gather_below;
  used["rounds"] = job.rounds;
  const dist::MpiSession* mpi = dist::MpiSession::current();
  if (mpi != nullptr && mpi->distributed()) return detect_distributed(o, job, *mpi);
  return detect_on_one_node(o, job);
}

}  // namespace

int run_detect_stage(const std::string& graph, const std::string& out, const std::string& job, int threads) {
  DetectOptions o;
  o.graph = graph;
  o.out = out;
  o.job = job;
  o.threads = threads;
  set_threads(threads);
  return run_detect(o);
}

void add_detect_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<DetectOptions>();
  CLI::App* cmd = app.add_subcommand("detect", "Find the communities of graph.h5's combined graph");
  cmd->add_option("GRAPH", o->graph, "The graph file (from `sourcetrace ingest`)")->required();
  cmd->add_option("--out", o->out, "The run file to write (atomically)")->required();
  cmd->add_option("--job", o->job, "Job file (default: built-in values, as in jobs/default.toml)");
  cmd->add_option("--threads", o->threads, "Threads (0: all cores)")->capture_default_str();
  cmd->add_option("--algorithm", o->algorithm, "leiden (default) or louvain")
      ->check(CLI::IsMember({"leiden", "louvain"}));
  cmd->add_option("--resolution", o->resolution, "Modularity resolution (default 1; clears the job's density)");
  cmd->add_option("--density", o->density,
                  "Resolution per unit of arc weight, the same in a market of any size (default: the job's [detect] "
                  "density for a market, 0 = modularity for a plain graph)");
  cmd->add_option("--seed", o->seed, "Seed for tie-breaking (default 1)");
  cmd->add_flag("--deterministic", o->deterministic,
                "Same partition for any thread count (the default, unless the job file says otherwise)");
  cmd->add_flag("--no-deterministic", o->no_deterministic,
                "Let threads move vertices as they go: faster, the result varies from run to run");
  cmd->add_option("--partition-out", o->partition_out,
                  "Also write the final partition as TSV: key<TAB>community, one line per vertex");
  cmd->add_option("--gather-below", o->gather_below,
                  "Levels with more vertices move in rounds, with the same result on one node and on any number "
                  "of MPI ranks; ranks gather the graph onto rank 0 below it (default 4194304, or the job's)");
  cmd->add_option("--rounds", o->rounds,
                  "Rounds per local-moving pass on those levels (MPI ranks exchange after each), 1-255 "
                  "(default 8, or the job's)");
  cmd->callback([o, &exit_code] {
    set_threads(o->threads);
    exit_code = run_detect(*o);
  });
}

}  // namespace sourcetrace::cli
