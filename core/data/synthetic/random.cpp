#include "core/data/synthetic/random.h"

#include <cmath>

namespace counterscope::data::synthetic {

std::uint64_t mix64(std::uint64_t value) {
  value += 0x9E3779B97F4A7C15ull;
  value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ull;
  value = (value ^ (value >> 27)) * 0x94D049BB133111EBull;
  return value ^ (value >> 31);
}

std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t tag) { return mix64(mix64(seed) ^ mix64(~tag)); }

double hash_unit(std::uint64_t seed, std::int64_t x, std::int64_t y) {
  const std::uint64_t h = mix64(seed ^ mix64(static_cast<std::uint64_t>(x) * 0x632BE59BD9B4E019ull +
                                             static_cast<std::uint64_t>(y)));
  return static_cast<double>(h >> 11) * 0x1.0p-53;
}

std::uint64_t Rng::below(std::uint64_t n) {
  // Rejection of the incomplete top range keeps every value equally likely.
  const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % n);
  std::uint64_t value = m_engine();
  while (value >= limit) value = m_engine();
  return value % n;
}

double Rng::normal() {
  const double u1 = 1.0 - uniform();  // (0, 1]: log is finite
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

double ValueNoise::sample(double x, double y) const {
  const double fx = std::floor(x), fy = std::floor(y);
  const auto ix = static_cast<std::int64_t>(fx), iy = static_cast<std::int64_t>(fy);
  const double tx = x - fx, ty = y - fy;
  const double sx = tx * tx * (3 - 2 * tx), sy = ty * ty * (3 - 2 * ty);
  const double v00 = hash_unit(m_seed, ix, iy), v10 = hash_unit(m_seed, ix + 1, iy);
  const double v01 = hash_unit(m_seed, ix, iy + 1), v11 = hash_unit(m_seed, ix + 1, iy + 1);
  const double top = v00 + (v10 - v00) * sx, bottom = v01 + (v11 - v01) * sx;
  return top + (bottom - top) * sy;
}

double ValueNoise::fractal(double x, double y, int octaves) const {
  double sum = 0, amplitude = 1, norm = 0, frequency = 1;
  for (int octave = 0; octave < octaves; ++octave) {
    // Offsetting each octave avoids the lattice points of all octaves lining up at the origin.
    sum += amplitude * sample(x * frequency + 17.3 * octave, y * frequency - 9.1 * octave);
    norm += amplitude;
    amplitude *= 0.5;
    frequency *= 2;
  }
  return sum / norm;
}

}  // namespace counterscope::data::synthetic
