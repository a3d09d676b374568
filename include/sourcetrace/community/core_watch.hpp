// CoreWatch: gives a kernel's parallel regions only the threads that get a
// core to run on.
//
// Every parallel region of the detector ends in a barrier, thousands per
// pass. When another process holds one of the cores, the thread sharing it
// runs in time slices of milliseconds, and every barrier waits for its next
// slice: two threads then take longer than one (on this 2-core machine, 1.7x
// with one core busy; far more beside a parallel compile). The detector's
// answer does not depend on its thread count (community/leiden.hpp), so it
// can drop a thread when its threads do not get their cores, and nothing
// but the time changes.
//
// How it knows: over stretches of parallel work (a pass, or part of one),
// the process's CPU time against the wall time, summed until they span
// kWindowSeconds (shorter windows are noise: on this machine a quiet 10 ms
// stretch of two threads reads anywhere from 1.5 to 2.0 CPUs, a 50 ms
// window 1.8 to 2.0). Threads that have their cores use about one CPU
// second per wall second each, waiting at barriers included (they spin
// before they sleep); a thread that shares its core with another process
// gets a fraction of that (one core busy: 1.3 to 1.5 CPUs for two threads).
// When a window reads fewer than `threads - kShortfall` CPUs, one thread is
// dropped for what follows (never below one). The watch restores the
// thread count it started with when it goes, so a later stage (and the
// next run of the detector) tries all threads again.
#pragma once

namespace sourcetrace::community {

class CoreWatch {
 public:
  CoreWatch();
  ~CoreWatch();
  CoreWatch(const CoreWatch&) = delete;
  CoreWatch& operator=(const CoreWatch&) = delete;

  // Before a stretch of parallel work, on the thread that starts its regions.
  void start();
  // After it: drops a thread when the threads did not get their cores.
  void check();

  int threads_dropped() const { return dropped_; }

 private:
  static constexpr double kWindowSeconds = 0.05;
  static constexpr double kShortfall = 0.4;  // CPUs missing before a thread is dropped

  int initial_threads_;
  int dropped_ = 0;
  double wall_start_ = 0, cpu_start_ = 0;
  double window_wall_ = 0, window_cpu_ = 0;
};

}  // namespace sourcetrace::community
