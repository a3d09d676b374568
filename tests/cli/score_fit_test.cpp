// score --fit through the real binary: the fit is reported and stored, a
// job takes the learned weights with [risk] weights_from, and a reference
// to a file without learned weights is an error that names the job's line.
#include <catch2/catch.hpp>

#include "../support/test_env.hpp"
#include "sourcetrace/risk/risk_file.hpp"
#include "sourcetrace/store/run_file.hpp"
#include "sourcetrace/tables/digest.hpp"

using namespace sourcetrace;
using namespace sourcetrace::testing;

namespace {

double weight_attribute(const std::string& path, const std::string& name) {
  auto file = store::open_run_file(path);
  REQUIRE(file.is_ok());
  auto value = file.value().read_double_attribute("/risk", name);
  REQUIRE(value.is_ok());
  return value.value();
}

std::string job_digest_of(const std::string& path) {
  auto file = store::open_run_file(path);
  REQUIRE(file.is_ok());
  auto value = file.value().read_string_attribute("/risk", "job_digest");
  REQUIRE(value.is_ok());
  return value.value();
}

}  // namespace

TEST_CASE("cli: score --fit stores the learned weights and a job reuses them with weights_from", "[cli][risk]") {
  // A market whose evidence the job's weights misread (rings draw
  // complaints, legitimate sellers wrong takedowns): at seed 1 the learned
  // weights rank its outcomes better than the job's by more than the
  // margin, in every resample (where they do not, the fit keeps the job's).
  TempDir tmp;
  const std::string run = tmp / "run";
  write_file(tmp / "misleading.toml",
             "[evidence]\nstorefront_evidence = 0.02\nstorefront_complaint = 0.6\nindependent_complaint = 0.005\n"
             "independent_wrong_takedown = 0.15\ncompany_store_noise = 0.6\n");
  REQUIRE(run_sourcetrace({"generate", tmp / "m", "--sellers", "8000", "--seed", "1", "--profile",
                           tmp / "misleading.toml"})
              .exit_code == 0);
  REQUIRE(run_sourcetrace({"ingest", tmp / "m", "--out", run + "/graph.h5"}).exit_code == 0);
  REQUIRE(run_sourcetrace({"detect", run + "/graph.h5", "--out", run + "/communities.h5"}).exit_code == 0);
  auto score = [&](const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"score", run + "/graph.h5", run + "/communities.h5"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_sourcetrace(args);
  };

  CommandResult fitted = score({"--out", run + "/risk.h5", "--fit"});
  INFO(fitted.err);
  REQUIRE(fitted.exit_code == 0);
  CHECK(fitted.err.find("score --fit: ") != std::string::npos);
  CHECK(fitted.err.find("held out (5 folds by network") != std::string::npos);
  CHECK(fitted.err.find("learned weights: takedown") != std::string::npos);
  auto record = risk::read_risk_file(run + "/risk.h5");
  REQUIRE(record.is_ok());
  REQUIRE(record.value().fit.has_value());
  auto fit = risk::read_weight_fit_file(run + "/risk.h5");
  REQUIRE(fit.is_ok());
  CHECK(record.value().fit->weights.complaint == fit.value().weights.complaint);
  REQUIRE(fit.value().fitted);
  CHECK(fit.value().positives >= 10);
  CHECK(fit.value().negatives >= 10);
  CHECK(fit.value().cv_fitted.auc > 0.5);
  // The run was scored with the learned weights.
  CHECK(weight_attribute(run + "/risk.h5", "weight_complaint") == fit.value().weights.complaint);
  CHECK(weight_attribute(run + "/risk.h5", "weight_takedown") == fit.value().weights.takedown);

  // A job in another folder takes them, relative to its own folder.
  fs::create_directories(tmp / "jobs");
  const std::string reuse = tmp / "jobs/reuse.toml";
  write_file(reuse, "[risk]\nweights_from = \"../run/risk.h5\"\n");
  CommandResult reused = score({"--out", tmp / "reused.h5", "--job", reuse});
  INFO(reused.err);
  REQUIRE(reused.exit_code == 0);
  CHECK(weight_attribute(tmp / "reused.h5", "weight_test_buy_counterfeit") ==
        fit.value().weights.test_buy_counterfeit);
  CHECK(weight_attribute(tmp / "reused.h5", "weight_complaint") == fit.value().weights.complaint);
  // The weights are part of the job's digest: a new fit makes old outputs stale.
  CHECK(job_digest_of(tmp / "reused.h5") != tables::digest_of(read_file(reuse)).hex());

  // Too early for outcomes of both classes: --fit says so, keeps the job's
  // weights, and succeeds; the fit it stores cannot be reused.
  CommandResult early = score({"--out", tmp / "early/risk.h5", "--fit", "--as-of", "2025-01-03"});
  INFO(early.err);
  REQUIRE(early.exit_code == 0);
  CHECK(early.err.find("keeping the job's weights") != std::string::npos);
  CHECK(weight_attribute(tmp / "early/risk.h5", "weight_complaint") == 0.05);
  write_file(tmp / "early.toml", "[risk]\nweights_from = \"early/risk.h5\"\n");
  CommandResult refused = score({"--out", tmp / "x.h5", "--job", tmp / "early.toml"});
  CHECK(refused.exit_code == 64);
  CHECK(refused.err.find("early.toml:2: [risk] weights_from") != std::string::npos);
  CHECK(refused.err.find("has no learned weights to reuse") != std::string::npos);

  // A risk file scored without --fit by a job that does not fit holds no fit at all.
  write_file(tmp / "nofit.toml", "[risk]\nfit = false\n");
  REQUIRE(score({"--out", tmp / "plain.h5", "--job", tmp / "nofit.toml"}).exit_code == 0);
  auto plain = risk::read_risk_file(tmp / "plain.h5");
  REQUIRE(plain.is_ok());
  CHECK(!plain.value().fit.has_value());
  write_file(tmp / "plain.toml", "# no fit here\n[risk]\nweights_from = \"plain.h5\"\n");
  CommandResult no_fit = score({"--out", tmp / "y.h5", "--job", tmp / "plain.toml"});
  CHECK(no_fit.exit_code == 64);
  CHECK(no_fit.err.find("plain.toml:3: [risk] weights_from") != std::string::npos);
  CHECK(no_fit.err.find("--fit") != std::string::npos);

  write_file(tmp / "missing.toml", "[risk]\nweights_from = \"nowhere/risk.h5\"\n");
  CHECK(score({"--out", tmp / "z.h5", "--job", tmp / "missing.toml"}).exit_code == 66);
}
