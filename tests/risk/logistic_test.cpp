// Logistic regression: recovers a known model, drops a negative
// coefficient when asked, leaves out a constant feature.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>

#include "sourcetrace/risk/logistic.hpp"

using namespace sourcetrace::risk;

TEST_CASE("risk: logistic regression recovers a known model and can keep its coefficients non-negative",
          "[risk][fast]") {
  // 4000 examples of log-odds = -1 + 4 a - 3 b, labels drawn with a fixed LCG;
  // c is constant.
  std::vector<std::vector<double>> x;
  std::vector<bool> y;
  std::uint64_t state = 12345;
  for (int i = 0; i < 4000; ++i) {
    const double a = (i % 100) / 100.0, b = ((i * 37) % 101) / 101.0;
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const double u = static_cast<double>(state >> 11) / 9007199254740992.0;
    x.push_back({a, b, 0.5});
    y.push_back(u < 1.0 / (1.0 + std::exp(-(-1 + 4 * a - 3 * b))));
  }
  std::vector<std::size_t> rows(x.size());
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = i;

  const LogisticModel free = fit_logistic(x, y, rows, 1.0, false);
  CHECK(free.coef[0] == Approx(4.0).margin(0.5));
  CHECK(free.coef[1] == Approx(-3.0).margin(0.5));
  CHECK(free.coef[2] == 0.0);
  CHECK(free.intercept == Approx(-1.0).margin(0.4));
  CHECK(free.log_odds({0.5, 0.5, 0.5}) == Approx(free.intercept + 0.5 * free.coef[0] + 0.5 * free.coef[1]));

  const LogisticModel kept = fit_logistic(x, y, rows, 1.0, true);
  CHECK(kept.coef[1] == 0.0);
  CHECK(kept.coef[0] > 2.0);

  // The same input gives the same bits.
  CHECK(fit_logistic(x, y, rows, 1.0, false).coef == free.coef);
}

TEST_CASE("risk: a logistic example of weight 2 counts as two of weight 1", "[risk][fast]") {
  const std::vector<std::vector<double>> x = {{0.1}, {0.4}, {0.5}, {0.9}, {0.3}, {0.7}};
  const std::vector<bool> y = {false, false, true, true, true, false};
  // Rows 0..5 once, row 2 weighing 2; against rows 0..5 with row 2 twice.
  const std::vector<double> weight = {1, 1, 2, 1, 1, 1};
  const LogisticModel weighted = fit_logistic(x, y, {0, 1, 2, 3, 4, 5}, 1.0, false, weight);
  const LogisticModel twice = fit_logistic(x, y, {0, 1, 2, 2, 3, 4, 5}, 1.0, false);
  CHECK(weighted.coef[0] == Approx(twice.coef[0]).epsilon(1e-9));
  CHECK(weighted.intercept == Approx(twice.intercept).epsilon(1e-9));
  const LogisticModel plain = fit_logistic(x, y, {0, 1, 2, 3, 4, 5}, 1.0, false);
  CHECK(plain.coef[0] != Approx(weighted.coef[0]).epsilon(1e-6));
}
