// CoreWatch: a window in which the threads used no CPU drops a thread, a
// short one decides nothing, and the watch gives the thread count back.
#include <catch2/catch.hpp>
#include <omp.h>

#include <chrono>
#include <thread>

#include "sourcetrace/community/core_watch.hpp"

using sourcetrace::community::CoreWatch;

TEST_CASE("community: the core watch drops a thread when the threads get no CPU and restores it", "[community][fast]") {
  const int before = omp_get_max_threads();
  omp_set_num_threads(3);
  {
    CoreWatch watch;
    // Too short a stretch to judge: nothing changes.
    watch.start();
    watch.check();
    CHECK(omp_get_max_threads() == 3);
    CHECK(watch.threads_dropped() == 0);
    // A window in which the process slept: far fewer CPUs than threads.
    watch.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(80));
    watch.check();
    CHECK(omp_get_max_threads() == 2);
    CHECK(watch.threads_dropped() == 1);
    watch.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(80));
    watch.check();
    CHECK(omp_get_max_threads() == 1);
    // Never below one thread.
    watch.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(80));
    watch.check();
    CHECK(omp_get_max_threads() == 1);
    CHECK(watch.threads_dropped() == 2);
  }
  CHECK(omp_get_max_threads() == 3);
  omp_set_num_threads(before);
}
