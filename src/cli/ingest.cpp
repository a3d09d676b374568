// `sourcetrace ingest`: tables (or an edge list) → graph.h5.
#include <fmt/core.h>

#include <filesystem>

#include "commands.hpp"
#include "sourcetrace/cli/exit_code.hpp"
#include "sourcetrace/cli/progress.hpp"
#include "sourcetrace/ingest/ingest.hpp"
#include "sourcetrace/store/graph_file.hpp"

namespace sourcetrace::cli {

namespace {

namespace fs = std::filesystem;

struct IngestCommandOptions {
  std::string dataset;
  std::string edge_list;
  std::string out;
  bool lenient = false;
  int threads = 0;
};

int run_ingest(const IngestCommandOptions& o) {
  if (o.dataset.empty() == o.edge_list.empty()) {
    return report_failure(Status::invalid_argument(
        "give either a DATASET folder or --edge-list FILE (not both)"));
  }
  fs::path out(o.out);
  std::error_code ec;
  if (out.has_parent_path()) fs::create_directories(out.parent_path(), ec);
  if (ec) {
    return report_failure(Status::cannot_create(
        fmt::format("{}: cannot create folder: {}", out.parent_path().string(), ec.message())));
  }

  ProgressReporter progress("ingest");
  ingest::IngestOptions options;
  options.lenient = o.lenient;
  options.rejected_path = (out.parent_path() / "rejected.csv").string();
  options.progress = [&](const ingest::IngestProgress& p) {
    double within = p.bytes_total ? static_cast<double>(p.bytes_done) / p.bytes_total : 1.0;
    progress.update(p.table, (p.table_index + within) / p.table_count);
  };

  const std::string& source = o.dataset.empty() ? o.edge_list : o.dataset;
  auto result = o.dataset.empty() ? ingest::ingest_edge_list(o.edge_list, options)
                                  : ingest::ingest_market(o.dataset, options);
  if (!result.is_ok()) return report_failure(result.status());
  const ingest::IngestReport& report = result.value().report;

  progress.update("writing " + o.out, 1.0);
  const double write_start = progress.seconds();
  Status written = store::write_graph_file(o.out, result.value().graph,
                                           ingest::provenance_of(source, report));
  if (!written.is_ok()) return report_failure(written);

  const graph::MarketGraph& g = result.value().graph;
  std::uint64_t edges = 0;
  for (const graph::Layer& l : g.layers) edges += l.adjacency.csr.num_arcs() / 2;
  std::string rejected = o.lenient ? fmt::format(" ({} rejected, see {})", report.rows_rejected,
                                                 options.rejected_path)
                                   : "";
  progress.finish(fmt::format(
      "ingest: {} rows read{} from {} tables; {} entities, {} edges in {} layers, {} evidence rows "
      "-> {} in {:.1f} s (read {:.1f}, build {:.1f}, write {:.1f})",
      report.rows_read, rejected, report.tables.size(), g.num_entities(), edges, g.layers.size(),
      g.evidence.size(), o.out, progress.seconds(), report.read_seconds, report.build_seconds,
      progress.seconds() - write_start));
  return kExitOk;
}

}  // namespace

void add_ingest_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<IngestCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "ingest", "Read a dataset folder (the table contract) or an edge list into graph.h5");
  cmd->add_option("DATASET", o->dataset, "Dataset folder with the contract's tables (.csv or .csv.gz)");
  cmd->add_option("--edge-list", o->edge_list,
                  "Read a plain graph instead: `u v [w]` lines, # or % comments, plain or .gz");
  cmd->add_option("--out", o->out, "The graph file to write (atomically)")->required();
  cmd->add_flag("--lenient", o->lenient,
                "Write bad rows to rejected.csv beside --out and go on, instead of stopping");
  cmd->add_option("--threads", o->threads, "Threads (0: all cores)")->capture_default_str();
  cmd->callback([o, &exit_code] {
    set_threads(o->threads);
    exit_code = run_ingest(*o);
  });
}

}  // namespace sourcetrace::cli
