// Evidence spread: label spreading rounds over the combined graph.
#include "sourcetrace/risk/evidence_spread.hpp"

#include <cmath>

namespace sourcetrace::risk {

using graph::VertexId;

Status validate(const SpreadOptions& o) {
  if (!(o.alpha >= 0 && o.alpha < 1)) return Status::invalid_argument("spread alpha must be in [0, 1)");
  if (o.rounds < 0) return Status::invalid_argument("spread rounds must be >= 0");
  return Status::ok();
}

std::vector<double> spread_evidence(const graph::Csr& g, std::span<const double> evidence,
                                    const SpreadOptions& o) {
  const auto n = static_cast<std::int64_t>(g.num_vertices());
  // 1 / sqrt(weighted degree), 0 for isolated entities (they keep (1−α) e).
  std::vector<double> scale = graph::vertex_strengths(g);
  for (double& k : scale) k = k > 0 ? 1.0 / std::sqrt(k) : 0.0;
  std::vector<double> f(evidence.begin(), evidence.end());
  if (o.rounds == 0) return f;
  // The rounds run on h = D^{-1/2} f, so that each arc reads one value of
  // its neighbour's, not two: h ← D^{-1/2} e + α D^{-1} W h. The last
  // round turns h back into f.
  auto pull = [&](const std::vector<double>& h, VertexId v) {
    auto neighbours = g.neighbours(v);
    auto weights = g.neighbour_weights(v);
    double pulled = 0;
    for (std::size_t k = 0; k < neighbours.size(); ++k) pulled += weights[k] * h[neighbours[k]];
    return pulled;
  };
  std::vector<double> h(f.size()), next(f.size());
#pragma omp parallel for schedule(static)
  for (std::int64_t v = 0; v < n; ++v) h[v] = scale[v] * f[v];
  for (int round = 1; round < o.rounds; ++round) {
#pragma omp parallel for schedule(dynamic, 4096)
    for (std::int64_t v = 0; v < n; ++v) {
      const auto vv = static_cast<VertexId>(v);
      next[vv] = scale[vv] * (evidence[vv] + o.alpha * scale[vv] * pull(h, vv));
    }
    h.swap(next);
  }
#pragma omp parallel for schedule(dynamic, 4096)
  for (std::int64_t v = 0; v < n; ++v) {
    const auto vv = static_cast<VertexId>(v);
    f[vv] = evidence[vv] + o.alpha * scale[vv] * pull(h, vv);
  }
  return f;
}

}  // namespace sourcetrace::risk
