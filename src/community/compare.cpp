// NMI and ARI from the contingency table of two labelings.
#include "sourcetrace/community/compare.hpp"

#include <cassert>
#include <cmath>
#include <unordered_map>

namespace sourcetrace::community {

namespace {

struct Contingency {
  std::unordered_map<std::uint64_t, double> joint;
  std::unordered_map<std::uint32_t, double> left, right;
  double n = 0;
};

Contingency count(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b) {
  assert(a.size() == b.size());
  Contingency c;
  for (std::size_t i = 0; i < a.size(); ++i) {
    c.joint[(static_cast<std::uint64_t>(a[i]) << 32) | b[i]] += 1;
    c.left[a[i]] += 1;
    c.right[b[i]] += 1;
  }
  c.n = static_cast<double>(a.size());
  return c;
}

double entropy(const std::unordered_map<std::uint32_t, double>& sizes, double n) {
  double h = 0;
  for (const auto& [label, s] : sizes) h -= s / n * std::log(s / n);
  return h;
}

double pairs(double x) { return x * (x - 1) / 2; }

}  // namespace

double normalized_mutual_information(std::span<const std::uint32_t> a,
                                     std::span<const std::uint32_t> b) {
  if (a.empty()) return 1.0;
  Contingency c = count(a, b);
  const double ha = entropy(c.left, c.n), hb = entropy(c.right, c.n);
  if (ha + hb == 0) return 1.0;
  double mi = 0;
  for (const auto& [key, nij] : c.joint) {
    const double ni = c.left[static_cast<std::uint32_t>(key >> 32)];
    const double nj = c.right[static_cast<std::uint32_t>(key)];
    mi += nij / c.n * std::log(c.n * nij / (ni * nj));
  }
  return 2 * mi / (ha + hb);
}

double adjusted_rand_index(std::span<const std::uint32_t> a, std::span<const std::uint32_t> b) {
  if (a.size() < 2) return 1.0;
  Contingency c = count(a, b);
  double index = 0, sum_a = 0, sum_b = 0;
  for (const auto& [key, nij] : c.joint) index += pairs(nij);
  for (const auto& [label, s] : c.left) sum_a += pairs(s);
  for (const auto& [label, s] : c.right) sum_b += pairs(s);
  const double expected = sum_a * sum_b / pairs(c.n);
  const double maximum = (sum_a + sum_b) / 2;
  if (maximum == expected) return 1.0;
  return (index - expected) / (maximum - expected);
}

}  // namespace sourcetrace::community
