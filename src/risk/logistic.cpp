// Logistic regression: standardise, Newton's method with backtracking, drop
// negative coefficients and refit.
#include "sourcetrace/risk/logistic.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace sourcetrace::risk {

namespace {

double log1p_exp(double eta) { return eta > 0 ? eta + std::log1p(std::exp(-eta)) : std::log1p(std::exp(eta)); }
double sigmoid(double eta) { return 1.0 / (1.0 + std::exp(-eta)); }

// Solves a x = b for a small dense system (Gaussian elimination, partial
// pivoting); a is row-major m × m. The systems here are positive definite.
std::vector<double> solve(std::vector<double> a, std::vector<double> b) {
  const std::size_t m = b.size();
  for (std::size_t k = 0; k < m; ++k) {
    std::size_t pivot = k;
    for (std::size_t i = k + 1; i < m; ++i) {
      if (std::abs(a[i * m + k]) > std::abs(a[pivot * m + k])) pivot = i;
    }
    for (std::size_t j = 0; j < m; ++j) std::swap(a[k * m + j], a[pivot * m + j]);
    std::swap(b[k], b[pivot]);
    for (std::size_t i = k + 1; i < m; ++i) {
      const double f = a[i * m + k] / a[k * m + k];
      for (std::size_t j = k; j < m; ++j) a[i * m + j] -= f * a[k * m + j];
      b[i] -= f * b[k];
    }
  }
  std::vector<double> x(m);
  for (std::size_t k = m; k-- > 0;) {
    double s = b[k];
    for (std::size_t j = k + 1; j < m; ++j) s -= a[k * m + j] * x[j];
    x[k] = s / a[k * m + k];
  }
  return x;
}

// Ridge logistic regression on standardised columns z (n rows × m), row i
// weighing w[i], the intercept unpenalised: Newton steps with backtracking,
// from zero. Returns (intercept, slopes).
std::vector<double> newton(const std::vector<std::vector<double>>& z, const std::vector<bool>& y,
                           const std::vector<double>& w, double l2) {
  const std::size_t n = z.size(), m = n ? z[0].size() + 1 : 1;
  auto eta = [&](const std::vector<double>& t, std::size_t i) {
    double e = t[0];
    for (std::size_t j = 1; j < m; ++j) e += t[j] * z[i][j - 1];
    return e;
  };
  auto objective = [&](const std::vector<double>& t) {  // penalised log-likelihood
    double l = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double e = eta(t, i);
      l += w[i] * ((y[i] ? e : 0.0) - log1p_exp(e));
    }
    for (std::size_t j = 1; j < m; ++j) l -= 0.5 * l2 * t[j] * t[j];
    return l;
  };
  std::vector<double> t(m, 0.0);
  double current = objective(t);
  for (int iteration = 0; iteration < 100; ++iteration) {
    std::vector<double> grad(m, 0.0), hess(m * m, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      const double p = sigmoid(eta(t, i)), r = w[i] * ((y[i] ? 1.0 : 0.0) - p), h = w[i] * p * (1 - p);
      for (std::size_t a = 0; a < m; ++a) {
        const double za = a == 0 ? 1.0 : z[i][a - 1];
        grad[a] += r * za;
        for (std::size_t b = 0; b < m; ++b) hess[a * m + b] += h * za * (b == 0 ? 1.0 : z[i][b - 1]);
      }
    }
    for (std::size_t j = 1; j < m; ++j) {
      grad[j] -= l2 * t[j];
      hess[j * m + j] += l2;
    }
    hess[0] += 1e-12;  // keeps the system regular when every p is 0 or 1
    const std::vector<double> step = solve(hess, grad);
    // Backtrack until the objective does not fall (it is concave).
    double scale = 1.0, next = current;
    std::vector<double> candidate(m);
    for (int halvings = 0; halvings < 40; ++halvings, scale *= 0.5) {
      for (std::size_t j = 0; j < m; ++j) candidate[j] = t[j] + scale * step[j];
      next = objective(candidate);
      if (next >= current) break;
    }
    if (!(next >= current)) break;
    double largest = 0;
    for (std::size_t j = 0; j < m; ++j) largest = std::max(largest, std::abs(candidate[j] - t[j]));
    t = candidate;
    current = next;
    if (largest < 1e-10) break;
  }
  return t;
}

}  // namespace

double LogisticModel::log_odds(const std::vector<double>& x) const {
  double eta = intercept;
  for (std::size_t j = 0; j < coef.size(); ++j) eta += coef[j] * x[j];
  return eta;
}

LogisticModel fit_logistic(const std::vector<std::vector<double>>& x, const std::vector<bool>& y,
                           const std::vector<std::size_t>& rows, double l2, bool nonnegative,
                           const std::vector<double>& weight) {
  const std::size_t d = x.empty() ? 0 : x[0].size();
  std::vector<double> w;
  for (std::size_t i : rows) w.push_back(weight.empty() ? 1.0 : weight[i]);
  const double total = std::accumulate(w.begin(), w.end(), 0.0);
  // Weighted mean and standard deviation of each feature.
  std::vector<double> mean(d, 0.0), sd(d, 0.0);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t j = 0; j < d; ++j) mean[j] += w[r] * x[rows[r]][j];
  }
  for (double& m : mean) m /= total;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t j = 0; j < d; ++j) sd[j] += w[r] * (x[rows[r]][j] - mean[j]) * (x[rows[r]][j] - mean[j]);
  }
  std::vector<std::size_t> active;
  for (std::size_t j = 0; j < d; ++j) {
    sd[j] = std::sqrt(sd[j] / total);
    if (sd[j] > 1e-9 * std::abs(mean[j]) && sd[j] > 0) active.push_back(j);
  }
  std::vector<bool> labels;
  for (std::size_t i : rows) labels.push_back(y[i]);
  while (true) {
    std::vector<std::vector<double>> z;
    for (std::size_t i : rows) {
      std::vector<double> row;
      for (std::size_t j : active) row.push_back((x[i][j] - mean[j]) / sd[j]);
      z.push_back(std::move(row));
    }
    const std::vector<double> t = newton(z, labels, w, l2);
    std::size_t worst = active.size();
    for (std::size_t k = 0; k < active.size(); ++k) {
      if (nonnegative && t[k + 1] < 0 && (worst == active.size() || t[k + 1] < t[worst + 1])) worst = k;
    }
    if (worst == active.size()) {
      LogisticModel model{std::vector<double>(d, 0.0), t[0]};
      for (std::size_t k = 0; k < active.size(); ++k) {
        const std::size_t j = active[k];
        model.coef[j] = t[k + 1] / sd[j];
        model.intercept -= t[k + 1] * mean[j] / sd[j];
      }
      return model;
    }
    active.erase(active.begin() + static_cast<std::ptrdiff_t>(worst));
  }
}

}  // namespace sourcetrace::risk
