// Job files: TOML → options structs, with every key checked.
#include "sourcetrace/pipeline/job.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

#include "sourcetrace/risk/risk_file.hpp"
#include "sourcetrace/tables/contract.hpp"
#include "sourcetrace/tables/digest.hpp"
#include "sourcetrace/pipeline/toml_sections.hpp"

namespace sourcetrace::pipeline {

namespace {

// Reads typed values from one table of the job; every value read (or left
// at its default) is recorded in `parameters`, for summary.json.
class Section {
 public:
  Section(const toml::table& root, std::string name, const std::string& path, nlohmann::json& parameters)
      : section_(root, name, path, "jobs/default.toml"), parameters_(parameters[name]) {}

  template <typename T>
  Status read(const char* key, T& out) {
    Status s = parse(key, out);
    parameters_[key] = out;
    return s;
  }

  Status check_unknown() const { return section_.check_unknown(); }

 private:
  template <typename T>
  Status parse(const char* key, T& out) {
    const toml::node* node = section_.find(key);
    if (node == nullptr) return Status::ok();
    if constexpr (std::is_same_v<T, bool>) {
      if (auto v = node->value<bool>()) return out = *v, Status::ok();
    } else if constexpr (std::is_floating_point_v<T>) {
      if (auto v = node->value<double>()) return out = *v, Status::ok();
    } else if constexpr (std::is_integral_v<T>) {
      if (auto v = node->value<std::int64_t>(); v && *v >= 0) return out = static_cast<T>(*v), Status::ok();
    } else {
      if (auto v = node->value<std::string>()) return out = *v, Status::ok();
    }
    return section_.invalid(node, key, "has the wrong type");
  }

  TomlSection section_;
  nlohmann::json& parameters_;
};

// [risk] weights_from: the evidence weights of a fit stored by `score --fit`
// replace the job's own. The fit's weights join the digest, so outputs
// scored with an older fit are not taken for current. `where` is
// "file:line: [risk] weights_from" for messages.
Status use_fitted_weights(const std::string& where, const std::string& from, Job& job) {
  std::filesystem::path file(from);
  if (file.is_relative()) file = std::filesystem::path(job.path).parent_path() / file;
  auto fit = risk::read_weight_fit_file(file.string());
  if (!fit.is_ok()) {
    if (fit.status().code() != Status::Code::kNotFound) return fit.status().with_context(where);
    return Status::invalid_argument(where + ": " + fit.status().message());
  }
  if (!fit->fitted) {
    return Status::invalid_argument(
        fmt::format("{}: {} has no learned weights to reuse ({})", where, file.string(), fit->reason));
  }
  job.evidence = fit->weights;
  const risk::EvidenceWeights& w = job.evidence;
  nlohmann::json& used = job.parameters["risk"];  // the weights as used, not as written
  used["takedown"] = w.takedown;
  used["test_buy_counterfeit"] = w.test_buy_counterfeit;
  used["test_buy_genuine"] = w.test_buy_genuine;
  used["complaint"] = w.complaint;
  used["enforcement_confirmed"] = w.enforcement_confirmed;
  used["half_life_days"] = w.half_life_days;
  return Status::ok();
}

}  // namespace

std::string Job::stage_digest(std::string_view stage) const {
  nlohmann::json read = nlohmann::json::object();
  auto section = [&](const char* name) { read[name] = parameters.value(name, nlohmann::json::object()); };
  if (stage == "detect") {
    section("combine");
    section("detect");
  } else if (stage == "score") {
    section("combine");
    section("risk");
  } else if (stage == "track") {
    section("continuity");
    section("changes");
    section("alerts");
    read["export"]["min_risk"] = min_risk;
  } else {
    section("targets");
    read["export"]["min_risk"] = min_risk;
  }
  // Keys sorted, numbers written to round-trip: the same values, the same text.
  return tables::digest_of(fmt::format("{}\n{}", stage, read.dump())).hex();
}

std::string digest_with_weights(const std::string& digest, const risk::EvidenceWeights& w) {
  return tables::digest_of(fmt::format("{}\nweights {:a} {:a} {:a} {:a} {:a} {:a}", digest, w.takedown,
                                       w.test_buy_counterfeit, w.test_buy_genuine, w.complaint,
                                       w.enforcement_confirmed, w.half_life_days))
      .hex();
}

// A market's default detection density (jobs/default.toml says why);
// LeidenOptions's own default (0, modularity) serves plain graphs.
constexpr double kMarketDensity = 3e-4;

Result<Job> load_job(const std::string& path) {
  Job job;
  toml::table root;  // empty for the built-in defaults
  if (!path.empty()) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::missing_input(path + ": cannot open job file");
    std::stringstream text;
    text << in.rdbuf();
    job.path = path;
    job.digest = tables::digest_of(text.str()).hex();
    auto parsed =
        parse_sections(path, text.str(), {"combine", "detect", "risk", "continuity", "changes", "alerts", "targets", "export", "trace"}, "jobs/default.toml");
    if (!parsed.is_ok()) return parsed.status();
    root = std::move(parsed.value());
  }

  Section combine(root, "combine", job.path, job.parameters);
  graph::CombineOptions& c = job.combine;
  ST_RETURN_IF_ERROR(combine.read("seller_weight", c.layer_weight[0]));
  ST_RETURN_IF_ERROR(combine.read("warehouse_weight", c.layer_weight[1]));
  ST_RETURN_IF_ERROR(combine.read("payment_weight", c.layer_weight[2]));
  ST_RETURN_IF_ERROR(combine.read("shipment_weight", c.layer_weight[3]));
  for (std::size_t t = 0; t < graph::kLinkTypes; ++t) {
    const std::string key = std::string(tables::kLinkTypeNames[t]) + "_weight";
    ST_RETURN_IF_ERROR(combine.read(key.c_str(), c.link_weight[t]));
  }
  ST_RETURN_IF_ERROR(combine.read("damp_hubs", c.damp_hubs));
  ST_RETURN_IF_ERROR(combine.read("hub_degree", c.hub_degree));
  ST_RETURN_IF_ERROR(combine.read("hub_exponent", c.hub_exponent));
  ST_RETURN_IF_ERROR(combine.check_unknown());
  ST_RETURN_IF_ERROR(graph::validate(c).with_context(path + ": [combine]"));

  Section detect(root, "detect", job.path, job.parameters);
  community::LeidenOptions& d = job.detect;
  d.density = kMarketDensity;
  std::string algorithm = "leiden";
  ST_RETURN_IF_ERROR(detect.read("algorithm", algorithm));
  if (algorithm != "leiden" && algorithm != "louvain") {
    return Status::invalid_argument(path + ": [detect] algorithm must be \"leiden\" or \"louvain\"");
  }
  d.method = algorithm == "leiden" ? community::LeidenOptions::Method::kLeiden
                                   : community::LeidenOptions::Method::kLouvain;
  ST_RETURN_IF_ERROR(detect.read("resolution", d.resolution));
  ST_RETURN_IF_ERROR(detect.read("density", d.density));
  ST_RETURN_IF_ERROR(detect.read("seed", d.seed));
  ST_RETURN_IF_ERROR(detect.read("deterministic", d.deterministic));
  ST_RETURN_IF_ERROR(detect.read("max_levels", d.max_levels));
  ST_RETURN_IF_ERROR(detect.read("max_passes", d.max_passes));
  ST_RETURN_IF_ERROR(detect.read("iterations", d.iterations));
  ST_RETURN_IF_ERROR(detect.read("tolerance", d.tolerance));
  ST_RETURN_IF_ERROR(detect.read("tolerance_drop", d.tolerance_drop));
  ST_RETURN_IF_ERROR(detect.read("aggregation_tolerance", d.aggregation_tolerance));
  ST_RETURN_IF_ERROR(detect.read("gather_below", job.gather_below));
  ST_RETURN_IF_ERROR(detect.read("rounds", job.rounds));
  ST_RETURN_IF_ERROR(detect.read("warm_start", job.warm_start));
  ST_RETURN_IF_ERROR(detect.check_unknown());
  ST_RETURN_IF_ERROR(community::validate(job.detect_levels()).with_context(path + ": [detect]"));

  Section risk_section(root, "risk", job.path, job.parameters);
  risk::EvidenceWeights& w = job.evidence;
  ST_RETURN_IF_ERROR(risk_section.read("takedown", w.takedown));
  ST_RETURN_IF_ERROR(risk_section.read("test_buy_counterfeit", w.test_buy_counterfeit));
  ST_RETURN_IF_ERROR(risk_section.read("test_buy_genuine", w.test_buy_genuine));
  ST_RETURN_IF_ERROR(risk_section.read("complaint", w.complaint));
  ST_RETURN_IF_ERROR(risk_section.read("enforcement_confirmed", w.enforcement_confirmed));
  ST_RETURN_IF_ERROR(risk_section.read("half_life_days", w.half_life_days));
  ST_RETURN_IF_ERROR(risk_section.read("prior_sellers", job.network_risk.prior_sellers));
  ST_RETURN_IF_ERROR(risk_section.read("structure_floor", job.network_risk.structure_floor));
  ST_RETURN_IF_ERROR(risk_section.read("open_density", job.network_risk.open_density));
  ST_RETURN_IF_ERROR(risk_section.read("open_sellers", job.network_risk.open_sellers));
  ST_RETURN_IF_ERROR(risk_section.read("spread", job.spread.alpha));
  ST_RETURN_IF_ERROR(risk_section.read("spread_rounds", job.spread.rounds));
  ST_RETURN_IF_ERROR(risk_section.read("main_share", job.network_cut.main_share));
  ST_RETURN_IF_ERROR(risk_section.read("hub_share", job.network_cut.hub_share));
  ST_RETURN_IF_ERROR(risk_section.read("exclusive_share", job.network_cut.exclusive_share));
  ST_RETURN_IF_ERROR(risk_section.read("payout_share", job.network_cut.payout_share));
  job.network_risk.link_weight = job.combine.link_weight;
  ST_RETURN_IF_ERROR(risk_section.read("fit", job.fit));
  ST_RETURN_IF_ERROR(risk_section.read("fit_min_per_class", job.fit_options.min_per_class));
  ST_RETURN_IF_ERROR(risk_section.read("fit_min_auc_gain", job.fit_options.min_auc_gain));
  ST_RETURN_IF_ERROR(risk_section.read("fit_confidence", job.fit_options.confidence));
  std::string weights_from;
  ST_RETURN_IF_ERROR(risk_section.read("weights_from", weights_from));
  ST_RETURN_IF_ERROR(risk_section.check_unknown());
  if (!weights_from.empty()) {
    const toml::node* node = root["risk"]["weights_from"].node();
    const std::string where = fmt::format("{}:{}: [risk] weights_from", path, node->source().begin.line);
    ST_RETURN_IF_ERROR(use_fitted_weights(where, weights_from, job));
    job.fit = false;  // the weights are a fit's already: learning again would replace them
    job.parameters["risk"]["fit"] = false;
  }
  ST_RETURN_IF_ERROR(risk::validate(w).with_context(path + ": [risk]"));
  ST_RETURN_IF_ERROR(risk::validate(job.fit_options).with_context(path + ": [risk]"));
  ST_RETURN_IF_ERROR(risk::validate(job.network_risk).with_context(path + ": [risk]"));
  ST_RETURN_IF_ERROR(risk::validate(job.spread).with_context(path + ": [risk]"));
  ST_RETURN_IF_ERROR(risk::validate(job.network_cut).with_context(path + ": [risk]"));

  Section continuity(root, "continuity", job.path, job.parameters);
  risk::LineageOptions& l = job.lineage;
  ST_RETURN_IF_ERROR(continuity.read("min_overlap", l.min_overlap));
  ST_RETURN_IF_ERROR(continuity.read("source_weight", l.source));
  ST_RETURN_IF_ERROR(continuity.read("distributor_weight", l.distributor));
  ST_RETURN_IF_ERROR(continuity.read("storefront_weight", l.storefront));
  ST_RETURN_IF_ERROR(continuity.read("collector_weight", l.collector));
  ST_RETURN_IF_ERROR(continuity.read("legit_weight", l.legit));
  ST_RETURN_IF_ERROR(continuity.read("evidence_weight", l.evidence));
  ST_RETURN_IF_ERROR(continuity.check_unknown());
  ST_RETURN_IF_ERROR(risk::validate(l).with_context(path));

  Section changes(root, "changes", job.path, job.parameters);
  ST_RETURN_IF_ERROR(changes.read("grown", job.changes.grown));
  ST_RETURN_IF_ERROR(changes.read("shrunk", job.changes.shrunk));
  ST_RETURN_IF_ERROR(changes.check_unknown());
  ST_RETURN_IF_ERROR(risk::validate(job.changes).with_context(path));

  Section alerts(root, "alerts", job.path, job.parameters);
  ST_RETURN_IF_ERROR(alerts.read("fresh_days", job.alerts.fresh_days));
  ST_RETURN_IF_ERROR(alerts.read("risk_rise", job.alerts.risk_rise));
  ST_RETURN_IF_ERROR(alerts.check_unknown());
  ST_RETURN_IF_ERROR(risk::validate(job.alerts).with_context(path));

  Section targets_section(root, "targets", job.path, job.parameters);
  targets::EliminationOptions& e = job.elimination;
  ST_RETURN_IF_ERROR(targets_section.read("max_targets", e.max_targets));
  ST_RETURN_IF_ERROR(targets_section.read("source_cost", e.source_cost));
  ST_RETURN_IF_ERROR(targets_section.read("distributor_cost", e.distributor_cost));
  ST_RETURN_IF_ERROR(targets_section.read("storefront_cost", e.storefront_cost));
  ST_RETURN_IF_ERROR(targets_section.read("payout_account_cost", e.payout_account_cost));
  ST_RETURN_IF_ERROR(targets_section.read("collector_cost", e.collector_cost));
  ST_RETURN_IF_ERROR(targets_section.read("exact_candidates", e.exact_candidates));
  ST_RETURN_IF_ERROR(targets_section.read("name_remaining_suppliers", e.name_remaining_suppliers));
  ST_RETURN_IF_ERROR(targets_section.check_unknown());
  ST_RETURN_IF_ERROR(targets::validate(e).with_context(path + ": [targets]"));

  Section export_section(root, "export", job.path, job.parameters);
  ST_RETURN_IF_ERROR(export_section.read("min_risk", job.min_risk));
  ST_RETURN_IF_ERROR(export_section.check_unknown());
  if (!(job.min_risk >= 0 && job.min_risk <= 1)) {
    return Status::invalid_argument(path + ": [export] min_risk must be in [0, 1]");
  }

  Section trace_section(root, "trace", job.path, job.parameters);
  ST_RETURN_IF_ERROR(trace_section.read("max_fanout", job.trace_max_fanout));
  ST_RETURN_IF_ERROR(trace_section.check_unknown());
  if (job.trace_max_fanout < 1) return Status::invalid_argument(path + ": [trace] max_fanout must be at least 1");
  return job;
}

}  // namespace sourcetrace::pipeline
