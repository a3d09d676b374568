// Weight fit: learning the evidence weights from outcomes on hand-made
// markets whose answer is known, the fallbacks when outcomes are missing,
// and the fit's round trip through risk.h5.
#include <catch2/catch.hpp>
#include <cmath>

#include "../support/test_env.hpp"
#include "sourcetrace/risk/risk_file.hpp"
#include "sourcetrace/risk/weight_fit.hpp"
#include "sourcetrace/store/run_file.hpp"
#include "sourcetrace/tables/fields.hpp"

using namespace sourcetrace;
using namespace sourcetrace::risk;
using graph::VertexId;
using tables::Signal;

namespace {

tables::Day day_of(const char* text) {
  tables::Day day = 0;
  REQUIRE(tables::parse_date(text, day) == nullptr);
  return day;
}

// Sellers in networks of ten, and evidence rows; no layers (the fit reads
// only the evidence and the partition).
struct OutcomeMarket {
  graph::MarketGraph g;
  std::vector<std::uint32_t> labels;

  VertexId add_seller(std::uint32_t network) {
    g.entities.tags.push_back(static_cast<std::uint8_t>(EntityKind::kSeller));
    labels.push_back(network);
    return static_cast<VertexId>(labels.size() - 1);
  }
  void report(VertexId v, Signal s, tables::Day day) {
    g.evidence.entity.push_back(v);
    g.evidence.signal.push_back(static_cast<std::uint8_t>(s));
    g.evidence.brand.push_back(1);
    g.evidence.day.push_back(day);
    g.evidence.reporter.push_back(0);
  }
  community::Partition partition() const { return community::canonical_partition(labels); }
};

// 60 networks of 10 sellers. In the even ones (rings) 1–4 sellers have a
// counterfeit test-buy and two members are confirmed; the odd ones have no
// test-buy and two members sold genuine goods. Complaints (0–2 per network)
// and takedowns (0–1) follow a pattern unrelated to the outcome.
OutcomeMarket rings_and_noise(tables::Day day) {
  OutcomeMarket m;
  for (std::uint32_t n = 0; n < 60; ++n) {
    std::vector<VertexId> s;
    for (int i = 0; i < 10; ++i) s.push_back(m.add_seller(n));
    const bool ring = n % 2 == 0;
    for (std::uint32_t k = 0; k < (n / 2) % 3; ++k) m.report(s[5 + k], Signal::kComplaint, day);
    if ((n / 2) % 4 == 1) m.report(s[8], Signal::kTakedown, day);
    if (ring) {
      for (std::uint32_t k = 0; k <= (n / 2) % 4; ++k) m.report(s[k], Signal::kTestBuyCounterfeit, day);
    }
    m.report(s[0], ring ? Signal::kEnforcementConfirmed : Signal::kTestBuyGenuine, day);
    m.report(s[1], ring ? Signal::kEnforcementConfirmed : Signal::kTestBuyGenuine, day);
  }
  return m;
}

}  // namespace

TEST_CASE("risk: the weight fit learns that counterfeit test-buys predict confirmation and complaints do not",
          "[risk][fast]") {
  const tables::Day as_of = day_of("2026-03-01");
  OutcomeMarket m = rings_and_noise(as_of - 30);
  const community::Partition p = m.partition();
  // A job that trusts complaints and hardly counts test-buys.
  EvidenceWeights job;
  job.complaint = 3.0;
  job.test_buy_counterfeit = 0.1;
  job.takedown = 0.15;

  auto fit = fit_evidence_weights(m.g, p, job, as_of, {});
  REQUIRE(fit.is_ok());
  const WeightFit& f = fit.value();
  INFO(describe(f));
  REQUIRE(f.fitted);
  CHECK(f.reason.empty());
  CHECK(f.positives == 60);
  CHECK(f.negatives == 60);
  CHECK(f.networks == 60);
  CHECK(f.folds >= 2);
  CHECK(f.weights.test_buy_counterfeit > 2 * f.weights.complaint);
  CHECK(f.weights.test_buy_counterfeit > f.weights.takedown);
  CHECK(f.weights.takedown + f.weights.test_buy_counterfeit + f.weights.complaint == Approx(3.25));
  CHECK(f.weights.complaint >= 0.0);
  CHECK(f.weights.takedown >= 0.0);
  // The outcome signals and the decay stay the job's.
  CHECK(f.weights.enforcement_confirmed == job.enforcement_confirmed);
  CHECK(f.weights.test_buy_genuine == job.test_buy_genuine);
  CHECK(f.weights.half_life_days == job.half_life_days);
  CHECK(f.job_weights.complaint == job.complaint);
  // Held out, the learned weights rank the outcomes almost perfectly and
  // better than the job's.
  CHECK(f.cv_fitted.auc > 0.95);
  CHECK(f.cv_fitted.auc > f.cv_job.auc);
  CHECK(f.cv_fitted.log_loss < f.cv_job.log_loss);
  CHECK(f.coefficients[1] > 0.0);
  CHECK(describe(f).find("learned weights: takedown") != std::string::npos);

  // Deterministic.
  auto again = fit_evidence_weights(m.g, p, job, as_of, {});
  REQUIRE(again.is_ok());
  CHECK(again.value().weights.test_buy_counterfeit == f.weights.test_buy_counterfeit);
  CHECK(again.value().cv_fitted.auc == f.cv_fitted.auc);
}

TEST_CASE("risk: a network weighs one example however many of its members a verdict labels", "[risk][fast]") {
  const tables::Day as_of = day_of("2026-03-01");
  OutcomeMarket m = rings_and_noise(as_of - 30);
  // One confirmed case on a network of 400 sellers, each with a complaint
  // and none with a test-buy: counted per member it would teach that
  // complaints, not test-buys, predict confirmation.
  std::vector<VertexId> big;
  for (int i = 0; i < 400; ++i) {
    big.push_back(m.add_seller(60));
    m.report(big.back(), Signal::kComplaint, as_of - 30);
  }
  FeedbackEvidence verdict;
  verdict.label_entity = big;
  verdict.label_confirmed.assign(big.size(), 1);
  FitOptions any_gain;  // the default weights already rank these well
  any_gain.min_auc_gain = 0;
  any_gain.confidence = 0;
  auto fit = fit_evidence_weights(m.g, m.partition(), {}, as_of, any_gain, verdict);
  REQUIRE(fit.is_ok());
  const WeightFit& f = fit.value();
  INFO(describe(f));
  CHECK(f.positives == 460);
  CHECK(f.networks == 61);
  REQUIRE(f.fitted);
  CHECK(f.weights.test_buy_counterfeit > 2 * f.weights.complaint);
}

TEST_CASE("risk: test-buys written through the service label outcomes and are no feature of the fit",
          "[risk][fast]") {
  const tables::Day as_of = day_of("2026-03-01");
  // Rings (even networks) draw complaints, the others a wrong takedown;
  // two members of each carry its outcome.
  OutcomeMarket m;
  std::vector<std::vector<VertexId>> sellers;
  for (std::uint32_t n = 0; n < 60; ++n) {
    std::vector<VertexId> s;
    for (int i = 0; i < 10; ++i) s.push_back(m.add_seller(n));
    const bool ring = n % 2 == 0;
    for (std::uint32_t k = 0; k < 1 + n % 3; ++k) m.report(s[5 + k], ring ? Signal::kComplaint : Signal::kTakedown, as_of - 30);
    m.report(s[0], ring ? Signal::kEnforcementConfirmed : Signal::kTestBuyGenuine, as_of - 30);
    m.report(s[1], ring ? Signal::kEnforcementConfirmed : Signal::kTestBuyGenuine, as_of - 30);
    sellers.push_back(s);
  }
  // Through the service, brands test-bought counterfeits in the rings they
  // were shown, and found the real thing in the other networks.
  FeedbackEvidence fed;
  for (std::uint32_t n = 0; n < 60; ++n) {
    const bool ring = n % 2 == 0;
    const VertexId v = sellers[n][2];
    m.report(v, ring ? Signal::kTestBuyCounterfeit : Signal::kTestBuyGenuine, as_of - 1);
    fed.rows.entity.push_back(v);
    fed.rows.signal.push_back(m.g.evidence.signal.back());
    fed.rows.brand.push_back(1);
    fed.rows.day.push_back(as_of - 1);
    fed.rows.reporter.push_back(0);
  }
  auto fit = fit_evidence_weights(m.g, m.partition(), {}, as_of, {}, fed);
  REQUIRE(fit.is_ok());
  const WeightFit& f = fit.value();
  INFO(describe(f));
  REQUIRE(f.fitted);
  CHECK(f.negatives == 90);  // both kinds of test-buy label
  CHECK(f.positives == 90);
  CHECK(f.coefficients[1] == 0.0);  // and neither is a feature
  CHECK(f.weights.test_buy_counterfeit == 0.0);
  CHECK(f.weights.complaint > f.weights.takedown);

  // Feedback that the graph does not hold merged is refused.
  FeedbackEvidence unmerged = fed;
  unmerged.rows.entity.push_back(0);
  CHECK(fit_evidence_weights(m.g, m.partition(), {}, as_of, {}, unmerged).status().code() ==
        Status::Code::kInvalidArgument);
}

TEST_CASE("risk: the weight fit labels by the newest outcome row as of its date", "[risk][fast]") {
  const tables::Day as_of = day_of("2026-03-01");
  OutcomeMarket m = rings_and_noise(as_of - 30);
  const VertexId extra = m.add_seller(0);  // in the first ring network
  const VertexId tie = m.add_seller(1), late = m.add_seller(1);
  m.report(extra, Signal::kEnforcementConfirmed, as_of - 40);
  m.report(extra, Signal::kTestBuyGenuine, as_of - 20);  // newer: genuine
  m.report(tie, Signal::kEnforcementConfirmed, as_of - 10);
  m.report(tie, Signal::kTestBuyGenuine, as_of - 10);  // tie: confirmed
  m.report(late, Signal::kEnforcementConfirmed, as_of + 1);  // after the as-of date: no label
  auto fit = fit_evidence_weights(m.g, m.partition(), {}, as_of, {});
  REQUIRE(fit.is_ok());
  CHECK(fit.value().positives == 61);
  CHECK(fit.value().negatives == 61);
}

TEST_CASE("risk: without outcomes of both classes the fit keeps the job's weights and says why",
          "[risk][fast]") {
  const tables::Day as_of = day_of("2026-03-01");
  OutcomeMarket m;
  for (std::uint32_t n = 0; n < 30; ++n) {
    const VertexId a = m.add_seller(n), b = m.add_seller(n);
    m.report(a, Signal::kTestBuyCounterfeit, as_of - 5);
    m.report(b, Signal::kEnforcementConfirmed, as_of - 5);
  }
  EvidenceWeights job;
  job.takedown = 1.5;
  auto fit = fit_evidence_weights(m.g, m.partition(), job, as_of, {});
  REQUIRE(fit.is_ok());
  CHECK(!fit.value().fitted);
  CHECK(fit.value().reason == "no test_buy_genuine rows on or before 2026-03-01: keeping the job's weights");
  CHECK(fit.value().positives == 30);
  CHECK(fit.value().weights.takedown == 1.5);
  CHECK(describe(fit.value()).find("keeping the job's weights") != std::string::npos);

  // A few genuine rows: still too few to learn from.
  for (std::uint32_t n = 0; n < 3; ++n) m.report(m.add_seller(100 + n), Signal::kTestBuyGenuine, as_of - 5);
  fit = fit_evidence_weights(m.g, m.partition(), job, as_of, {});
  REQUIRE(fit.is_ok());
  CHECK(!fit.value().fitted);
  CHECK(fit.value().reason.find("only 3 entities with test_buy_genuine") != std::string::npos);

  // All outcomes in one network: no fold to hold out against another.
  OutcomeMarket one;
  for (int i = 0; i < 40; ++i) {
    one.report(one.add_seller(0), i % 2 ? Signal::kEnforcementConfirmed : Signal::kTestBuyGenuine, as_of);
  }
  fit = fit_evidence_weights(one.g, one.partition(), job, as_of, {});
  REQUIRE(fit.is_ok());
  CHECK(!fit.value().fitted);
  CHECK(fit.value().reason.find("cross-validation folds") != std::string::npos);

  FitOptions bad;
  bad.folds = 1;
  CHECK(!fit_evidence_weights(one.g, one.partition(), job, as_of, bad).is_ok());
}

TEST_CASE("risk: learned weights are used only when they gain the AUC the options ask over the job's",
          "[risk][fast]") {
  const tables::Day as_of = day_of("2026-03-01");
  OutcomeMarket m = rings_and_noise(as_of - 30);
  EvidenceWeights job;
  job.complaint = 3.0;
  FitOptions o;
  auto gained = fit_evidence_weights(m.g, m.partition(), job, as_of, o);
  REQUIRE(gained.is_ok());
  REQUIRE(gained.value().fitted);
  const double gain = gained.value().cv_fitted.auc - gained.value().cv_job.auc;
  REQUIRE(gain > o.min_auc_gain);
  // Asking for more than that gain keeps the job's weights, and says so.
  o.min_auc_gain = gain + 0.001;
  auto short_of = fit_evidence_weights(m.g, m.partition(), job, as_of, o);
  REQUIRE(short_of.is_ok());
  CHECK(!short_of.value().fitted);
  CHECK(short_of.value().weights.complaint == 3.0);
  CHECK(short_of.value().reason.find("better than the job's by more than") != std::string::npos);
  CHECK(gained.value().confidence >= 0.95);
  // Asking for every resample and a little more than the gain there is.
  o.min_auc_gain = 0;
  o.confidence = 1.0;
  auto every = fit_evidence_weights(m.g, m.partition(), job, as_of, o);
  REQUIRE(every.is_ok());
  CHECK(every.value().fitted == (every.value().confidence == 1.0));
  o.min_auc_gain = 1.0;
  CHECK(!fit_evidence_weights(m.g, m.partition(), job, as_of, o).is_ok());
  o.min_auc_gain = 0;
  o.confidence = 1.5;
  CHECK(!fit_evidence_weights(m.g, m.partition(), job, as_of, o).is_ok());
}

TEST_CASE("risk: a weight fit survives a round trip through risk.h5", "[risk][fast]") {
  const tables::Day as_of = day_of("2026-03-01");
  OutcomeMarket m = rings_and_noise(as_of - 30);
  FitOptions o;
  o.min_auc_gain = 0;
  o.confidence = 0;
  auto fit = fit_evidence_weights(m.g, m.partition(), {}, as_of, o);
  REQUIRE(fit.is_ok());
  REQUIRE(fit.value().fitted);
  testing::TempDir tmp;
  const std::string with = tmp / "risk.h5", without = tmp / "plain.h5";
  REQUIRE(store::write_run_file(with, [&](store::H5File& f) { return write_weight_fit(f, fit.value()); }).is_ok());
  REQUIRE(store::write_run_file(without, [&](store::H5File& f) { return f.create_group("/risk"); }).is_ok());

  auto back = read_weight_fit_file(with);
  INFO(back.status().message());
  REQUIRE(back.is_ok());
  const WeightFit &a = fit.value(), &b = back.value();
  CHECK(b.fitted);
  CHECK(b.reason == a.reason);
  CHECK(b.as_of == a.as_of);
  CHECK(b.weights.takedown == a.weights.takedown);
  CHECK(b.weights.test_buy_counterfeit == a.weights.test_buy_counterfeit);
  CHECK(b.weights.complaint == a.weights.complaint);
  CHECK(b.weights.enforcement_confirmed == a.weights.enforcement_confirmed);
  CHECK(b.weights.half_life_days == a.weights.half_life_days);
  CHECK(b.job_weights.test_buy_counterfeit == a.job_weights.test_buy_counterfeit);
  CHECK(b.coefficients == a.coefficients);
  CHECK(b.intercept == a.intercept);
  CHECK(b.cv_fitted.auc == a.cv_fitted.auc);
  CHECK(b.cv_job.log_loss == a.cv_job.log_loss);
  CHECK(b.positives == a.positives);
  CHECK(b.negatives == a.negatives);
  CHECK(b.networks == a.networks);
  CHECK(b.folds == a.folds);
  CHECK(b.options.folds == a.options.folds);
  CHECK(b.options.l2 == a.options.l2);
  CHECK(b.options.min_per_class == a.options.min_per_class);
  CHECK(b.options.min_auc_gain == a.options.min_auc_gain);
  CHECK(b.options.confidence == a.options.confidence);
  CHECK(b.confidence == a.confidence);

  auto none = read_weight_fit_file(without);
  CHECK(none.status().code() == Status::Code::kNotFound);
  CHECK(none.status().message().find("--fit") != std::string::npos);
}
