// `sourcetrace score`: evidence + communities → network risk and role hints.
#include <fmt/core.h>

#include <algorithm>
#include <filesystem>
#include <span>

#include "commands.hpp"
#include "sourcetrace/pipeline/job.hpp"
#include "sourcetrace/cli/exit_code.hpp"
#include "sourcetrace/cli/progress.hpp"
#include "sourcetrace/community/community_file.hpp"
#include "sourcetrace/risk/risk_file.hpp"
#include "sourcetrace/graph/combined_graph.hpp"
#include "sourcetrace/risk/evidence_spread.hpp"
#include "sourcetrace/risk/role_hints.hpp"
#include "sourcetrace/risk/network_cut.hpp"
#include "sourcetrace/risk/payout_accounts.hpp"
#include "sourcetrace/risk/weight_fit.hpp"
#include "sourcetrace/store/graph_file.hpp"
#include "sourcetrace/store/run_file.hpp"
#include "sourcetrace/tables/fields.hpp"

namespace sourcetrace::cli {

namespace {

struct ScoreOptions {
  std::string graph, communities, out, job, as_of;
  bool fit = false;  // learn the evidence weights from the outcomes first
};

// --fit: learns the weights, says how well they do against the job's, and
// scores with them when there was enough to learn from.
Status fit_weights(const graph::MarketGraph& graph, const community::Partition& partition,
                   risk::RiskRecord& record) {
  risk::FitOptions options;
  options.prior_sellers = record.options.prior_sellers;
  auto fit = risk::fit_evidence_weights(graph, partition, record.weights, record.as_of, options);
  if (!fit.is_ok()) return fit.status();
  std::string report = risk::describe(fit.value());
  for (std::size_t at = report.find('\n'); at != std::string::npos; at = report.find('\n', at + 1)) {
    report.insert(at + 1, "  ");
  }
  fmt::print(stderr, "score --fit: {}\n", report);
  if (fit->fitted) {
    record.weights = fit->weights;
    record.job_digest = pipeline::digest_with_weights(record.job_digest, record.weights);
  }
  record.fit = std::move(fit).value();
  return Status::ok();
}

int run_score(const ScoreOptions& o) {
  auto job = pipeline::load_job(o.job);
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
  record.communities_digest = community::membership_digest(partition);
  record.job_digest = job.value().stage_digest("score");
  // The networks scored are cut out of the communities from their evidence
  // (risk/network_cut.hpp); roles come from each network's own flows.
  // The cut grows from the evidence as the job weighs it; learned weights
  // (--fit) then score the networks it cut.
  record.scores = risk::score_evidence(graph.value(), record.weights, as_of);
  const std::vector<graph::VertexId> payouts =
      risk::payout_owners(graph.value(), partition, job.value().network_cut.payout_share);
  community::Partition networks =
      risk::cut_networks(graph.value(), partition, record.scores.positive, payouts, job.value().network_cut);
  record.roles = risk::role_hints(graph.value(), networks, payouts);
  if (o.fit) {
    Status fitted = fit_weights(graph.value(), networks, record);
    if (!fitted.is_ok()) return report_failure(fitted);
    record.scores = risk::score_evidence(graph.value(), record.weights, as_of);
  }
  record.networks =
      risk::assess_networks(graph.value(), networks, record.scores, record.roles, payouts, record.options);
  record.network = std::move(networks.membership);
  // Evidence spread over the combined graph, for each member's own risk
  // (combining moves the layers out: nothing below needs them).
  const graph::Csr combined = graph::combine_layers(graph.value(), job.value().combine);
  record.suspicion = risk::spread_evidence(combined, record.scores.positive, job.value().spread);
  const double one_report = record.weights.takedown > 0 ? record.weights.takedown : 1.0;
  record.member_risk.resize(record.network.size());
  for (std::size_t v = 0; v < record.network.size(); ++v) {
    record.member_risk[v] = risk::member_risk(record.networks[record.network[v]].risk, record.suspicion[v], one_report);
  }

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
  cmd->add_flag("--fit", o->fit,
                "Learn the evidence weights from enforcement_confirmed vs test_buy_genuine outcomes, score with "
                "them and store the fit (a job can reuse it: [risk] weights_from)");
  cmd->callback([o, &exit_code] { exit_code = run_score(*o); });
}

}  // namespace sourcetrace::cli
