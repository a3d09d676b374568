// `sourcetrace eval`: scores a batch run's exports against a generated
// market's truth and prints the figures as JSON.
#include <fmt/core.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "commands.hpp"
#include "sourcetrace/cli/exit_code.hpp"
#include "sourcetrace/evaluation/explain.hpp"
#include "sourcetrace/evaluation/metrics.hpp"
#include "sourcetrace/evaluation/run_outputs.hpp"

namespace sourcetrace::cli {

namespace {

using nlohmann::ordered_json;

struct EvalOptions {
  std::string out_dir;
  std::string truth;
  std::string dataset;
  bool explain = false;  // where each ring went, read from the run's stage files too
  bool json = false;     // with --explain: JSON (the metrics and the explanation) instead of lines
};

// null where a ratio has nothing to divide by (see metrics.hpp).
ordered_json value_or_null(const std::optional<double>& value) {
  return value ? ordered_json(*value) : ordered_json(nullptr);
}

ordered_json describe(const evaluation::Evaluation& e) {
  ordered_json j;
  j["members_precision"] = value_or_null(e.members.precision);
  j["members_recall"] = value_or_null(e.members.recall);
  j["networks_taken"] = e.members.networks_taken;
  j["ring_entities"] = e.members.ring_entities;
  j["mean_ring_jaccard"] = value_or_null(e.rings.mean_jaccard);
  j["rings"] = e.rings.rings;
  j["rings_found"] = value_or_null(e.rings.rings_found);
  j["targets_precision"] = value_or_null(e.targets.precision);
  j["k"] = e.targets.k;
  j["supply_cut"] = value_or_null(e.supply.share);
  j["ks"] = e.supply.ks;
  j["counterfeit_units"] = e.supply.counterfeit_units;
  j["fresh_caught"] = value_or_null(e.fresh.caught);
  j["fresh_ring_entities"] = e.fresh.fresh_ring_entities;
  j["fresh_controls_caught"] = value_or_null(e.fresh.controls_caught);
  j["fresh_controls"] = e.fresh.controls;
  // Why a figure is null, so that a script comparing runs does not read it
  // as a failure (or a success).
  ordered_json notes = ordered_json::array();
  if (!e.members.precision) notes.push_back("members_precision is null: no network was taken (the run found none, or the truth has no ring)");
  if (!e.members.recall) notes.push_back("members_recall is null: the truth has no ring entity");
  if (!e.rings.mean_jaccard) notes.push_back("mean_ring_jaccard and rings_found are null: the truth has no ring");
  if (!e.targets.precision) notes.push_back("targets_precision is null: k is 0 (no source, distributor or collector in the truth)");
  if (!e.supply.share) {
    notes.push_back("supply_cut is null: the dataset ships no unit from a ring distributor to a ring storefront");
  }
  if (!e.fresh.caught) notes.push_back("fresh_caught is null: the truth marks no fresh ring entity (no 'fresh' column, or none)");
  if (!e.fresh.controls_caught) notes.push_back("fresh_controls_caught is null: the truth marks no fresh control");
  j["notes"] = notes;
  return j;
}

ordered_json describe(const evaluation::Explanation& x) {
  ordered_json j;
  ordered_json fates;
  for (int f = 0; f < evaluation::kRingFates; ++f) {
    fates[std::string(evaluation::ring_fate_name(static_cast<evaluation::RingFate>(f)))] = x.fates[f];
  }
  j["fates"] = fates;
  ordered_json rings = ordered_json::array();
  for (const auto& r : x.rings) {
    ordered_json p;
    p["name"] = r.piece.name;
    p["shared"] = r.piece.shared;
    p["size"] = r.piece.size;
    p["legit"] = r.piece.legit;
    p["other_rings"] = r.piece.other_rings;
    p["risk"] = r.piece.risk;
    p["exported"] = r.piece.exported;
    rings.push_back({{"ring", r.ring},
                     {"entities", r.entities},
                     {"storefronts", r.storefronts},
                     {"with_evidence", r.with_evidence},
                     {"fate", evaluation::ring_fate_name(r.fate)},
                     {"best_jaccard", r.best_jaccard},
                     {"piece", p},
                     {"pieces", r.pieces},
                     {"in_rest", r.in_rest}});
  }
  j["rings"] = rings;
  j["networks_taken"] = x.networks_taken;
  ordered_json networks = ordered_json::array();
  for (const auto& n : x.networks) {
    networks.push_back({{"network", n.network},
                        {"rank", n.rank},
                        {"members", n.members},
                        {"ring_members", n.ring_members},
                        {"rings", n.rings},
                        {"largest_ring", n.largest_ring},
                        {"hub", n.legit_by_group[static_cast<int>(evaluation::LookAlike::kHub)]},
                        {"multi_store", n.legit_by_group[static_cast<int>(evaluation::LookAlike::kMultiStore)]},
                        {"franchise", n.legit_by_group[static_cast<int>(evaluation::LookAlike::kFranchise)]},
                        {"what", n.what}});
  }
  j["networks"] = networks;
  return j;
}

int run_eval(const EvalOptions& o) {
  auto truth_entries = evaluation::read_truth(o.truth);
  if (!truth_entries.is_ok()) return report_failure(truth_entries.status());
  const evaluation::TruthIndex truth(std::move(truth_entries).value());
  auto outputs = evaluation::read_run_outputs(o.out_dir);
  if (!outputs.is_ok()) return report_failure(outputs.status());
  auto shipments = evaluation::read_ring_shipments(o.dataset, truth);
  if (!shipments.is_ok()) return report_failure(shipments.status());
  const evaluation::Evaluation e =
      evaluation::evaluate(truth, outputs.value().networks, outputs.value().targets, shipments.value());
  if (!o.explain) {
    fmt::print("{}\n", describe(e).dump(2));
    return kExitOk;
  }
  auto internals = evaluation::read_run_internals(o.out_dir);
  if (!internals.is_ok()) return report_failure(internals.status());
  const evaluation::Explanation x = evaluation::explain(truth, outputs.value().networks, internals.value());
  if (o.json) {
    ordered_json j = describe(e);
    j["explain"] = describe(x);
    fmt::print("{}\n", j.dump(2));
  } else {
    fmt::print("{}", evaluation::format_explanation(x));
  }
  return kExitOk;
}

}  // namespace

void add_eval_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<EvalOptions>();
  CLI::App* cmd = app.add_subcommand(
      "eval", "Score a run's exports (networks, members, targets) against a generated market's truth");
  cmd->add_option("OUTDIR", o->out_dir, "The run's output folder (networks.csv, members.csv, targets.csv)")
      ->required();
  cmd->add_option("--truth", o->truth, "The planted answer: truth.csv or truth.csv.gz")->required();
  cmd->add_option("--dataset", o->dataset, "The dataset folder the run read (for its shipments)")->required();
  cmd->add_flag("--explain", o->explain,
                "Say where each planted ring went (found, merged, split, below minimum risk, not cut out, "
                "scattered) and what each network that is no ring is; reads the run's graph.h5, "
                "communities.h5 and risk.h5 too");
  cmd->add_flag("--json", o->json, "With --explain: print the metrics and the explanation as JSON");
  cmd->callback([o, &exit_code] { exit_code = run_eval(*o); });
}

}  // namespace sourcetrace::cli
