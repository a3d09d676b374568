// `/risk` in a stage file.
#include "sourcetrace/risk/risk_file.hpp"

#include <span>

#include "sourcetrace/store/graph_file.hpp"
#include "sourcetrace/store/run_file.hpp"

namespace sourcetrace::risk {

namespace {

template <typename T, typename F>
std::vector<T> column(const std::vector<NetworkRisk>& networks, F field) {
  std::vector<T> out;
  out.reserve(networks.size());
  for (const NetworkRisk& n : networks) out.push_back(static_cast<T>(field(n)));
  return out;
}

// Every number of a fit with its attribute name, for writing and reading
// alike: real(name, double&), count(name, std::uint32_t&).
template <typename Fit, typename Real, typename Count>
void visit_fit_numbers(Fit& fit, Real real, Count count) {
  auto weights = [&](auto& w, const std::string& prefix) {
    real(prefix + "weight_takedown", w.takedown);
    real(prefix + "weight_test_buy_counterfeit", w.test_buy_counterfeit);
    real(prefix + "weight_test_buy_genuine", w.test_buy_genuine);
    real(prefix + "weight_complaint", w.complaint);
    real(prefix + "weight_enforcement_confirmed", w.enforcement_confirmed);
    real(prefix + "half_life_days", w.half_life_days);
  };
  weights(fit.weights, "");
  weights(fit.job_weights, "job_");
  for (std::size_t j = 0; j < kPredictorSignals.size(); ++j) {
    real("coef_" + std::string(tables::kSignalNames[static_cast<int>(kPredictorSignals[j])]), fit.coefficients[j]);
  }
  real("intercept", fit.intercept);
  real("cv_auc", fit.cv_fitted.auc);
  real("cv_auc_job", fit.cv_job.auc);
  real("cv_log_loss", fit.cv_fitted.log_loss);
  real("cv_log_loss_job", fit.cv_job.log_loss);
  real("prior_sellers", fit.options.prior_sellers);
  real("l2", fit.options.l2);
  count("positives", fit.positives);
  count("negatives", fit.negatives);
  count("networks", fit.networks);
  count("folds", fit.options.folds);
  count("folds_with_both", fit.folds);
  count("min_per_class", fit.options.min_per_class);
}

}  // namespace

Status write_weight_fit(store::H5File& f, const WeightFit& fit) {
  const std::string g = "/risk/fit";
  ST_RETURN_IF_ERROR(f.create_group(g));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "fitted", std::int64_t{fit.fitted}));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "reason", fit.reason));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "as_of", std::int64_t{fit.as_of}));
  Status status;
  visit_fit_numbers(
      fit,
      [&](const std::string& name, double value) {
        if (status.is_ok()) status = f.write_attribute(g, name, value);
      },
      [&](const std::string& name, std::uint32_t value) {
        if (status.is_ok()) status = f.write_attribute(g, name, std::int64_t{value});
      });
  if (status.is_ok()) status = f.write_attribute(g, "min_auc_gain", fit.options.min_auc_gain);
  if (status.is_ok()) status = f.write_attribute(g, "min_confidence", fit.options.confidence);
  if (status.is_ok()) status = f.write_attribute(g, "cv_confidence", fit.confidence);
  return status;
}

Result<WeightFit> read_weight_fit(const store::H5File& f) {
  const std::string g = "/risk/fit";
  if (!f.exists(g)) {
    return Status::not_found(f.path() + ": no /risk/fit (the file was not scored with `sourcetrace score --fit`)");
  }
  WeightFit fit;
  auto fitted = f.read_int_attribute(g, "fitted");
  auto reason = f.read_string_attribute(g, "reason");
  auto as_of = f.read_int_attribute(g, "as_of");
  for (const Status* s : {&fitted.status(), &reason.status(), &as_of.status()}) {
    if (!s->is_ok()) return Status::corrupt(s->message());
  }
  fit.fitted = fitted.value() != 0;
  fit.reason = reason.value();
  fit.as_of = static_cast<tables::Day>(as_of.value());
  Status status;
  visit_fit_numbers(
      fit,
      [&](const std::string& name, double& value) {
        auto v = f.read_double_attribute(g, name);
        if (!v.is_ok() && status.is_ok()) status = Status::corrupt(v.status().message());
        if (v.is_ok()) value = v.value();
      },
      [&](const std::string& name, std::uint32_t& value) {
        auto v = f.read_int_attribute(g, name);
        if (status.is_ok() && (!v.is_ok() || v.value() < 0 || v.value() > UINT32_MAX)) {
          status = Status::corrupt(f.path() + ": " + g + "@" + name + " missing or out of range");
        }
        if (v.is_ok()) value = static_cast<std::uint32_t>(v.value());
      });
  if (!status.is_ok()) return status;
  // Files from engines before the margin and the resamples have none: they
  // took any gain.
  auto optional = [&](const char* name, double& value) {
    auto v = f.read_double_attribute(g, name);
    value = v.is_ok() ? v.value() : 0.0;
  };
  optional("min_auc_gain", fit.options.min_auc_gain);
  optional("min_confidence", fit.options.confidence);
  optional("cv_confidence", fit.confidence);
  if (fit.fitted && !validate(fit.weights).is_ok()) {
    return Status::corrupt(f.path() + ": " + g + " holds invalid weights");
  }
  return fit;
}

Status write_risk(store::H5File& f, const RiskRecord& r) {
  const std::string g = "/risk";
  ST_RETURN_IF_ERROR(f.create_group(g));
  std::vector<std::uint8_t> roles(r.roles.size());
  for (std::size_t i = 0; i < roles.size(); ++i) roles[i] = static_cast<std::uint8_t>(r.roles[i]);
  ST_RETURN_IF_ERROR(f.write_array(g + "/entity_role", roles));
  ST_RETURN_IF_ERROR(f.write_array(g + "/entity_network", r.network));
  ST_RETURN_IF_ERROR(f.write_array(g + "/entity_suspicion", r.suspicion));
  ST_RETURN_IF_ERROR(f.write_array(g + "/entity_risk", r.member_risk));
  ST_RETURN_IF_ERROR(f.write_array(g + "/entity_positive", r.scores.positive));
  ST_RETURN_IF_ERROR(f.write_array(g + "/entity_negative", r.scores.negative));

  const auto& n = r.networks;
  ST_RETURN_IF_ERROR(f.write_array(g + "/network_risk", column<double>(n, [](auto& x) { return x.risk; })));
  ST_RETURN_IF_ERROR(f.write_array(g + "/network_evidence_risk", column<double>(n, [](auto& x) { return x.evidence_risk; })));
  ST_RETURN_IF_ERROR(f.write_array(g + "/network_structure", column<double>(n, [](auto& x) { return x.structure; })));
  ST_RETURN_IF_ERROR(f.write_array(g + "/network_reports", column<std::uint32_t>(n, [](auto& x) { return x.reports; })));
  std::vector<std::uint64_t> offsets{0};
  std::string bytes;
  for (const NetworkRisk& x : n) {
    bytes += x.reason;
    offsets.push_back(bytes.size());
  }
  ST_RETURN_IF_ERROR(f.write_array(g + "/network_reason_offsets", offsets));
  ST_RETURN_IF_ERROR(f.write_array(
      g + "/network_reason_bytes",
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size())));

  ST_RETURN_IF_ERROR(f.write_attribute(g, "as_of", std::int64_t{r.as_of}));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "graph_digest", r.graph_digest));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "communities_digest", r.communities_digest));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "job_digest", r.job_digest));
  const EvidenceWeights& w = r.weights;
  ST_RETURN_IF_ERROR(f.write_attribute(g, "weight_takedown", w.takedown));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "weight_test_buy_counterfeit", w.test_buy_counterfeit));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "weight_test_buy_genuine", w.test_buy_genuine));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "weight_complaint", w.complaint));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "weight_enforcement_confirmed", w.enforcement_confirmed));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "half_life_days", w.half_life_days));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "prior_sellers", r.options.prior_sellers));
  ST_RETURN_IF_ERROR(f.write_attribute(g, "structure_floor", r.options.structure_floor));
  if (r.fit) ST_RETURN_IF_ERROR(write_weight_fit(f, *r.fit));
  if (!r.feedback.empty()) ST_RETURN_IF_ERROR(write_feedback(f, r.feedback));
  return Status::ok();
}

Result<RiskRecord> read_risk(const store::H5File& f) {
  const std::string g = "/risk";
  if (!f.exists(g)) return Status::corrupt(f.path() + ": no /risk group (run `sourcetrace score`)");
  RiskRecord r;
  auto roles = f.read_array<std::uint8_t>(g + "/entity_role");
  auto network = f.read_array<std::uint32_t>(g + "/entity_network");
  auto suspicion = f.read_array<double>(g + "/entity_suspicion");
  auto member_risk = f.read_array<double>(g + "/entity_risk");
  auto positive = f.read_array<double>(g + "/entity_positive");
  auto negative = f.read_array<double>(g + "/entity_negative");
  auto risk = f.read_array<double>(g + "/network_risk");
  auto evidence = f.read_array<double>(g + "/network_evidence_risk");
  auto structure = f.read_array<double>(g + "/network_structure");
  auto reports = f.read_array<std::uint32_t>(g + "/network_reports");
  auto offsets = f.read_array<std::uint64_t>(g + "/network_reason_offsets");
  auto bytes = f.read_array<std::uint8_t>(g + "/network_reason_bytes");
  for (const Status* s : {&roles.status(), &network.status(), &suspicion.status(), &member_risk.status(), &positive.status(), &negative.status(), &risk.status(),
                          &evidence.status(), &structure.status(), &reports.status(), &offsets.status(),
                          &bytes.status()}) {
    if (!s->is_ok()) return *s;
  }
  const std::size_t networks = risk.value().size();
  if (offsets.value().size() != networks + 1 || offsets.value().back() != bytes.value().size() ||
      evidence.value().size() != networks || structure.value().size() != networks ||
      reports.value().size() != networks || positive.value().size() != roles.value().size() ||
      negative.value().size() != roles.value().size() || network.value().size() != roles.value().size() ||
      suspicion.value().size() != roles.value().size() || member_risk.value().size() != roles.value().size()) {
    return Status::corrupt(f.path() + ": /risk arrays of inconsistent length");
  }
  for (std::uint32_t n : network.value()) {
    if (n >= networks) return Status::corrupt(f.path() + ": /risk/entity_network out of range");
  }
  r.network = std::move(network).value();
  r.suspicion = std::move(suspicion).value();
  r.member_risk = std::move(member_risk).value();
  for (std::uint8_t role : roles.value()) {
    if (role >= kRoleNames.size()) return Status::corrupt(f.path() + ": /risk/entity_role out of range");
    r.roles.push_back(static_cast<Role>(role));
  }
  r.scores.positive = std::move(positive).value();
  r.scores.negative = std::move(negative).value();
  for (std::size_t c = 0; c < networks; ++c) {
    NetworkRisk n;
    n.community = static_cast<community::CommunityId>(c);
    n.risk = risk.value()[c];
    n.evidence_risk = evidence.value()[c];
    n.structure = structure.value()[c];
    n.reports = reports.value()[c];
    const auto& o = offsets.value();
    n.reason.assign(bytes.value().begin() + static_cast<std::ptrdiff_t>(o[c]),
                    bytes.value().begin() + static_cast<std::ptrdiff_t>(o[c + 1]));
    r.networks.push_back(std::move(n));
  }
  if (auto as_of = f.read_int_attribute(g, "as_of"); as_of.is_ok()) r.as_of = static_cast<tables::Day>(as_of.value());
  for (auto [field, name] : {std::pair{&r.graph_digest, "graph_digest"},
                             {&r.communities_digest, "communities_digest"},
                             {&r.job_digest, "job_digest"}}) {
    auto v = f.read_string_attribute(g, name);
    *field = v.is_ok() ? v.value() : "";
  }
  if (f.exists(g + "/fit")) {
    auto fit = read_weight_fit(f);
    if (!fit.is_ok()) return fit.status();
    r.fit = std::move(fit).value();
  }
  auto feedback = read_feedback(f);
  if (!feedback.is_ok()) return feedback.status();
  r.feedback = std::move(feedback).value();
  return r;
}

Result<ScoredMarket> read_scored_market(const std::string& graph_path, const std::string& risk_path,
                                        store::LayerRead layers) {
  auto graph = store::read_graph_file(graph_path, nullptr, layers);
  if (!graph.is_ok()) return graph.status();
  auto scored = read_risk_file(risk_path);
  if (!scored.is_ok()) return scored.status();
  ScoredMarket m{std::move(graph).value(), std::move(scored).value()};
  ST_RETURN_IF_ERROR(merge_feedback(m.graph, m.risk.feedback).with_context(graph_path + " and " + risk_path));
  return m;
}

Result<RiskRecord> read_risk_file(const std::string& path) {
  auto file = store::open_run_file(path);
  if (!file.is_ok()) return file.status();
  return read_risk(file.value());
}

Result<WeightFit> read_weight_fit_file(const std::string& path) {
  auto file = store::open_run_file(path);
  if (!file.is_ok()) return file.status();
  return read_weight_fit(file.value());
}

}  // namespace sourcetrace::risk
