// `sourcetrace eval`: scores a batch run's exports against a generated
// market's truth and prints the figures as JSON.
#include <fmt/core.h>

#include <nlohmann/json.hpp>
#include <optional>

#include "commands.hpp"
#include "sourcetrace/cli/exit_code.hpp"
#include "sourcetrace/evaluation/metrics.hpp"
#include "sourcetrace/evaluation/run_outputs.hpp"

namespace sourcetrace::cli {

namespace {

using nlohmann::ordered_json;

struct EvalOptions {
  std::string out_dir;
  std::string truth;
  std::string dataset;
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
  j["notes"] = notes;
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
  fmt::print("{}\n", describe(e).dump(2));
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
  cmd->callback([o, &exit_code] { exit_code = run_eval(*o); });
}

}  // namespace sourcetrace::cli
