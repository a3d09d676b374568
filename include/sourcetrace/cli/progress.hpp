// ProgressReporter: how a long stage shows that it is alive.
//
// On a terminal, a one-line bar on stderr redrawn a few times a second; in a
// batch job's log (stderr not a terminal), a timestamped line every few
// seconds. Either way the stage ends with finish(summary): one line on
// stdout that says what was done. Only cli prints; the library reports
// through callbacks that end up here.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace sourcetrace::cli {

class ProgressReporter {
 public:
  explicit ProgressReporter(std::string stage);
  ~ProgressReporter();
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

  // `fraction` in [0,1] of the whole stage; `what` names the current step.
  // Cheap to call often: it draws only when due.
  void update(std::string_view what, double fraction);
  // Clears the bar and prints the one-line summary.
  void finish(const std::string& summary);
  double seconds() const;

 private:
  void clear_bar();

  std::string stage_;
  bool terminal_;
  bool bar_shown_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace sourcetrace::cli
