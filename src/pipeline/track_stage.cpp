// The track stage: tonight's networks given ids, continued from the previous run's.
#include "sourcetrace/pipeline/track_stage.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "sourcetrace/community/partition.hpp"
#include "sourcetrace/risk/lineage_file.hpp"
#include "sourcetrace/risk/network_tally.hpp"
#include "sourcetrace/risk/risk_file.hpp"
#include "sourcetrace/store/graph_file.hpp"
#include "sourcetrace/store/run_file.hpp"
#include "sourcetrace/store/run_manifest.hpp"
#include "sourcetrace/tables/digest.hpp"

namespace sourcetrace::pipeline {

namespace {

namespace fs = std::filesystem;

// The files the stage reads from the previous run.
const std::vector<std::string> kPreviousFiles = {"graph.h5", "risk.h5", "lineage.h5"};

// What lineage.h5 records of risk.h5: the graph it scored, the networks'
// membership and their risks.
std::string tracked_digest(const risk::RiskRecord& r) {
  community::Partition networks{r.network, static_cast<community::CommunityId>(r.networks.size())};
  return tables::digest_of(fmt::format("{}\n{}\n{}", r.graph_digest, community::membership_digest(networks),
                                       risk::risk_digest(r.networks)))
      .hex();
}

}  // namespace

Result<std::string> previous_run_digest(const std::string& previous) {
  auto manifest = store::read_run_manifest(previous);
  if (!manifest.is_ok()) {
    if (manifest.status().code() == Status::Code::kNotFound) {
      return Status::missing_input(fmt::format(
          "--previous {}: not a complete run (no {}): give the folder of a finished run", previous,
          store::kManifestName));
    }
    return manifest.status();
  }
  for (const std::string& name : kPreviousFiles) {
    bool listed = false;
    for (const store::ManifestEntry& e : manifest.value().files) listed = listed || e.name == name;
    if (!listed) {
      return Status::missing_input(fmt::format(
          "--previous {}: the run has no {} (made by an older engine?): run it again with this build", previous, name));
    }
  }
  std::string listed;
  for (const store::ManifestEntry& e : manifest.value().files) {
    for (const std::string& name : kPreviousFiles) {
      if (e.name == name) listed += e.name + " " + e.digest + "\n";
    }
  }
  return tables::digest_of(listed).hex();
}

namespace {

std::string shown_path(const std::string& path) {
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(path, ec);
  return ec ? path : canonical.string();
}

// Per network: members and risk.
std::vector<risk::NetworkState> states_of(const risk::RiskRecord& r) {
  std::vector<risk::NetworkState> states(r.networks.size());
  for (std::uint32_t c : r.network) ++states[c].members;
  for (std::size_t c = 0; c < r.networks.size(); ++c) states[c].risk = r.networks[c].risk;
  return states;
}

std::vector<double> risk_of(const risk::RiskRecord& r) {
  std::vector<double> risk(r.networks.size());
  for (std::size_t c = 0; c < r.networks.size(); ++c) risk[c] = r.networks[c].risk;
  return risk;
}

// Per network: evidence rows on its members dated after `after` and on or
// before `as_of`.
std::vector<std::uint32_t> evidence_since(const graph::MarketGraph& g, const risk::RiskRecord& r, tables::Day after) {
  std::vector<std::uint32_t> counts(r.networks.size(), 0);
  for (std::size_t i = 0; i < g.evidence.size(); ++i) {
    const tables::Day day = g.evidence.day[i];
    if (day > after && day <= r.as_of) ++counts[r.network[g.evidence.entity[i]]];
  }
  return counts;
}

}  // namespace

Result<std::optional<std::string>> track_staleness(const RunFolder& run, const std::string& previous, const Job& job) {
  std::string wanted_previous;
  if (!previous.empty()) {
    auto digest = previous_run_digest(previous);
    if (!digest.is_ok()) return digest.status();
    wanted_previous = digest.value();
  }
  using Why = std::optional<std::string>;
  if (!fs::exists(run.lineage())) return Why("no lineage.h5 yet");
  auto record = risk::read_lineage_file(run.lineage());
  if (!record.is_ok()) return Why("lineage.h5 is unreadable");
  auto scored = risk::read_risk_file(run.risk());
  if (!scored.is_ok()) return Why("risk.h5 is unreadable");
  if (record.value().risk_digest != tracked_digest(scored.value())) return Why("the networks changed");
  if (record.value().previous_digest != wanted_previous) {
    return Why(previous.empty() ? "it was chained to a previous run and now starts a chain"
                                : "the previous run is another one, or changed");
  }
  if (record.value().job_digest != job.stage_digest("track")) {
    return Why("its parameters changed ([continuity], [changes], [export] min_risk)");
  }
  return built_elsewhere(run.lineage());
}

Status check_previous_run(const std::string& previous) {
  auto digest = previous_run_digest(previous);
  if (!digest.is_ok()) return digest.status();
  return store::verify_run_files(previous, kPreviousFiles);
}

Result<TrackReport> track_networks(const RunFolder& run, const std::string& previous, const Job& job) {
  auto scored = risk::read_scored_market(run.graph(), run.risk(), store::LayerRead::kNone);
  if (!scored.is_ok()) return scored.status();
  const graph::MarketGraph& g = scored.value().graph;
  const risk::RiskRecord& r = scored.value().risk;
  if (r.network.size() != g.num_entities() || r.roles.size() != g.num_entities() ||
      r.scores.positive.size() != g.num_entities()) {
    return Status::corrupt(run.dir.string() + ": graph.h5 and risk.h5 are not from the same run");
  }
  const std::vector<double> weights = risk::member_weights(r.roles, r.scores.positive, job.lineage);
  const risk::NightNetworks tonight{&g.entities, r.network, weights, r.networks.size()};

  risk::LineageRecord record;
  record.as_of = r.as_of;
  record.risk_digest = tracked_digest(r);
  record.job_digest = job.stage_digest("track");
  risk::Succession succession;
  if (previous.empty()) {
    const std::string chain_key = tables::digest_of("sourcetrace chain\n" + record.risk_digest).hex();
    succession = risk::start_chain(tonight, chain_key, r.as_of);
  } else {
    auto digest = previous_run_digest(previous);
    if (!digest.is_ok()) return digest.status();
    const RunFolder before{fs::path(previous)};
    auto before_entities = store::read_graph_entities(before.graph());
    if (!before_entities.is_ok()) return before_entities.status();
    auto before_risk = risk::read_risk_file(before.risk());
    if (!before_risk.is_ok()) return before_risk.status();
    auto before_lineage = risk::read_lineage_file(before.lineage());
    if (!before_lineage.is_ok()) return before_lineage.status();
    const risk::RiskRecord& pr = before_risk.value();
    const risk::LineageRecord& pl = before_lineage.value();
    if (pr.network.size() != before_entities.value().num_entities() || pl.networks.size() != pr.networks.size() ||
        pr.roles.size() != pr.network.size() || pr.scores.positive.size() != pr.network.size()) {
      return Status::corrupt(previous + ": graph.h5, risk.h5 and lineage.h5 are not from the same run");
    }
    const std::vector<double> before_weights = risk::member_weights(pr.roles, pr.scores.positive, job.lineage);
    const risk::NightNetworks last_night{&before_entities.value().entities, pr.network, before_weights,
                                         pr.networks.size()};
    succession = risk::continue_chain(last_night, pl.networks, pl.chain, tonight, r.as_of, job.lineage);
    record.changes = risk::network_changes(succession, pl.networks, states_of(pr), states_of(r),
                                           evidence_since(g, r, pr.as_of), job.min_risk, job.changes);
    record.alerts = risk::network_alerts(
        {&g, r.network, risk_of(r), &succession, pl.networks, pr.network, record.changes, r.as_of, pr.as_of,
         job.min_risk, job.changes},
        job.alerts);
    record.previous_run = shown_path(previous);
    record.previous_digest = digest.value();
    record.previous_as_of = pr.as_of;
  }
  record.chain = succession.chain;
  record.networks = succession.networks;

  TrackReport report;
  report.night = record.chain.night;
  report.networks = record.networks.size();
  for (std::uint32_t a : succession.continues) report.kept += a != risk::Succession::kNone;
  report.minted = report.networks - report.kept;
  for (risk::Fate f : succession.fate) {
    report.merged += f == risk::Fate::kMerged;
    report.gone += f == risk::Fate::kGone;
  }
  report.changes = record.changes.size();
  report.alerts = record.alerts.size();
  ST_RETURN_IF_ERROR(
      store::write_run_file(run.lineage(), [&](store::H5File& f) { return risk::write_lineage(f, record); }));
  return report;
}

}  // namespace sourcetrace::pipeline
