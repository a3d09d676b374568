// `sourcetrace score`: evidence + communities → network risk and role hints.
#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <span>

#include "commands.hpp"
#include "job_file.hpp"
#include "sourcetrace/cli/exit_code.hpp"
#include "sourcetrace/cli/progress.hpp"
#include "sourcetrace/community/community_file.hpp"
#include "sourcetrace/risk/risk_file.hpp"
#include "sourcetrace/risk/role_hints.hpp"
#include "sourcetrace/store/graph_file.hpp"
#include "sourcetrace/store/run_file.hpp"
#include "sourcetrace/tables/digest.hpp"
#include "sourcetrace/tables/fields.hpp"

namespace sourcetrace::cli {

namespace {

struct ScoreOptions {
  std::string graph, communities, out, job, as_of;
};

int run_score(const ScoreOptions& o) {
  auto job = load_job(o.job);
  if (!job.is_ok()) return report_failure(job.status());
  ProgressReporter progress("score");
  store::GraphProvenance provenance;
  auto graph = store::read_graph_file(o.graph, &provenance);
  if (!graph.is_ok()) return report_failure(graph.status());
  auto detected = community::read_communities_file(o.communities);
  if (!detected.is_ok()) return report_failure(detected.status());
  const community::Partition& partition = detected.value().hierarchy.back().partition;
  if (partition.membership.size() != graph.value().num_entities()) {
    return report_failure(Status::invalid_argument(fmt::format(
        "{} has {} vertices but {} has {}: they are not from the same run", o.communities,
        partition.membership.size(), o.graph, graph.value().num_entities())));
  }

  tables::Day as_of = risk::newest_evidence_day(graph.value());
  if (!o.as_of.empty()) {
    if (const char* why = tables::parse_date(o.as_of, as_of)) {
      return report_failure(Status::invalid_argument("--as-of: " + std::string(why)));
    }
  }
  if (as_of == tables::kNoDay) as_of = 0;

  risk::RiskRecord record;
  record.weights = job.value().evidence;
  record.options = job.value().network_risk;
  record.as_of = as_of;
  record.graph_digest = provenance.input_digest;
  record.communities_digest =
      tables::digest_of({reinterpret_cast<const char*>(partition.membership.data()),
                         partition.membership.size() * sizeof(community::CommunityId)})
          .hex();
  record.job_digest = job.value().digest;
  record.roles = risk::role_hints(graph.value(), partition);
  record.scores = risk::score_evidence(graph.value(), record.weights, as_of);
  record.networks = risk::assess_networks(graph.value(), partition, record.scores, record.roles, record.options);

  std::error_code ec;
  auto parent = std::filesystem::path(o.out).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  Status written = store::write_run_file(o.out, [&](store::H5File& f) { return risk::write_risk(f, record); });
  if (!written.is_ok()) return report_failure(written);

  const double min_risk = job.value().min_risk;
  const auto suspects = std::count_if(record.networks.begin(), record.networks.end(),
                                      [&](const risk::NetworkRisk& n) { return n.risk >= min_risk; });
  double top = 0;
  for (const auto& n : record.networks) top = std::max(top, n.risk);
  progress.finish(fmt::format("score: {} networks scored as of {}, {} at or above risk {:.2f} (highest {:.3f}) "
                              "in {:.2f} s -> {}",
                              record.networks.size(), tables::format_date(as_of), suspects, min_risk, top,
                              progress.seconds(), o.out));
  return kExitOk;
}

}  // namespace

void add_score_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ScoreOptions>();
  CLI::App* cmd = app.add_subcommand("score", "Score the detected networks with the evidence: risk, role hints, reasons");
  cmd->add_option("GRAPH", o->graph, "graph.h5 (from ingest)")->required();
  cmd->add_option("COMMUNITIES", o->communities, "The run file of `sourcetrace detect`")->required();
  cmd->add_option("--out", o->out, "The risk file to write (atomically)")->required();
  cmd->add_option("--job", o->job, "Job file (default: built-in values, as in jobs/default.toml)");
  cmd->add_option("--as-of", o->as_of, "Evidence date to score as of, YYYY-MM-DD (default: the newest in the data)");
  cmd->callback([o, &exit_code] { exit_code = run_score(*o); });
}

}  // namespace sourcetrace::cli
