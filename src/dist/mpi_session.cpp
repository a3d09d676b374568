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

namespace {

// A status with `code` for the ranks that did not see the failure itself.
Status failed_elsewhere(int code) {
  const std::string m = "failed on rank 0 (its message says why)";
  switch (static_cast<Status::Code>(code)) {
    case Status::Code::kInvalidInput: return Status::invalid_input(m);
    case Status::Code::kCorrupt: return Status::corrupt(m);
    case Status::Code::kMissingInput: return Status::missing_input(m);
    case Status::Code::kNotFound: return Status::not_found(m);
    case Status::Code::kCannotCreate: return Status::cannot_create(m);
    case Status::Code::kIOError: return Status::io_error(m);
    case Status::Code::kInvalidArgument: return Status::invalid_argument(m);
    case Status::Code::kCancelled: return Status::cancelled(m);
    default: return Status::internal(m);
  }
}

}  // namespace

Status agree_with_root(MPI_Comm comm, const Status& status) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  int code = static_cast<int>(status.code());
  MPI_Bcast(&code, 1, MPI_INT, 0, comm);
  if (rank == 0) return status;
  return code == static_cast<int>(Status::Code::kOk) ? Status::ok() : failed_elsewhere(code);
}

}  // namespace sourcetrace::dist
