// Weight fit: outcomes → labels, network rates → features, a non-negative
// ridge logistic regression by Newton's method, cross-validated by network.
#include "sourcetrace/risk/weight_fit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "sourcetrace/community/splitmix64.hpp"
#include "sourcetrace/risk/logistic.hpp"
#include "sourcetrace/tables/fields.hpp"

namespace sourcetrace::risk {

using graph::VertexId;
using tables::Signal;

Status validate(const FitOptions& o) {
  if (!(o.prior_sellers > 0)) return Status::invalid_argument("prior_sellers must be > 0");
  if (o.folds < 2) return Status::invalid_argument("folds must be >= 2");
  if (o.min_per_class < 1) return Status::invalid_argument("min_per_class must be >= 1");
  if (!(o.l2 > 0) || !std::isfinite(o.l2)) return Status::invalid_argument("l2 must be > 0");
  if (!(o.min_auc_gain >= 0 && o.min_auc_gain < 1)) {
    return Status::invalid_argument("min_auc_gain must be in [0, 1)");
  }
  if (!(o.confidence >= 0 && o.confidence <= 1)) return Status::invalid_argument("confidence must be in [0, 1]");
  return Status::ok();
}

namespace {

constexpr std::size_t kFeatures = kPredictorSignals.size();
using Features = std::array<double, kFeatures>;

// The labelled entities of one network and class, as one example.
struct Example {
  community::CommunityId network;
  bool confirmed;
  double weight;  // their share of the network's labelled entities
};

double sigmoid(double eta) { return 1.0 / (1.0 + std::exp(-eta)); }

// Probability that a confirmed example scores above a genuine one (ties
// count half), each (confirmed, genuine) pair weighing the product of the
// two examples' weights.
double auc(const std::vector<double>& score, const std::vector<bool>& y, const std::vector<double>& w) {
  std::vector<std::size_t> order(score.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return score[a] < score[b]; });
  double above = 0, positives = 0, negatives = 0;  // above: weighted pairs ranked right
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    double tied_positive = 0, tied_negative = 0;
    for (; j < order.size() && score[order[j]] == score[order[i]]; ++j) {
      (y[order[j]] ? tied_positive : tied_negative) += w[order[j]];
    }
    above += tied_positive * (negatives + 0.5 * tied_negative);
    positives += tied_positive, negatives += tied_negative;
    i = j;
  }
  if (positives == 0 || negatives == 0) return 0.5;
  return above / (positives * negatives);
}

// AUC over the (confirmed, genuine) pairs held out in the same fold: each
// fold's model ranks only its own examples, so folds whose models differ in
// offset do not blur the ranking as one pooled AUC would.
double within_fold_auc(const std::vector<double>& score, const std::vector<bool>& y, const std::vector<double>& w,
                       const std::vector<std::uint32_t>& fold, std::uint32_t folds) {
  double sum = 0, pairs = 0;
  for (std::uint32_t f = 0; f < folds; ++f) {
    std::vector<double> s, weights;
    std::vector<bool> labels;
    double positives = 0, negatives = 0;
    for (std::size_t i = 0; i < y.size(); ++i) {
      if (fold[i] != f) continue;
      s.push_back(score[i]);
      labels.push_back(y[i]);
      weights.push_back(w[i]);
      (y[i] ? positives : negatives) += w[i];
    }
    const double weight = positives * negatives;
    if (weight > 0) sum += auc(s, labels, weights) * weight, pairs += weight;
  }
  return pairs > 0 ? sum / pairs : 0.5;
}

double log_loss(const std::vector<double>& probability, const std::vector<bool>& y, const std::vector<double>& w) {
  double sum = 0, total = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double p = std::clamp(probability[i], 1e-15, 1 - 1e-15);
    sum -= w[i] * (y[i] ? std::log(p) : std::log1p(-p));
    total += w[i];
  }
  return total > 0 ? sum / total : 0.0;
}

// The share of bootstrap resamples of the labelled networks (a network's
// examples drawn together, with replacement) in which the learned weights
// rank the held-out outcomes better than the job's: a few dozen outcomes
// give held-out AUCs that differ by a few hundredths by chance alone.
// Deterministic: the draws are a fixed hash sequence.
double bootstrap_confidence(const std::vector<Example>& examples, const std::vector<double>& fitted,
                            const std::vector<double>& job, const std::vector<bool>& y,
                            const std::vector<double>& w, const std::vector<std::uint32_t>& fold,
                            std::uint32_t folds) {
  constexpr int kResamples = 200;
  // Examples come network by network: the first example of each network.
  std::vector<std::size_t> first;
  for (std::size_t i = 0; i < examples.size(); ++i) {
    if (i == 0 || examples[i].network != examples[i - 1].network) first.push_back(i);
  }
  first.push_back(examples.size());
  const std::size_t networks = first.size() - 1;
  int wins = 0;
  std::vector<double> f, j, weights;
  std::vector<bool> labels;
  std::vector<std::uint32_t> folds_of;
  for (int r = 0; r < kResamples; ++r) {
    f.clear(), j.clear(), weights.clear(), labels.clear(), folds_of.clear();
    for (std::size_t k = 0; k < networks; ++k) {
      const std::size_t pick = community::splitmix64((static_cast<std::uint64_t>(r) << 32) + k + 1) % networks;
      for (std::size_t i = first[pick]; i < first[pick + 1]; ++i) {
        f.push_back(fitted[i]), j.push_back(job[i]), weights.push_back(w[i]);
        labels.push_back(y[i]), folds_of.push_back(fold[i]);
      }
    }
    wins += within_fold_auc(f, labels, weights, folds_of, folds) > within_fold_auc(j, labels, weights, folds_of, folds);
  }
  return static_cast<double>(wins) / kResamples;
}

// A fixed hash of a network's id (splitmix64's finaliser): its fold.
std::uint32_t fold_of(community::CommunityId c, std::uint32_t folds) {
  std::uint64_t z = c + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return static_cast<std::uint32_t>((z ^ (z >> 31)) % folds);
}

double job_weight(const EvidenceWeights& w, Signal s) {
  switch (s) {
    case Signal::kTakedown: return w.takedown;
    case Signal::kTestBuyCounterfeit: return w.test_buy_counterfeit;
    case Signal::kComplaint: return w.complaint;
    case Signal::kTestBuyGenuine: return w.test_buy_genuine;
    case Signal::kEnforcementConfirmed: return w.enforcement_confirmed;
  }
  return 0;
}

}  // namespace

Result<WeightFit> fit_evidence_weights(const graph::MarketGraph& g, const community::Partition& p,
                                       const EvidenceWeights& job, tables::Day as_of, const FitOptions& o,
                                       const FeedbackEvidence& feedback) {
  ST_RETURN_IF_ERROR(validate(job));
  ST_RETURN_IF_ERROR(validate(o));
  // merge_feedback appends the journal's rows: the last ones.
  const std::size_t journal_rows = feedback.rows.size();
  if (g.evidence.size() < journal_rows ||
      !std::equal(feedback.rows.entity.begin(), feedback.rows.entity.end(),
                  g.evidence.entity.end() - static_cast<std::ptrdiff_t>(journal_rows))) {
    return Status::invalid_argument("the weight fit needs the feedback's reports merged into the market's evidence");
  }
  const std::size_t market_rows = g.evidence.size() - journal_rows;
  WeightFit fit;
  fit.weights = fit.job_weights = job;
  fit.as_of = as_of;
  fit.options = o;
  const std::string date = tables::format_date(as_of);

  // Labels: the newest outcome row of each entity; a tie counts as confirmed.
  const VertexId n = g.num_entities();
  std::vector<tables::Day> confirmed_on(n, tables::kNoDay), genuine_on(n, tables::kNoDay);
  // Features: decayed rows per predictor signal and community.
  std::vector<Features> mass(p.num_communities, Features{});
  for (std::size_t i = 0; i < g.evidence.size(); ++i) {
    const tables::Day day = g.evidence.day[i];
    if (day > as_of) continue;
    const VertexId v = g.evidence.entity[i];
    const auto signal = static_cast<Signal>(g.evidence.signal[i]);
    // A test-buy made through the service is an outcome either way: the
    // brand examined the goods. Were only its genuine result a label, every
    // ring it was made in would teach the fit only that it is no ring.
    const bool journal_outcome = i >= market_rows && signal == Signal::kTestBuyCounterfeit;
    if (signal == Signal::kEnforcementConfirmed || journal_outcome) confirmed_on[v] = std::max(confirmed_on[v], day);
    if (signal == Signal::kTestBuyGenuine) genuine_on[v] = std::max(genuine_on[v], day);
    // Reports written through the service are outcomes, never features:
    // brands test-buy and investigators close the networks the engine
    // ranked first, so as features they would teach the fit its own past
    // ranking (the networks it confirmed are the ones it had bought from).
    for (std::size_t j = 0; j < kFeatures && i < market_rows; ++j) {
      if (signal == kPredictorSignals[j]) {
        mass[p.membership[v]][j] += std::exp2(-static_cast<double>(as_of - day) / job.half_life_days);
      }
    }
  }
  // A verdict is the newest outcome of the entities it labels.
  for (std::size_t i = 0; i < feedback.label_entity.size() && i < feedback.label_confirmed.size(); ++i) {
    const VertexId v = feedback.label_entity[i];
    if (v >= n) continue;
    confirmed_on[v] = feedback.label_confirmed[i] ? as_of + 1 : tables::kNoDay;
    genuine_on[v] = feedback.label_confirmed[i] ? tables::kNoDay : as_of + 1;
  }
  // Members of one network share its features, so its labelled entities
  // are one example per class weighing their share: every network weighs 1.
  // Counted per entity instead, one confirmed network of hundreds would
  // outweigh all the others.
  std::vector<std::array<std::uint32_t, 2>> labelled(p.num_communities, {0, 0});
  for (VertexId v = 0; v < n; ++v) {
    if (confirmed_on[v] == tables::kNoDay && genuine_on[v] == tables::kNoDay) continue;
    const bool confirmed = confirmed_on[v] >= genuine_on[v];
    ++labelled[p.membership[v]][confirmed ? 1 : 0];
    ++(confirmed ? fit.positives : fit.negatives);
  }
  std::vector<Example> examples;
  for (community::CommunityId c = 0; c < p.num_communities; ++c) {
    const double total = labelled[c][0] + labelled[c][1];
    if (total == 0) continue;
    ++fit.networks;
    for (bool confirmed : {false, true}) {
      if (labelled[c][confirmed]) examples.push_back({c, confirmed, labelled[c][confirmed] / total});
    }
  }
  for (auto [count, name] : {std::pair{fit.positives, "enforcement_confirmed"}, {fit.negatives, "test_buy_genuine"}}) {
    if (count == 0) {
      fit.reason = fmt::format("no {} rows on or before {}: keeping the job's weights", name, date);
      return fit;
    }
    if (count < o.min_per_class) {
      fit.reason = fmt::format("only {} entit{} with {} on or before {} (at least {} needed): keeping the job's weights",
                               count, count == 1 ? "y" : "ies", name, date, o.min_per_class);
      return fit;
    }
  }

  // Network rates per seller, shrunk toward the market's as network_risk does.
  std::vector<double> sellers(p.num_communities, 0.0);
  double market_sellers = 0;
  for (VertexId v = 0; v < n; ++v) {
    if (g.kind(v) == EntityKind::kSeller) sellers[p.membership[v]] += 1, market_sellers += 1;
  }
  Features market{};
  for (const Features& m : mass) {
    for (std::size_t j = 0; j < kFeatures; ++j) market[j] += m[j];
  }
  for (double& rate : market) rate /= std::max(1.0, market_sellers);
  std::vector<std::vector<double>> x, job_score;
  std::vector<bool> y;
  std::vector<double> weight;
  for (const Example& e : examples) {
    std::vector<double> row(kFeatures);
    double score = 0;
    for (std::size_t j = 0; j < kFeatures; ++j) {
      row[j] = (mass[e.network][j] + o.prior_sellers * market[j]) / (sellers[e.network] + o.prior_sellers);
      score += job_weight(job, kPredictorSignals[j]) * row[j];
    }
    x.push_back(std::move(row));
    job_score.push_back({score});
    y.push_back(e.confirmed);
    weight.push_back(e.weight);
  }

  // Folds by network; every training set then holds both classes.
  std::vector<std::array<std::uint32_t, 2>> per_fold(o.folds, {0, 0});
  std::vector<std::uint32_t> fold(examples.size());
  for (std::size_t i = 0; i < examples.size(); ++i) {
    fold[i] = fold_of(examples[i].network, o.folds);
    ++per_fold[fold[i]][y[i] ? 1 : 0];
  }
  fit.folds = static_cast<std::uint32_t>(
      std::count_if(per_fold.begin(), per_fold.end(), [](const auto& c) { return c[0] > 0 && c[1] > 0; }));
  if (fit.folds < 2) {
    fit.reason = fmt::format("the outcomes lie in {} network{}, too few to hold both classes in 2 of {} "
                             "cross-validation folds: keeping the job's weights",
                             fit.networks, fit.networks == 1 ? "" : "s", o.folds);
    return fit;
  }

  std::vector<double> fitted_p(examples.size()), job_p(examples.size()), job_raw(examples.size());
  for (std::uint32_t f = 0; f < o.folds; ++f) {
    std::vector<std::size_t> train, test;
    for (std::size_t i = 0; i < examples.size(); ++i) (fold[i] == f ? test : train).push_back(i);
    if (test.empty()) continue;
    const LogisticModel model = fit_logistic(x, y, train, o.l2, true, weight);
    const LogisticModel scale = fit_logistic(job_score, y, train, o.l2, true, weight);
    for (std::size_t i : test) {
      fitted_p[i] = sigmoid(model.log_odds(x[i]));
      job_p[i] = sigmoid(scale.log_odds(job_score[i]));
      job_raw[i] = job_score[i][0];
    }
  }
  fit.cv_fitted = {within_fold_auc(fitted_p, y, weight, fold, o.folds), log_loss(fitted_p, y, weight)};
  fit.cv_job = {within_fold_auc(job_raw, y, weight, fold, o.folds), log_loss(job_p, y, weight)};
  fit.confidence = bootstrap_confidence(examples, fitted_p, job_raw, y, weight, fold, o.folds);

  std::vector<std::size_t> all(examples.size());
  std::iota(all.begin(), all.end(), 0);
  const LogisticModel model = fit_logistic(x, y, all, o.l2, true, weight);
  std::copy(model.coef.begin(), model.coef.end(), fit.coefficients.begin());
  fit.intercept = model.intercept;
  const double learned = std::accumulate(model.coef.begin(), model.coef.end(), 0.0);
  if (!(learned > 0)) {
    fit.reason = "no predictor signal raises the odds of enforcement_confirmed over test_buy_genuine: "
                 "keeping the job's weights";
    return fit;
  }
  // Only the ratios are learned; the scale is the job's (1 when the job's is 0).
  double total = 0;
  for (Signal s : kPredictorSignals) total += job_weight(job, s);
  const double unit = (total > 0 ? total : 1.0) / learned;
  EvidenceWeights w = job;
  w.takedown = model.coef[0] * unit;
  w.test_buy_counterfeit = model.coef[1] * unit;
  w.complaint = model.coef[2] * unit;
  // Weights that do not rank the held-out outcomes clearly better than the
  // job's would make the scores worse, not better: a few dozen outcomes are
  // often too few, and a gain within the noise of the held-out AUC is no
  // gain. At exactly the gain asked the fit must also predict them better
  // (log-loss).
  const double gain = fit.cv_fitted.auc - fit.cv_job.auc;
  const bool better = gain > o.min_auc_gain ||
                      (gain == o.min_auc_gain && fit.cv_fitted.log_loss < fit.cv_job.log_loss);
  const std::string learned_weights =
      fmt::format("the learned weights (takedown {:.3f}, test_buy_counterfeit {:.3f}, complaint {:.3f})", w.takedown,
                  w.test_buy_counterfeit, w.complaint);
  if (!better) {
    fit.reason = fmt::format("{} do not rank the held-out outcomes better than the job's by more than {:.3g} AUC "
                             "(AUC {:.3f} vs {:.3f}, log-loss {:.3f} vs {:.3f}): keeping the job's weights",
                             learned_weights, o.min_auc_gain, fit.cv_fitted.auc, fit.cv_job.auc,
                             fit.cv_fitted.log_loss, fit.cv_job.log_loss);
    return fit;
  }
  if (fit.confidence < o.confidence) {
    fit.reason = fmt::format("{} rank the held-out outcomes better than the job's (AUC {:.3f} vs {:.3f}) in only "
                             "{:.0f}% of resamples of the labelled networks ({:.0f}% needed): too few outcomes to "
                             "tell; keeping the job's weights",
                             learned_weights, fit.cv_fitted.auc, fit.cv_job.auc, 100 * fit.confidence,
                             100 * o.confidence);
    return fit;
  }
  fit.weights = w;
  fit.fitted = true;
  return fit;
}

std::string describe(const WeightFit& f) {
  std::string text = fmt::format("{} confirmed (enforcement_confirmed) and {} genuine (test_buy_genuine) "
                                 "entities in {} network{}, as of {}",
                                 f.positives, f.negatives, f.networks, f.networks == 1 ? "" : "s",
                                 tables::format_date(f.as_of));
  if (f.folds >= 2) {
    text += fmt::format("\nheld out ({} folds by network, {} with both classes): AUC {:.3f} learned vs {:.3f} "
                        "job's (learned better in {:.0f}% of resamples); log-loss {:.3f} vs {:.3f}",
                        f.options.folds, f.folds, f.cv_fitted.auc, f.cv_job.auc, 100 * f.confidence,
                        f.cv_fitted.log_loss, f.cv_job.log_loss);
  }
  if (!f.fitted) return text + "\n" + f.reason;
  const EvidenceWeights &w = f.weights, &j = f.job_weights;
  text += fmt::format("\nlearned weights: takedown {:.3f} (job {:.3g}), test_buy_counterfeit {:.3f} (job {:.3g}), "
                      "complaint {:.3f} (job {:.3g})",
                      w.takedown, j.takedown, w.test_buy_counterfeit, j.test_buy_counterfeit, w.complaint,
                      j.complaint);
  text += fmt::format("\nkept from the job: enforcement_confirmed {:.3g}, test_buy_genuine {:.3g}, "
                      "half_life_days {:.4g}",
                      w.enforcement_confirmed, w.test_buy_genuine, w.half_life_days);
  return text;
}

}  // namespace sourcetrace::risk
