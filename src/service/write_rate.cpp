// WriteRate: a token bucket per token.
#include "sourcetrace/service/write_rate.hpp"

#include <algorithm>
#include <cmath>

namespace sourcetrace::service {

std::int64_t WriteRate::take(const std::string& token_id, std::int64_t rows, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  const double per_ms = static_cast<double>(rows_per_minute_) / 60000.0;
  auto [it, fresh] = buckets_.try_emplace(token_id);
  Bucket& b = it->second;
  if (fresh) {
    b.rows = static_cast<double>(rows_per_minute_);
  } else {
    const double ms = std::chrono::duration<double, std::milli>(now - b.at).count();
    b.rows = std::min(static_cast<double>(rows_per_minute_), b.rows + std::max(0.0, ms) * per_ms);
  }
  b.at = now;
  if (b.rows >= static_cast<double>(rows)) {
    b.rows -= static_cast<double>(rows);
    return 0;
  }
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil((static_cast<double>(rows) - b.rows) / per_ms)));
}

}  // namespace sourcetrace::service
