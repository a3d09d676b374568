// splitmix64's finaliser: a cheap, well-mixed 64-bit hash. Leiden, on one
// node and on MPI ranks, draws its seeded vertex orders and breaks ties
// between equal gains with it, so that a seed gives the same choices on
// any number of threads or ranks.
#pragma once

#include <cstdint>

namespace sourcetrace::community {

inline std::uint64_t splitmix64(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

}  // namespace sourcetrace::community
