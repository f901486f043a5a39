#include "core/data/synthetic/object_shape.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace counterscope::data::synthetic {
namespace {

constexpr double pi = 3.14159265358979323846;
using Loop = std::vector<cv::Point2d>;

Loop ellipse_loop(double rx, double ry, double cx = 0, int points = 64) {
  Loop loop;
  for (int k = 0; k < points; ++k) {
    const double t = 2 * pi * k / points;
    loop.emplace_back(cx + rx * std::cos(t), ry * std::sin(t));
  }
  return loop;
}

// A rectangle of w x h with corner arcs of radius r (r = min(w, h) / 2 gives a capsule).
Loop rounded_rectangle_loop(double w, double h, double r) {
  r = std::clamp(r, 0.0, std::min(w, h) / 2);
  const double ax = w / 2 - r, ay = h / 2 - r;
  const cv::Point2d centres[4] = {{ax, ay}, {-ax, ay}, {-ax, -ay}, {ax, -ay}};
  Loop loop;
  constexpr int arc_points = 12;
  for (int corner = 0; corner < 4; ++corner) {
    for (int k = 0; k <= arc_points; ++k) {
      const double t = (corner + double(k) / arc_points) * pi / 2;
      loop.emplace_back(centres[corner].x + r * std::cos(t), centres[corner].y + r * std::sin(t));
    }
  }
  return loop;
}

Loop scaled_radial_loop(int points, double w, double h, double start_angle, double inner_ratio, bool star) {
  Loop loop;
  const int count = star ? 2 * points : points;
  for (int k = 0; k < count; ++k) {
    const double t = start_angle + 2 * pi * k / count;
    const double r = (star && k % 2 == 1) ? 0.5 * inner_ratio : 0.5;
    loop.emplace_back(w * r * std::cos(t), h * r * std::sin(t));
  }
  return loop;
}

std::vector<Loop> unit_outline(const CategorySpec& spec, double w, double h) {
  switch (spec.shape) {
    case ShapeFamily::ellipse: return {ellipse_loop(w / 2, h / 2)};
    case ShapeFamily::rectangle: return {{{-w / 2, -h / 2}, {w / 2, -h / 2}, {w / 2, h / 2}, {-w / 2, h / 2}}};
    case ShapeFamily::rounded_rectangle:
      return {rounded_rectangle_loop(w, h, spec.shape_ratio * std::min(w, h) / 2)};
    case ShapeFamily::capsule: return {rounded_rectangle_loop(w, h, std::min(w, h) / 2)};
    case ShapeFamily::triangle: return {{{0, -h / 2}, {w / 2, h / 2}, {-w / 2, h / 2}}};
    case ShapeFamily::trapezoid: {
      // shape_ratio = top / bottom width; the wider edge spans the full width.
      const double top = spec.shape_ratio >= 1 ? w : w * spec.shape_ratio;
      const double bottom = spec.shape_ratio >= 1 ? w / spec.shape_ratio : w;
      return {{{-top / 2, -h / 2}, {top / 2, -h / 2}, {bottom / 2, h / 2}, {-bottom / 2, h / 2}}};
    }
    case ShapeFamily::star: return {scaled_radial_loop(spec.shape_points, w, h, -pi / 2, spec.shape_ratio, true)};
    case ShapeFamily::ring: {
      Loop inner = ellipse_loop(spec.shape_ratio * w / 2, spec.shape_ratio * h / 2);
      std::reverse(inner.begin(), inner.end());
      return {ellipse_loop(w / 2, h / 2), inner};
    }
    case ShapeFamily::arc: {
      // An annulus sector leaving a 70-degree gap around angle 0.
      constexpr int points = 40;
      const double gap = 35.0 * pi / 180, inner = spec.shape_ratio;
      Loop loop;
      for (int k = 0; k <= points; ++k) {
        const double t = gap + (2 * pi - 2 * gap) * k / points;
        loop.emplace_back(w / 2 * std::cos(t), h / 2 * std::sin(t));
      }
      for (int k = points; k >= 0; --k) {
        const double t = gap + (2 * pi - 2 * gap) * k / points;
        loop.emplace_back(inner * w / 2 * std::cos(t), inner * h / 2 * std::sin(t));
      }
      return {loop};
    }
    case ShapeFamily::regular_polygon:
      return {scaled_radial_loop(spec.shape_points, w, h, -pi / 2, 1.0, false)};
    case ShapeFamily::cross: {
      const double a = spec.shape_ratio / 2;
      const Loop unit = {{-a, -0.5}, {a, -0.5}, {a, -a},  {0.5, -a},  {0.5, a},  {a, a},
                         {a, 0.5},   {-a, 0.5}, {-a, a},  {-0.5, a},  {-0.5, -a}, {-a, -a}};
      Loop loop;
      for (const auto& p : unit) loop.emplace_back(p.x * w, p.y * h);
      return {loop};
    }
    case ShapeFamily::crescent: {
      // Disc of radius 0.5 minus a disc of radius 0.5 shifted right by d = shape_ratio.
      const double r = 0.5, d = std::clamp(spec.shape_ratio, 0.05, 0.95);
      const double y = std::sqrt(r * r - d * d / 4), alpha = std::atan2(y, d / 2);
      constexpr int points = 32;
      Loop loop;
      for (int k = 0; k <= points; ++k) {  // outer arc, through the left
        const double t = alpha + (2 * pi - 2 * alpha) * k / points;
        loop.emplace_back(w * r * std::cos(t), h * r * std::sin(t));
      }
      for (int k = 1; k < points; ++k) {  // inner arc of the shifted disc, back to the start
        const double t = pi + alpha - 2 * alpha * k / points;
        loop.emplace_back(w * (d + r * std::cos(t)), h * r * std::sin(t));
      }
      // Centre the bounding box: the crescent spans x in [-r, d/2].
      const double shift = (-r + d / 2) / 2 * w;
      for (auto& p : loop) p.x -= shift;
      return {loop};
    }
    case ShapeFamily::diamond: return {{{0, -h / 2}, {w / 2, 0}, {0, h / 2}, {-w / 2, 0}}};
    case ShapeFamily::heart: {
      constexpr int points = 64;
      Loop loop;
      for (int k = 0; k < points; ++k) {
        const double t = 2 * pi * k / points;
        const double x = 16 * std::pow(std::sin(t), 3);
        const double y = -(13 * std::cos(t) - 5 * std::cos(2 * t) - 2 * std::cos(3 * t) - std::cos(4 * t));
        // The curve spans x in [-16, 16] and y in about [-12, 17]: fit it to w x h.
        loop.emplace_back(x / 32 * w, (y - 2.5) / 29.5 * h);
      }
      return {loop};
    }
  }
  return {ellipse_loop(w / 2, h / 2)};
}

}  // namespace

cv::Point2d object_extent(const CategorySpec& spec, const InstanceGeometry& geometry) {
  const double aspect = std::max(0.05, spec.aspect * geometry.aspect_jitter);
  return {std::sqrt(aspect), 1 / std::sqrt(aspect)};
}

std::vector<std::vector<cv::Point2d>> instance_outline(const CategorySpec& spec, const InstanceGeometry& geometry) {
  const cv::Point2d extent = object_extent(spec, geometry);
  auto loops = unit_outline(spec, extent.x, extent.y);
  const double c = std::cos(geometry.angle), s = std::sin(geometry.angle);
  for (auto& loop : loops) {
    for (auto& p : loop) {
      const double x = p.x * geometry.size, y = p.y * geometry.size;
      p = {geometry.center_x + c * x - s * y, geometry.center_y + s * x + c * y};
    }
  }
  return loops;
}

cv::Mat rasterize_instance(const CategorySpec& spec, const InstanceGeometry& geometry, int width, int height) {
  cv::Mat mask = cv::Mat::zeros(height, width, CV_8U);
  constexpr int shift = 8;  // fixed-point sub-pixel precision of fillPoly
  std::vector<std::vector<cv::Point>> contours;
  for (const auto& loop : instance_outline(spec, geometry)) {
    std::vector<cv::Point> contour;
    // OpenCV puts integer coordinates at pixel centres; ours put them at pixel corners.
    for (const auto& p : loop)
      contour.emplace_back(static_cast<int>(std::lround((p.x - 0.5) * (1 << shift))),
                           static_cast<int>(std::lround((p.y - 0.5) * (1 << shift))));
    contours.push_back(std::move(contour));
  }
  cv::fillPoly(mask, contours, cv::Scalar(1), cv::LINE_8, shift);
  return mask;
}

cv::Point2d to_object_coordinates(const InstanceGeometry& geometry, double x, double y) {
  const double dx = x - geometry.center_x, dy = y - geometry.center_y;
  const double c = std::cos(geometry.angle), s = std::sin(geometry.angle);
  return {(c * dx + s * dy) / geometry.size, (-s * dx + c * dy) / geometry.size};
}

}  // namespace counterscope::data::synthetic
