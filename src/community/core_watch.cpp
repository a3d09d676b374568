// CoreWatch: process CPU time (getrusage) against wall time, summed over
// stretches until a window is long enough to judge.
#include "sourcetrace/community/core_watch.hpp"

#include <omp.h>
#include <sys/resource.h>

namespace sourcetrace::community {

namespace {

double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec);
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

}  // namespace

CoreWatch::CoreWatch() : initial_threads_(omp_get_max_threads()) {}

CoreWatch::~CoreWatch() {
  if (dropped_ > 0) omp_set_num_threads(initial_threads_);
}

void CoreWatch::start() {
  wall_start_ = omp_get_wtime();
  cpu_start_ = process_cpu_seconds();
}

void CoreWatch::check() {
  window_wall_ += omp_get_wtime() - wall_start_;
  window_cpu_ += process_cpu_seconds() - cpu_start_;
  if (window_wall_ < kWindowSeconds) return;
  const int threads = omp_get_max_threads();
  if (threads >= 2 && window_cpu_ / window_wall_ < threads - kShortfall) {
    omp_set_num_threads(threads - 1);
    ++dropped_;
  }
  window_wall_ = window_cpu_ = 0;
}

}  // namespace sourcetrace::community
