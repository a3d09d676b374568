// Logistic regression for small dense problems: what the weight fit
// (weight_fit.hpp) learns the evidence weights with.
//
// A handful of features and up to a few tens of thousands of examples, so
// it is written out by hand: features standardised on the rows fitted, an
// L2 (ridge) penalty on the standardised coefficients (the intercept is not
// penalised), Newton's method with backtracking from zero — the penalised
// log-likelihood is strictly concave, so it converges, and the same input
// gives the same bits. The result is on the raw feature scale.
//
// With `nonnegative`, a coefficient that comes out negative is dropped (set
// to 0) and the rest refitted, most negative first, until none is: the
// model then is the one whose weights can be used as evidence weights, not
// one that was clipped after the fact. A feature that does not vary over the
// rows is left out (coefficient 0).
#pragma once

#include <cstddef>
#include <vector>

namespace sourcetrace::risk {

struct LogisticModel {
  std::vector<double> coef;  // per feature, raw scale
  double intercept = 0;
  // REQUIRES: x.size() == coef.size().
  double log_odds(const std::vector<double>& x) const;
};

// Fits y on the rows `rows` of x (x[i]: example i's features, all of one
// length), example i weighing weight[i] in the likelihood and in the
// standardisation (an empty `weight`: 1 each). REQUIRES: rows not empty;
// l2 > 0; weights > 0.
LogisticModel fit_logistic(const std::vector<std::vector<double>>& x, const std::vector<bool>& y,
                           const std::vector<std::size_t>& rows, double l2, bool nonnegative,
                           const std::vector<double>& weight = {});

}  // namespace sourcetrace::risk
