// The score stage: networks cut from the communities, their risk, roles and members' risk.
#include "sourcetrace/pipeline/score_stage.hpp"

#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <filesystem>

#include "sourcetrace/community/community_file.hpp"
#include "sourcetrace/graph/combined_graph.hpp"
#include "sourcetrace/risk/evidence_spread.hpp"
#include "sourcetrace/risk/network_cut.hpp"
#include "sourcetrace/risk/payout_accounts.hpp"
#include "sourcetrace/risk/risk_file.hpp"
#include "sourcetrace/risk/role_hints.hpp"
#include "sourcetrace/risk/weight_fit.hpp"
#include "sourcetrace/store/graph_file.hpp"
#include "sourcetrace/store/feedback_journal.hpp"
#include "sourcetrace/store/run_file.hpp"
#include "sourcetrace/tables/fields.hpp"

namespace sourcetrace::pipeline {

namespace {

// Learns the weights and keeps the fit; scores with them when there was
// enough to learn from. Returns what it learned, in lines.
Result<std::string> fit_weights(const graph::MarketGraph& graph, const community::Partition& partition,
                                const Job& job, risk::RiskRecord& record) {
  risk::FitOptions options = job.fit_options;
  options.prior_sellers = record.options.prior_sellers;
  auto fit = risk::fit_evidence_weights(graph, partition, record.weights, record.as_of, options, record.feedback);
  if (!fit.is_ok()) return fit.status();
  std::string report = risk::describe(fit.value());
  if (fit->fitted) {
    record.weights = fit->weights;
    // A job that fits ([risk] fit) gets these weights from its own inputs
    // every time: its digest stands. `score --fit` beside a job that does
    // not fit scores with weights the job does not name: they join it.
    if (!job.fit) record.job_digest = digest_with_weights(record.job_digest, record.weights);
  }
  record.fit = std::move(fit).value();
  return report;
}

}  // namespace

Result<ScoreReport> score_networks(const ScoreRequest& request, const Job& job, const StageProgress& progress) {
  const double start = omp_get_wtime();
  progress("reading " + request.graph, 0.0);
  store::GraphProvenance provenance;
  auto graph = store::read_graph_file(request.graph, &provenance);
  if (!graph.is_ok()) return graph.status();
  auto detected = community::read_communities_file(request.communities);
  if (!detected.is_ok()) return detected.status();
  const community::Partition& partition = detected.value().hierarchy.back().partition;
  if (partition.membership.size() != graph.value().num_entities()) {
    return Status::invalid_argument(fmt::format("{} has {} vertices but {} has {}: they are not from the same run",
                                                request.communities, partition.membership.size(), request.graph,
                                                graph.value().num_entities()));
  }
  tables::Day as_of = risk::newest_evidence_day(graph.value());
  if (!request.as_of.empty()) {
    if (const char* why = tables::parse_date(request.as_of, as_of)) {
      return Status::invalid_argument("--as-of: " + std::string(why));
    }
  }
  if (as_of == tables::kNoDay) as_of = 0;

  ScoreReport report;
  risk::RiskRecord record;
  if (!request.feedback.empty()) {
    progress("reading the feedback journal " + request.feedback, 0.1);
    auto journal = store::read_feedback_journal(request.feedback);
    if (!journal.is_ok()) return journal.status();
    record.feedback = risk::take_feedback(graph.value(), journal.value(), as_of);
    ST_RETURN_IF_ERROR(risk::merge_feedback(graph.value(), record.feedback));
  }

  progress("cutting networks", 0.2);
  record.weights = job.evidence;
  record.options = job.network_risk;
  record.as_of = as_of;
  record.graph_digest = provenance.input_digest;
  record.communities_digest = community::membership_digest(partition);
  record.job_digest = job.stage_digest("score");
  // The networks scored are cut out of the communities from their evidence
  // (risk/network_cut.hpp); roles come from each network's own flows.
  // The cut grows from the evidence as the job weighs it; learned weights
  // (fit) then score the networks it cut.
  record.scores = risk::score_evidence(graph.value(), record.weights, as_of);
  const std::vector<graph::VertexId> payouts =
      risk::payout_owners(graph.value(), partition, job.network_cut.payout_share);
  community::Partition networks =
      risk::cut_networks(graph.value(), partition, record.scores.positive, payouts, job.network_cut);
  record.roles = risk::role_hints(graph.value(), networks, payouts);
  if (request.fit || job.fit) {
    progress("fitting evidence weights", 0.4);
    auto fitted = fit_weights(graph.value(), networks, job, record);
    if (!fitted.is_ok()) return fitted.status();
    report.fit_report = std::move(fitted).value();
    record.scores = risk::score_evidence(graph.value(), record.weights, as_of);
  }
  progress("scoring networks", 0.6);
  record.networks =
      risk::assess_networks(graph.value(), networks, record.scores, record.roles, payouts, record.options);
  record.network = std::move(networks.membership);
  // Evidence spread over the combined graph, for each member's own risk
  // (combining moves the layers out: nothing below needs them).
  progress("spreading evidence", 0.8);
  const graph::Csr combined = graph::combine_layers(graph.value(), job.combine);
  record.suspicion = risk::spread_evidence(combined, record.scores.positive, job.spread);
  const double one_report = record.weights.takedown > 0 ? record.weights.takedown : 1.0;
  record.member_risk.resize(record.network.size());
  for (std::size_t v = 0; v < record.network.size(); ++v) {
    record.member_risk[v] = risk::member_risk(record.networks[record.network[v]].risk, record.suspicion[v], one_report);
  }

  std::error_code ec;
  auto parent = std::filesystem::path(request.out).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  ST_RETURN_IF_ERROR(store::write_run_file(request.out, [&](store::H5File& f) { return risk::write_risk(f, record); }));

  const auto suspects = std::count_if(record.networks.begin(), record.networks.end(),
                                      [&](const risk::NetworkRisk& n) { return n.risk >= job.min_risk; });
  double top = 0;
  for (const auto& n : record.networks) top = std::max(top, n.risk);
  std::string fed;
  if (!request.feedback.empty()) {
    const risk::FeedbackCounts& c = record.feedback.counts;
    fed = fmt::format("; feedback: {} of {} reports merged ({} dated after {}, {} on entities not in the market, {} "
                      "already in its evidence), {} verdicts labelling {} entities",
                      c.merged, c.reports, c.after_as_of, tables::format_date(as_of), c.unknown_entity,
                      c.already_in_market, c.verdicts, c.labelled);
  }
  std::string fitted;
  if (record.fit) fitted = record.fit->fitted ? "; weights fitted" : "; the job's weights (" + record.fit->reason + ")";
  report.summary = fmt::format("score: {} networks scored as of {}, {} at or above risk {:.2f} (highest {:.3f}){}{} "
                               "in {:.2f} s -> {}",
                               record.networks.size(), tables::format_date(as_of), suspects, job.min_risk, top, fed,
                               fitted, omp_get_wtime() - start, request.out);
  return report;
}

std::string feedback_journal_path(const std::string& feedback) {
  if (feedback.empty() || !std::filesystem::is_directory(feedback)) return feedback;
  return (std::filesystem::path(feedback) / store::kFeedbackJournalName).string();
}

std::optional<std::string> score_staleness(const RunFolder& run, const Job& job, const std::string& graph_digest,
                                           const std::string& feedback) {
  if (!std::filesystem::exists(run.risk())) return "no risk.h5 yet";
  auto record = risk::read_risk_file(run.risk());
  if (!record.is_ok()) return "risk.h5 is unreadable";
  auto detected = community::read_communities_file(run.communities());
  if (!detected.is_ok()) return "communities.h5 is unreadable";
  if (record.value().graph_digest != graph_digest) return "the graph changed";
  if (record.value().communities_digest != community::membership_digest(detected.value().hierarchy.back().partition)) {
    return "the communities changed";
  }
  if (record.value().job_digest != job.stage_digest("score")) return "its parameters changed ([combine], [risk])";
  if (!feedback.empty()) {
    auto journal = store::read_feedback_journal(feedback);
    if (!journal.is_ok()) return "the feedback journal is unreadable";
    if (journal.value().digest != record.value().feedback.journal_digest) return "the feedback journal changed";
  } else if (!record.value().feedback.empty()) {
    return "it took a feedback journal this run is not given";
  }
  return built_elsewhere(run.risk());
}

}  // namespace sourcetrace::pipeline
