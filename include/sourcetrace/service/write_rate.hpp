// WriteRate: how many rows each token may write through the service per
// minute (reports and verdicts), so that one brand's runaway script cannot
// fill the journal or starve the others.
//
// A token bucket per token id: it holds at most `rows_per_minute` rows and
// refills at that rate, so a quiet token may send a minute's worth at once
// and a busy one is held to the rate. A call takes its rows whole or not
// at all: refused, it learns how long until they fit.
//
// Thread-safe. The clock is a parameter so that a test can step it.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sourcetrace::service {

class WriteRate {
 public:
  using Clock = std::chrono::steady_clock;
  explicit WriteRate(std::int64_t rows_per_minute) : rows_per_minute_(rows_per_minute) {}

  // 0 when `token_id` may write `rows` now (and they are taken); otherwise
  // the milliseconds until it may (nothing taken). REQUIRES: rows <= limit().
  std::int64_t take(const std::string& token_id, std::int64_t rows, Clock::time_point now = Clock::now());

  std::int64_t limit() const { return rows_per_minute_; }

 private:
  struct Bucket {
    double rows = 0;
    Clock::time_point at;
  };
  const std::int64_t rows_per_minute_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace sourcetrace::service
