// ProgressReporter: a bar on a terminal, timestamped lines in a log.
#include "sourcetrace/cli/progress.hpp"

#include <fmt/chrono.h>
#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>

namespace sourcetrace::cli {

namespace {
constexpr auto kBarInterval = std::chrono::milliseconds(200);
constexpr auto kLogInterval = std::chrono::seconds(5);
}  // namespace

ProgressReporter::ProgressReporter(std::string stage)
    : stage_(std::move(stage)),
      terminal_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressReporter::~ProgressReporter() { clear_bar(); }

double ProgressReporter::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressReporter::update(std::string_view what, double fraction) {
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < (terminal_ ? kBarInterval : std::chrono::steady_clock::duration(kLogInterval))) {
    return;
  }
  last_draw_ = now;
  fraction = fraction < 0 ? 0 : fraction > 1 ? 1 : fraction;
  if (terminal_) {
    constexpr int kWidth = 30;
    int filled = static_cast<int>(fraction * kWidth);
    fmt::print(stderr, "\r{} [{:=<{}}{: <{}}] {:3.0f}% {:<24.24}", stage_, "", filled, "",
               kWidth - filled, fraction * 100, what);
    std::fflush(stderr);
    bar_shown_ = true;
  } else {
    std::time_t t = std::time(nullptr);
    fmt::print(stderr, "{:%Y-%m-%d %H:%M:%S} {}: {:.0f}% ({}), {:.1f} s\n", fmt::localtime(t), stage_,
               fraction * 100, what, seconds());
  }
}

void ProgressReporter::clear_bar() {
  if (bar_shown_) {
    fmt::print(stderr, "\r{: <80}\r", "");
    std::fflush(stderr);
    bar_shown_ = false;
  }
}

void ProgressReporter::finish(const std::string& summary) {
  clear_bar();
  fmt::print("{}\n", summary);
  std::fflush(stdout);
}

}  // namespace sourcetrace::cli
