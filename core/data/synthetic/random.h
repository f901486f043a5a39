#pragma once
// Portable randomness for the synthetic world. std::mt19937_64 drives every random choice, but the
// distributions are written out here: std::uniform_real_distribution and friends are implementation-defined
// and differ between standard libraries. (Byte-identity is guaranteed for one build on one platform; a
// different libm may round sin/exp differently and move a pixel.)
// Per-pixel noise uses a stateless hash instead of an engine, so a pixel's value never depends on the order
// in which pixels or images are drawn (or on the thread that draws them).

#include <cstdint>
#include <random>

namespace counterscope::data::synthetic {

/// splitmix64 finaliser: a well-mixed 64-bit hash of one value.
std::uint64_t mix64(std::uint64_t value);
/// Derives an independent seed from a parent seed and a tag (split, image id, purpose ...).
std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t tag);
/// Stateless hash of a lattice point to [0, 1).
double hash_unit(std::uint64_t seed, std::int64_t x, std::int64_t y);

/// A seeded random source with explicit, portable distributions.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : m_engine(seed) {}

  std::uint64_t next() { return m_engine(); }
  /// Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(m_engine() >> 11) * 0x1.0p-53; }
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  /// Uniform integer in [0, n) without modulo bias; n must be > 0.
  std::uint64_t below(std::uint64_t n);
  /// Standard normal (Box-Muller; one draw per call keeps the stream easy to reason about).
  double normal();
  bool chance(double probability) { return uniform() < probability; }

 private:
  std::mt19937_64 m_engine;
};

/// Smooth value noise in [0, 1]: random values on an integer lattice, interpolated with a smoothstep.
/// `fractal` sums `octaves` octaves, each of twice the frequency and half the amplitude.
class ValueNoise {
 public:
  explicit ValueNoise(std::uint64_t seed) : m_seed(seed) {}
  double sample(double x, double y) const;
  double fractal(double x, double y, int octaves) const;

 private:
  std::uint64_t m_seed;
};

}  // namespace counterscope::data::synthetic
