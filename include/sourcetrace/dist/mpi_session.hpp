// MpiSession: MPI for the length of the program, when a launcher started us.
//
// The same binary runs alone (a laptop, a test, `sourcetrace run`) and as
// ranks under `mpirun` or `srun --mpi=pmix`. Only in the second case is MPI
// initialised: a process started by hand never pays MPI_Init's start-up or
// needs a launcher, and the stages that `run` forks are plain processes.
// A launcher is recognised by the environment it gives its ranks (Open
// MPI's OMPI_COMM_WORLD_SIZE, PMIx's PMIX_RANK, PMI's PMI_RANK).
//
// Threading: MPI is initialised with MPI_THREAD_FUNNELED: OpenMP threads
// run inside a rank, but only the main thread calls MPI.
#pragma once

#include <mpi.h>

#include "sourcetrace/status.hpp"

namespace sourcetrace::dist {

class MpiSession {
 public:
  // Initialises MPI when launched as ranks; otherwise a single "rank".
  MpiSession(int& argc, char**& argv);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  // The session of this process (nullptr before one is made).
  static const MpiSession* current();

  bool initialised() const { return initialised_; }
  int rank() const { return rank_; }
  int size() const { return size_; }
  // More than one rank: detection runs distributed.
  bool distributed() const { return size_ > 1; }
  MPI_Comm comm() const { return MPI_COMM_WORLD; }

 private:
  bool initialised_ = false;
  int rank_ = 0;
  int size_ = 1;
};

// Rank 0's status on every rank of `comm`: its own there; on the others
// one with its code, saying that rank 0's message tells why. Collective: a
// step that may fail on rank 0 alone ends with it, so that all ranks stop
// alike.
Status agree_with_root(MPI_Comm comm, const Status& status);

// True when the environment says a launcher started this process as a rank.
bool launched_as_rank();

// Environment variables a launcher sets, to be cleared in a plain child
// process (so that it does not try to join the parent's job).
void forget_launcher_environment();

}  // namespace sourcetrace::dist
