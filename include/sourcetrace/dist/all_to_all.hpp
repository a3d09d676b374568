// all_to_all: every rank sends each other rank a bucket of plain values.
//
// The one communication pattern of distributed detection: ghost values,
// community-total deltas and requests all travel as "bucket r goes to rank
// r". One MPI_Alltoall for the counts, one MPI_Alltoallv for the data, as
// bytes (T must be trivially copyable). The bytes this process sent are
// counted, so a benchmark can report traffic per iteration.
//
// Limit: one bucket holds at most 2 GiB (MPI counts are int); beyond it the
// job stops with a message rather than sending garbage.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <span>
#include <cstdio>
#include <type_traits>
#include <vector>

namespace sourcetrace::dist {

// Bytes this process has sent through all_to_all since it started.
std::uint64_t bytes_sent();
void count_bytes_sent(std::uint64_t bytes);
// Stops every rank with `message` (a bucket over the MPI count limit).
[[noreturn]] void abort_job(MPI_Comm comm, const char* message);

// Sends buckets[r] to rank r; returns what each rank sent to this one,
// concatenated in rank order, with `from[r]` (when given) the count of
// values that came from rank r. Collective: every rank calls it.
template <typename T>
std::vector<T> all_to_all(MPI_Comm comm, const std::vector<std::vector<T>>& buckets,
                          std::vector<int>* from = nullptr) {
  static_assert(std::is_trivially_copyable_v<T>);
  const int size = static_cast<int>(buckets.size());
  std::vector<int> send_bytes(size), send_at(size), recv_bytes(size), recv_at(size);
  std::uint64_t total = 0;
  for (int r = 0; r < size; ++r) {
    const std::uint64_t bytes = buckets[r].size() * sizeof(T);
    if (bytes > INT32_MAX) abort_job(comm, "sourcetrace: error: an exchange between two ranks exceeds 2 GiB; use more ranks");
    send_bytes[r] = static_cast<int>(bytes);
    send_at[r] = static_cast<int>(total);
    total += bytes;
  }
  if (total > INT32_MAX) abort_job(comm, "sourcetrace: error: one rank's exchange exceeds 2 GiB; use more ranks");
  std::vector<T> send;
  send.reserve(total / sizeof(T));
  for (const auto& b : buckets) send.insert(send.end(), b.begin(), b.end());
  MPI_Alltoall(send_bytes.data(), 1, MPI_INT, recv_bytes.data(), 1, MPI_INT, comm);
  std::uint64_t received = 0;
  for (int r = 0; r < size; ++r) {
    recv_at[r] = static_cast<int>(received);
    received += static_cast<std::uint64_t>(recv_bytes[r]);
  }
  if (received > INT32_MAX) abort_job(comm, "sourcetrace: error: one rank's exchange exceeds 2 GiB; use more ranks");
  std::vector<T> out(received / sizeof(T));
  MPI_Alltoallv(send.data(), send_bytes.data(), send_at.data(), MPI_BYTE, out.data(), recv_bytes.data(),
                recv_at.data(), MPI_BYTE, comm);
  count_bytes_sent(total);
  if (from != nullptr) {
    from->resize(size);
    for (int r = 0; r < size; ++r) (*from)[r] = recv_bytes[r] / static_cast<int>(sizeof(T));
  }
  return out;
}

// Every rank's `mine`, concatenated in rank order, on `root` (empty
// elsewhere). Collective. Counts are in values (at most 2^31 - 1 per rank).
template <typename T>
std::vector<T> gather_to_root(MPI_Comm comm, std::span<const T> mine, int root) {
  static_assert(std::is_trivially_copyable_v<T>);
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  if (mine.size() > INT32_MAX) abort_job(comm, "sourcetrace: error: one rank's share to gather exceeds 2^31 values; use more ranks");
  int count = static_cast<int>(mine.size());
  std::vector<int> counts(size), at(size);
  MPI_Gather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, root, comm);
  std::uint64_t total = 0;
  for (int r = 0; r < size; ++r) {
    if (total > INT32_MAX) abort_job(comm, "sourcetrace: error: a gather exceeds 2^31 values; raise the ranks' share");
    at[r] = static_cast<int>(total);
    total += static_cast<std::uint64_t>(counts[r]);
  }
  std::vector<T> all(rank == root ? total : 0);
  MPI_Datatype type;
  MPI_Type_contiguous(static_cast<int>(sizeof(T)), MPI_BYTE, &type);
  MPI_Type_commit(&type);
  MPI_Gatherv(mine.data(), count, type, all.data(), counts.data(), at.data(), type, root, comm);
  MPI_Type_free(&type);
  return all;
}

// The inverse: rank r's `counts[r]` values of `all` (held by `root`, in
// rank order). Collective; counts are the same on every rank.
template <typename T>
std::vector<T> scatter_from_root(MPI_Comm comm, std::span<const T> all, const std::vector<int>& counts, int root) {
  static_assert(std::is_trivially_copyable_v<T>);
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  std::vector<int> at(counts.size(), 0);
  for (std::size_t r = 1; r < counts.size(); ++r) {
    if (std::int64_t{at[r - 1]} + counts[r - 1] > INT32_MAX) {
      abort_job(comm, "sourcetrace: error: a scatter exceeds 2^31 values; raise the ranks' share");
    }
    at[r] = at[r - 1] + counts[r - 1];
  }
  std::vector<T> mine(static_cast<std::size_t>(counts[static_cast<std::size_t>(rank)]));
  MPI_Datatype type;
  MPI_Type_contiguous(static_cast<int>(sizeof(T)), MPI_BYTE, &type);
  MPI_Type_commit(&type);
  MPI_Scatterv(all.data(), counts.data(), at.data(), type, mine.data(), static_cast<int>(mine.size()), type, root,
               comm);
  MPI_Type_free(&type);
  return mine;
}

}  // namespace sourcetrace::dist
