// MpiSession: MPI_Init only under a launcher (see the header).
#include "sourcetrace/dist/mpi_session.hpp"

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern char** environ;

namespace sourcetrace::dist {

namespace {
const MpiSession* g_current = nullptr;
}

bool launched_as_rank() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

void forget_launcher_environment() {
  std::vector<std::string> names;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    for (const char* prefix : {"OMPI_", "PMIX_", "PMI_"}) {
      if (entry.rfind(prefix, 0) == 0) names.push_back(entry.substr(0, entry.find('=')));
    }
  }
  for (const std::string& name : names) ::unsetenv(name.c_str());
}

MpiSession::MpiSession(int& argc, char**& argv) {
  g_current = this;
  if (!launched_as_rank()) return;
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  initialised_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiSession::~MpiSession() {
  if (initialised_) MPI_Finalize();
  g_current = nullptr;
}

const MpiSession* MpiSession::current() { return g_current; }

}  // namespace sourcetrace::dist
