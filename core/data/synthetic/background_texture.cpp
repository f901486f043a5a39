#include "core/data/synthetic/background_texture.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "core/data/synthetic/random.h"

namespace counterscope::data::synthetic {
namespace {

constexpr double pi = 3.14159265358979323846;

cv::Vec3b to_pixel(double b, double g, double r) {
  return {cv::saturate_cast<std::uint8_t>(b), cv::saturate_cast<std::uint8_t>(g), cv::saturate_cast<std::uint8_t>(r)};
}

void paint_grass(cv::Mat& image, std::uint64_t seed) {
  const ValueNoise patches(derive_seed(seed, 1));
  for (int y = 0; y < image.rows; ++y) {
    auto* row = image.ptr<cv::Vec3b>(y);
    for (int x = 0; x < image.cols; ++x) {
      const double shade = 0.75 + 0.4 * patches.fractal(x / 40.0, y / 40.0, 3);
      const double grain = (hash_unit(seed, x, y) - 0.5) * 16;
      row[x] = to_pixel(35 * shade + grain, 135 * shade + grain, 60 * shade + grain);
    }
  }
  // Blades: short near-vertical strokes in varied greens.
  Rng rng(derive_seed(seed, 2));
  const int blades = image.rows * image.cols / 28;
  for (int k = 0; k < blades; ++k) {
    const double x = rng.uniform(0, image.cols), y = rng.uniform(0, image.rows);
    const double length = rng.uniform(4, 11), angle = -pi / 2 + rng.uniform(-0.45, 0.45);
    const double tone = rng.uniform(0.6, 1.3);
    const cv::Point from(static_cast<int>(x), static_cast<int>(y));
    const cv::Point to(static_cast<int>(x + length * std::cos(angle)), static_cast<int>(y + length * std::sin(angle)));
    cv::line(image, from, to, cv::Scalar(30 * tone, 150 * tone, 55 * tone), 1, cv::LINE_8);
  }
}

void paint_snow(cv::Mat& image, std::uint64_t seed) {
  const ValueNoise drifts(derive_seed(seed, 1));
  for (int y = 0; y < image.rows; ++y) {
    auto* row = image.ptr<cv::Vec3b>(y);
    for (int x = 0; x < image.cols; ++x) {
      const double drift = drifts.fractal(x / 60.0, y / 45.0, 3);
      const double shade = 0.84 + 0.16 * drift;
      const double grain = (hash_unit(seed, x, y) - 0.5) * 6;
      // Shadows in snow are bluish: red and green fall faster than blue.
      row[x] = to_pixel(250 * (0.93 + 0.07 * drift) + grain, 246 * shade + grain, 240 * shade + grain);
      if (hash_unit(derive_seed(seed, 3), x, y) > 0.996) row[x] = cv::Vec3b(255, 255, 255);
    }
  }
}

void paint_sand(cv::Mat& image, std::uint64_t seed) {
  const ValueNoise warp(derive_seed(seed, 1));
  Rng rng(derive_seed(seed, 2));
  const double direction = rng.uniform(0, pi), wavelength = rng.uniform(7, 12);
  const double cd = std::cos(direction), sd = std::sin(direction);
  for (int y = 0; y < image.rows; ++y) {
    auto* row = image.ptr<cv::Vec3b>(y);
    for (int x = 0; x < image.cols; ++x) {
      const double phase = (x * cd + y * sd) / wavelength * 2 * pi + 4 * warp.fractal(x / 50.0, y / 50.0, 2);
      const double shade = 0.92 + 0.07 * std::sin(phase);
      const double grain = (hash_unit(seed, x, y) - 0.5) * 20;
      row[x] = to_pixel(135 * shade + grain, 188 * shade + grain, 218 * shade + grain);
    }
  }
}

void paint_water(cv::Mat& image, std::uint64_t seed) {
  const ValueNoise depth(derive_seed(seed, 1));
  Rng rng(derive_seed(seed, 2));
  const double phase = rng.uniform(0, 2 * pi), period = rng.uniform(5, 8);
  for (int y = 0; y < image.rows; ++y) {
    auto* row = image.ptr<cv::Vec3b>(y);
    for (int x = 0; x < image.cols; ++x) {
      const double shade = 0.75 + 0.35 * depth.fractal(x / 70.0, y / 70.0, 3);
      const double wave = std::sin(y / period + 2.2 * std::sin(x / 23.0 + phase) + 3 * depth.sample(x / 30.0, y / 30.0));
      const double crest = std::clamp((wave - 0.8) / 0.2, 0.0, 1.0);  // bright crest lines
      const double grain = (hash_unit(seed, x, y) - 0.5) * 8;
      const double b = 165 * shade, g = 105 * shade, r = 35 * shade;
      row[x] = to_pixel(b + (235 - b) * crest * 0.6 + grain, g + (215 - g) * crest * 0.6 + grain,
                        r + (170 - r) * crest * 0.6 + grain);
    }
  }
}

void paint_asphalt(cv::Mat& image, std::uint64_t seed) {
  const ValueNoise blotches(derive_seed(seed, 1));
  for (int y = 0; y < image.rows; ++y) {
    auto* row = image.ptr<cv::Vec3b>(y);
    for (int x = 0; x < image.cols; ++x) {
      const double base = 68 + 22 * (blotches.fractal(x / 35.0, y / 35.0, 3) - 0.5);
      const double speckle = (hash_unit(seed, x, y) - 0.5) * 44;
      const double v = base + speckle;
      row[x] = to_pixel(v + 2, v, v - 2);
    }
  }
  // Half the asphalt scenes carry a dashed lane marking, white or yellow.
  Rng rng(derive_seed(seed, 2));
  if (rng.chance(0.5)) {
    const bool yellow = rng.chance(0.4);
    const cv::Scalar colour = yellow ? cv::Scalar(40, 190, 225) : cv::Scalar(215, 215, 215);
    const double angle = rng.uniform(-0.5, 0.5) + (rng.chance(0.5) ? 0 : pi / 2);
    const cv::Point2d centre(rng.uniform(0.2, 0.8) * image.cols, rng.uniform(0.2, 0.8) * image.rows);
    const double span = image.cols + image.rows, dash = rng.uniform(18, 30);
    const int thickness = static_cast<int>(rng.uniform(4, 8));
    for (double t = -span; t < span; t += 2 * dash) {
      const cv::Point from(static_cast<int>(centre.x + t * std::cos(angle)), static_cast<int>(centre.y + t * std::sin(angle)));
      const cv::Point to(static_cast<int>(centre.x + (t + dash) * std::cos(angle)),
                         static_cast<int>(centre.y + (t + dash) * std::sin(angle)));
      cv::line(image, from, to, colour, thickness, cv::LINE_8);
    }
  }
}

void paint_wood_floor(cv::Mat& image, std::uint64_t seed) {
  const ValueNoise grain_noise(derive_seed(seed, 1));
  Rng rng(derive_seed(seed, 2));
  // Plank rows of random height, each with its own tone and an end joint.
  std::vector<int> plank_of_row(image.rows);
  std::vector<double> tone, joint;
  for (int y = 0, plank = 0; y < image.rows; ++plank) {
    const int height = static_cast<int>(rng.uniform(20, 36));
    tone.push_back(rng.uniform(0.8, 1.15));
    joint.push_back(rng.uniform(0, image.cols));
    for (int k = 0; k < height && y < image.rows; ++k, ++y) plank_of_row[y] = plank;
  }
  for (int y = 0; y < image.rows; ++y) {
    auto* row = image.ptr<cv::Vec3b>(y);
    const int plank = plank_of_row[y];
    const bool seam = y > 0 && plank_of_row[y - 1] != plank;
    for (int x = 0; x < image.cols; ++x) {
      const double ring = std::sin((x / 21.0 + 5 * grain_noise.fractal(x / 90.0, y / 7.0, 2)) * 2 * pi);
      double shade = tone[plank] * (0.9 + 0.08 * ring) + (hash_unit(seed, x, y) - 0.5) * 0.06;
      if (seam || std::abs(x - joint[plank]) < 1) shade *= 0.45;
      row[x] = to_pixel(62 * shade, 112 * shade, 168 * shade);
    }
  }
}

}  // namespace

void paint_background(cv::Mat& image, Background background, std::uint64_t seed) {
  switch (background) {
    case Background::grass: paint_grass(image, seed); return;
    case Background::snow: paint_snow(image, seed); return;
    case Background::sand: paint_sand(image, seed); return;
    case Background::water: paint_water(image, seed); return;
    case Background::asphalt: paint_asphalt(image, seed); return;
    case Background::wood_floor: paint_wood_floor(image, seed); return;
  }
}

}  // namespace counterscope::data::synthetic
