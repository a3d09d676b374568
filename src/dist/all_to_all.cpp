// The traffic counter and the abort of all_to_all (see the header).
#include "sourcetrace/dist/all_to_all.hpp"

#include <cstdlib>

namespace sourcetrace::dist {

namespace {
std::uint64_t g_bytes_sent = 0;
}

std::uint64_t bytes_sent() { return g_bytes_sent; }
void count_bytes_sent(std::uint64_t bytes) { g_bytes_sent += bytes; }

void abort_job(MPI_Comm comm, const char* message) {
  std::fprintf(stderr, "%s\n", message);
  std::fflush(stderr);
  MPI_Abort(comm, 70);
  std::abort();
}

}  // namespace sourcetrace::dist
