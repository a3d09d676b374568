// The detect stage: on one node, or on every MPI rank together.
#include "sourcetrace/pipeline/detect_stage.hpp"

#include <fmt/format.h>
#include <mpi.h>
#include <omp.h>

#include <algorithm>
#include <filesystem>

#include "sourcetrace/community/community_file.hpp"
#include "sourcetrace/community/round_leiden.hpp"
#include "sourcetrace/dist/distributed_leiden.hpp"
#include "sourcetrace/dist/graph_slice.hpp"
#include "sourcetrace/dist/mpi_session.hpp"
#include "sourcetrace/graph/combined_graph.hpp"
#include "sourcetrace/graph/matrix_market.hpp"
#include "sourcetrace/store/graph_file.hpp"
#include "sourcetrace/store/run_file.hpp"
#include "sourcetrace/tables/digest.hpp"
#include "sourcetrace/tables/output_file.hpp"

namespace sourcetrace::pipeline {

namespace {

// `key<TAB>community` per vertex, in vertex order; key is the edge-list id
// or `kind:id`.
Status write_partition_tsv(const std::string& path, const graph::MarketGraph& g, const community::Partition& p) {
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
Status write_outputs(const DetectRequest& request, const community::DetectionRecord& record,
                     const graph::MarketGraph& entities) {
  std::error_code ec;
  auto parent = std::filesystem::path(request.out).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  ST_RETURN_IF_ERROR(store::write_run_file(
      request.out, [&](store::H5File& f) { return community::write_communities(f, record); }));
  if (request.partition_out.empty()) return Status::ok();
  return write_partition_tsv(request.partition_out, entities, record.hierarchy.back().partition);
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

double seconds_since(double start) { return omp_get_wtime() - start; }

bool warm(const Job& job, const std::string& previous) { return job.warm_start && !previous.empty(); }

// The previous run's final communities (read once per detect: its digest
// and the warm start both come from it).
Result<community::Partition> previous_communities(const std::string& previous) {
  auto detected = community::read_communities_file(RunFolder{std::filesystem::path(previous)}.communities());
  if (!detected.is_ok()) return detected.status();
  return std::move(detected.value().hierarchy.back().partition);
}

// The digest communities.h5 records: the parameters', with the previous
// partition's folded in when it warm-starts from one.
std::string digest_of_detect(const Job& job, const community::Partition* was) {
  if (was == nullptr) return job.stage_digest("detect");
  return tables::digest_of(
             fmt::format("{}\nwarm start from {}", job.stage_digest("detect"), community::membership_digest(*was)))
      .hex();
}

// `was` (the previous run's communities) on today's entities: an entity it
// had keeps its community, a new one is alone.
Result<std::vector<graph::VertexId>> previous_partition(const std::string& previous, const community::Partition& was,
                                                        const graph::KeyIndex::Blob& entities) {
  auto keys = store::read_graph_entities(RunFolder{std::filesystem::path(previous)}.graph());
  if (!keys.is_ok()) return keys.status();
  if (was.membership.size() != keys.value().num_entities()) {
    return Status::corrupt(previous + ": graph.h5 and communities.h5 are not from the same run");
  }
  std::vector<graph::VertexId> start = graph::find_keys(graph::KeyIndex::from(std::move(keys.value().entities)), entities);
  graph::VertexId fresh = was.num_communities;
  for (graph::VertexId& u : start) u = u == graph::KeyIndex::kAbsent ? fresh++ : was.membership[u];
  return start;
}

// The digest to record and, when the job warm-starts, the partition to
// start from, for today's entities (`entities`, or read from the graph
// file when null).
struct WarmStart {
  std::string digest;
  std::vector<graph::VertexId> start;  // empty: cold
};

Result<WarmStart> plan_warm_start(const DetectRequest& request, const Job& job, const graph::KeyIndex::Blob* entities) {
  if (!warm(job, request.previous)) return WarmStart{digest_of_detect(job, nullptr), {}};
  graph::MarketGraph read;
  if (entities == nullptr) {
    auto today = store::read_graph_entities(request.graph);
    if (!today.is_ok()) return today.status();
    read = std::move(today).value();
    entities = &read.entities;
  }
  auto was = previous_communities(request.previous);
  if (!was.is_ok()) return was.status();
  auto start = previous_partition(request.previous, was.value(), *entities);
  if (!start.is_ok()) return start.status();
  return WarmStart{digest_of_detect(job, &was.value()), std::move(start).value()};
}

std::string warm_note(bool warm_started) { return warm_started ? ", warm-started" : ""; }

Result<DetectReport> detect_on_one_node(const DetectRequest& request, const Job& job, const StageProgress& progress) {
  const double start = omp_get_wtime();
  progress("reading " + request.graph, 0.0);
  store::GraphProvenance provenance;
  auto graph = store::read_graph_file(request.graph, &provenance, store::LayerRead::kAdjacency);
  if (!graph.is_ok()) return graph.status();

  progress("combining layers", 0.1);
  graph::Csr combined = graph::combine_layers(graph.value(), job.combine);
  if (!request.write_combined.empty()) {
    progress("writing " + request.write_combined, 0.12);
    ST_RETURN_IF_ERROR(graph::write_matrix_market(
        combined, request.write_combined,
        fmt::format("the combined graph sourcetrace detect runs on, from {} (weights as [combine] makes them)",
                    request.graph)));
  }

  if (warm(job, request.previous)) progress("mapping the previous run's communities", 0.15);
  auto warm_start = plan_warm_start(request, job, &graph.value().entities);
  if (!warm_start.is_ok()) return warm_start.status();
  community::RoundLeiden detector(combined, job.detect_levels());
  if (!warm_start.value().start.empty()) detector.start_from(std::move(warm_start.value().start));
  progress("leiden", 0.2);
  ST_RETURN_IF_ERROR(detector.run());

  progress("writing " + request.out, 0.9);
  community::DetectionRecord record{job.detect, request.graph, provenance.input_digest, warm_start.value().digest,
                                    omp_get_max_threads(), 1, detector.hierarchy(), detector.timings(),
                                    job.gather_below, job.rounds, detector.round_levels(),
                                    detector.resolution_used()};
  ST_RETURN_IF_ERROR(write_outputs(request, record, graph.value()));
  const std::string rounds = detector.round_levels() == 0
                                 ? std::string()
                                 : fmt::format(" (the first {} in rounds)", detector.round_levels());
  return DetectReport{fmt::format(
      "detect: {}{}; {} vertices {} edges; {} in {:.2f} s ({:.2f} s algorithm, {} threads{}{}) -> {}",
      describe(record), rounds, combined.num_vertices(), combined.num_arcs() / 2, method_word(job.detect),
      seconds_since(start), detector.timings().total_seconds, omp_get_max_threads(),
      job.detect.deterministic ? ", deterministic" : "", warm_note(detector.warm_started()), request.out)};
}

// Every rank runs this; rank 0 writes and reports.
Result<DetectReport> detect_distributed(const DetectRequest& request, const Job& job, const dist::MpiSession& mpi,
                                        const StageProgress& progress) {
  const double start = omp_get_wtime();
  const bool root = mpi.rank() == 0;
  if (!request.write_combined.empty()) {
    return Status::invalid_argument("--write-combined writes the graph one node detects on: run detect without "
                                    "mpirun or srun");
  }
  auto tell = [&](std::string_view what, double fraction) {
    if (root) progress(what, fraction);
  };
  tell(fmt::format("reading {} on {} ranks", request.graph, mpi.size()), 0.0);
  dist::SliceReadStats read;
  auto graph = dist::read_combined_slice(mpi.comm(), request.graph, job.combine, &read);
  if (!graph.is_ok()) return graph.status();
  std::uint64_t arcs = graph.value().local().num_arcs(), all_arcs = 0;
  MPI_Reduce(&arcs, &all_arcs, 1, MPI_UINT64_T, MPI_SUM, 0, mpi.comm());

  dist::DistributedLeiden detector(graph.value(), job.detect_levels());
  // Rank 0 maps the previous run (the driver hands each rank its share of
  // the warm start) and writes, so it alone needs the warm start and the
  // digest; every rank learns whether they could be made.
  std::string digest;
  Status planned = Status::ok();
  if (root) {
    if (warm(job, request.previous)) tell("mapping the previous run's communities", 0.15);
    auto warm_start = plan_warm_start(request, job, nullptr);
    planned = warm_start.status();
    if (warm_start.is_ok()) {
      digest = warm_start.value().digest;
      if (!warm_start.value().start.empty()) detector.start_from(std::move(warm_start.value().start));
    }
  }
  ST_RETURN_IF_ERROR(dist::agree_with_root(mpi.comm(), planned));
  tell("distributed leiden", 0.2);
  ST_RETURN_IF_ERROR(detector.run());
  const dist::DistributedTimings& t = detector.timings();
  std::uint64_t bytes = t.bytes_sent, all_bytes = 0;
  MPI_Reduce(&bytes, &all_bytes, 1, MPI_UINT64_T, MPI_SUM, 0, mpi.comm());

  Status written = Status::ok();
  DetectReport report;
  if (root) {
    tell("writing " + request.out, 0.9);
    auto provenance = store::read_graph_provenance(request.graph);
    graph::MarketGraph entities;
    if (!provenance.is_ok()) {
      written = provenance.status();
    } else if (!request.partition_out.empty()) {
      auto read_entities = store::read_graph_entities(request.graph);
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
      timings.levels += t.round_levels;
      timings.passes += t.passes;
      timings.total_seconds = t.total_seconds;
      community::DetectionRecord record{job.detect, request.graph, provenance.value().input_digest,
                                        digest, omp_get_max_threads(), mpi.size(),
                                        detector.hierarchy(), timings, job.gather_below, job.rounds,
                                        t.round_levels, detector.resolution_used()};
      written = write_outputs(request, record, entities);
      report.summary = fmt::format(
          "detect: {}; {} vertices {} edges; {} on {} ranks x {} threads in {:.2f} s ({} distributed levels, "
          "{} rounds, {:.1f} MB exchanged, gathered {} vertices onto rank 0{}{}) -> {}",
          describe(record), graph.value().ranges().num_vertices(), all_arcs / 2, method_word(job.detect), mpi.size(),
          omp_get_max_threads(), seconds_since(start), t.round_levels, t.rounds,
          static_cast<double>(all_bytes) / 1e6, t.finish_vertices, job.detect.deterministic ? ", deterministic" : "",
          warm_note(detector.warm_started()), request.out);
    }
  }
  ST_RETURN_IF_ERROR(dist::agree_with_root(mpi.comm(), written));
  return report;
}

}  // namespace

Status prepare_detect(const std::string& graph_path, const DetectOverrides& o, Job& job) {
  community::LeidenOptions& leiden = job.detect;
  if (o.method) leiden.method = *o.method;
  if (!o.density) {
    auto provenance = store::read_graph_provenance(graph_path);
    if (!provenance.is_ok()) return provenance.status();
    if (provenance.value().source_kind != "market") leiden.density = 0;
  }
  if (o.resolution) {
    leiden.resolution = *o.resolution;
    leiden.density = 0;
  }
  if (o.density) leiden.density = *o.density;
  if (o.seed) leiden.seed = *o.seed;
  if (o.deterministic) leiden.deterministic = *o.deterministic;
  if (o.gather_below) job.gather_below = *o.gather_below;
  if (o.rounds) job.rounds = *o.rounds;
  ST_RETURN_IF_ERROR(community::validate(job.detect_levels()));
  nlohmann::json& used = job.parameters["detect"];
  used["algorithm"] = method_word(leiden);
  used["resolution"] = leiden.resolution;
  used["density"] = leiden.density;
  used["seed"] = leiden.seed;
  used["deterministic"] = leiden.deterministic;
  used["gather_below"] = job.gather_below;
  used["rounds"] = job.rounds;
  used["warm_start"] = job.warm_start;
  return Status::ok();
}

Result<DetectReport> detect_communities(const DetectRequest& request, const Job& job, const StageProgress& progress) {
  const dist::MpiSession* mpi = dist::MpiSession::current();
  if (mpi != nullptr && mpi->distributed()) return detect_distributed(request, job, *mpi, progress);
  return detect_on_one_node(request, job, progress);
}

Result<std::string> detect_digest(const Job& job, const std::string& previous) {
  if (!warm(job, previous)) return digest_of_detect(job, nullptr);
  auto was = previous_communities(previous);
  if (!was.is_ok()) return was.status();
  return digest_of_detect(job, &was.value());
}

std::optional<std::string> detect_staleness(const RunFolder& run, const Job& job, const std::string& graph_digest,
                                            const std::string& previous) {
  if (!std::filesystem::exists(run.communities())) return "no communities.h5 yet";
  auto record = community::read_communities_file(run.communities());
  if (!record.is_ok()) return "communities.h5 is unreadable";
  if (record.value().graph_digest != graph_digest) return "the graph changed";
  auto digest = detect_digest(job, previous);
  if (!digest.is_ok()) return digest.status().message();
  if (record.value().job_digest != digest.value()) {
    return warm(job, previous) ? "its parameters or the previous run's communities changed ([combine], [detect])"
                               : "its parameters changed ([combine], [detect])";
  }
  return built_elsewhere(run.communities());
}

}  // namespace sourcetrace::pipeline
