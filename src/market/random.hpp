// Rng: the market generator's own random numbers.
//
// The generator promises the same bytes for the same seed on every machine and
// with every standard library, so it cannot use std:: distributions (their
// output is implementation-defined). xoshiro256** seeded through splitmix64,
// with bounded integers by rejection and doubles from the top 53 bits, is
// specified down to the bit and is fast enough to draw tens of millions of
// events per second.
#pragma once

#include <cmath>
#include <cstdint>

namespace sourcetrace::market {

// One step of splitmix64: also used to mix a seed with a stream number, so
// that every table gets an independent, reproducible stream.
inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

class Rng {
 public:
  // `stream` separates the structure's draws from each table's draws: the
  // same seed with different streams gives unrelated sequences.
  Rng(std::uint64_t seed, std::uint64_t stream) {
    std::uint64_t mix = seed ^ (stream * 0xD1B54A32D192ED03ULL);
    std::uint64_t state = splitmix64(mix);
    for (auto& word : state_) word = splitmix64(state);
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, n); n > 0. Rejection keeps it exactly uniform.
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t threshold = (0 - n) % n;
    for (;;) {
      const std::uint64_t x = next();
      if (x >= threshold) return x % n;
    }
  }

  // Uniform in [lo, hi], both included; lo <= hi.
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
  }

  // Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  bool chance(double p) { return uniform() < p; }

  // Roughly standard normal: twelve uniforms summed, minus 6 (Irwin-Hall),
  // so bounded to +-6. Additions only: the same on every machine.
  double normal() {
    double sum = 0;
    for (int k = 0; k < 12; ++k) sum += uniform();
    return sum - 6;
  }

  // Index in [0, n) skewed toward 0 (density ~ 1/sqrt): a few giant hubs
  // and suppliers, many small ones, the way marketplace traffic concentrates.
  std::uint64_t skewed(std::uint64_t n) {
    const double u = uniform();
    auto i = static_cast<std::uint64_t>(static_cast<double>(n) * u * u);
    return i < n ? i : n - 1;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t state_[4];
};

// 2^x, straight between whole powers of two (2^n * (1 + f) for x = n + f):
// monotone, exact at whole x, at most 7% above 2^x, and free of libm's exp2,
// whose last bit may differ between libraries. Log-normal-like draws (ring
// sizes, per-ring evidence rates) go through it.
inline double pow2_piecewise(double x) {
  const double whole = std::floor(x);
  return std::ldexp(1 + (x - whole), static_cast<int>(whole));
}

}  // namespace sourcetrace::market
