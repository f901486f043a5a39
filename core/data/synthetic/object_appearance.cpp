#include "core/data/synthetic/object_appearance.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

#include "core/data/synthetic/random.h"

namespace counterscope::data::synthetic {
namespace {

constexpr double pi = 3.14159265358979323846;

// Mix of primary (0) and secondary (1) at object point (u, v) (units of size; the object spans
// [-w/2, w/2] x [-h/2, h/2]).
double pattern_mix(const CategorySpec& spec, const ValueNoise& noise, double u, double v, double w, double h) {
  const double scale = spec.pattern_scale;
  const double nu = u / w, nv = v / h;  // normalised to [-0.5, 0.5]
  switch (spec.pattern) {
    case Pattern::solid: return 0;
    case Pattern::stripes: {
      const double along = w >= h ? nu : nv;  // bands across the long axis
      return std::sin(2 * pi * scale * along) > 0 ? 1 : 0;
    }
    case Pattern::dots: {
      const double cu = u * scale * 2 - std::floor(u * scale * 2) - 0.5;
      const double cv = v * scale * 2 - std::floor(v * scale * 2) - 0.5;
      return cu * cu + cv * cv < 0.07 ? 1 : 0;
    }
    case Pattern::checker:
      return (static_cast<long>(std::floor(u * scale * 2)) + static_cast<long>(std::floor(v * scale * 2))) & 1;
    case Pattern::rings: {
      const double r = 2 * std::sqrt(nu * nu + nv * nv);
      return static_cast<long>(std::floor(r * scale * 2)) & 1;
    }
    case Pattern::gradient: return std::clamp(nv + 0.5, 0.0, 1.0);
    case Pattern::mottled: {
      const double n = noise.fractal(u * scale * 2 + 11.0, v * scale * 2 + 5.0, 3);
      return std::clamp((n - 0.4) / 0.2, 0.0, 1.0);
    }
    case Pattern::two_tone: return nv > 0 ? 1 : 0;
    case Pattern::segments: {
      const double theta = std::atan2(nv, nu) + pi;
      const int sectors = std::max(2, static_cast<int>(std::lround(scale)));
      return static_cast<int>(std::floor(theta / (2 * pi) * sectors)) % 2;
    }
  }
  return 0;
}

}  // namespace

void paint_instance(cv::Mat& image, const cv::Mat& full_mask, const CategorySpec& spec,
                    const InstanceGeometry& geometry) {
  const cv::Rect bounds = cv::boundingRect(full_mask);
  if (bounds.empty()) return;
  const cv::Point2d extent = object_extent(spec, geometry);
  const ValueNoise noise(derive_seed(geometry.seed, 1));
  // Per-instance jitter: overall brightness and a slight tint, so instances of a class vary.
  Rng jitter(derive_seed(geometry.seed, 2));
  const double brightness = jitter.uniform(0.85, 1.12);
  const double tint[3] = {jitter.uniform(0.93, 1.07), jitter.uniform(0.93, 1.07), jitter.uniform(0.93, 1.07)};
  const std::uint64_t grain_seed = derive_seed(geometry.seed, 3);
  const int rows = full_mask.rows, cols = full_mask.cols;

  for (int y = bounds.y; y < bounds.y + bounds.height; ++y) {
    const auto* mask_row = full_mask.ptr<std::uint8_t>(y);
    auto* row = image.ptr<cv::Vec3b>(y);
    for (int x = bounds.x; x < bounds.x + bounds.width; ++x) {
      if (!mask_row[x]) continue;
      const cv::Point2d p = to_object_coordinates(geometry, x + 0.5, y + 0.5);
      const double t = pattern_mix(spec, noise, p.x, p.y, extent.x, extent.y);
      // Shading: darker towards the rim, lit from the image's top left whatever the rotation.
      const double nx = p.x / extent.x, ny = p.y / extent.y;
      const double r2 = std::min(1.0, 4 * (nx * nx + ny * ny));
      const double dx = (x + 0.5 - geometry.center_x) / geometry.size, dy = (y + 0.5 - geometry.center_y) / geometry.size;
      double shade = brightness * (1.04 - 0.22 * r2 - 0.12 * (dx + dy));
      // A dark outline where the object borders anything that is not itself.
      const bool edge = x == 0 || y == 0 || x == cols - 1 || y == rows - 1 || !mask_row[x - 1] || !mask_row[x + 1] ||
                        !full_mask.ptr<std::uint8_t>(y - 1)[x] || !full_mask.ptr<std::uint8_t>(y + 1)[x];
      if (edge) shade *= 0.7;
      const double grain = (hash_unit(grain_seed, x, y) - 0.5) * 10;
      const double colour[3] = {spec.primary.b + (spec.secondary.b - spec.primary.b) * t,
                                spec.primary.g + (spec.secondary.g - spec.primary.g) * t,
                                spec.primary.r + (spec.secondary.r - spec.primary.r) * t};
      for (int channel = 0; channel < 3; ++channel)
        row[x][channel] = cv::saturate_cast<std::uint8_t>(colour[channel] * tint[channel] * shade + grain);
    }
  }
}

}  // namespace counterscope::data::synthetic
