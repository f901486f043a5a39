// Polygon and box rasterisation (pycocotools' rleFrPoly / rleFrBbox / frPyObjects + merge).
//
// The rasteriser works on a 5x upsampled integer grid: it walks every polygon edge pixel by pixel, keeps the
// points where the upsampled x changes (crossings of a pixel column boundary), maps them back to pixel
// columns whose centre lies on the boundary, and turns the sorted column-major positions into run lengths.
// Every conversion below mirrors the C casts of maskApi.c (truncation toward zero, not rounding), because
// bit-identical masks are the whole point: AP differs otherwise.

#include "core/data/mask/mask_api.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>
#include <vector>

#include "core/data/mask/rle_checks.h"
#include "core/util/error.h"

namespace counterscope::data {
namespace {

constexpr double kUpsampling = 5.0;
// Beyond this, 5*coordinate and the differences between upsampled coordinates overflow a 32-bit int (the
// C code would be undefined there); LVIS/COCO coordinates are a few thousand at most.
constexpr double kMaxAbsCoordinate = 1e8;

/// Collects the y-boundary points of the upsampled outline as column-major pixel positions. Points arrive
/// one by one in outline order, so the outline itself is never stored: memory is bounded by the number of
/// boundary crossings inside the image, not by the (upsampled) perimeter.
class BoundaryCollector {
 public:
  BoundaryCollector(std::uint32_t height, std::uint32_t width) : m_height(height), m_width(width) {}

  void add(int u, int v) {
    if (m_has_previous && u != m_previous_u) add_crossing(u, v);
    m_previous_u = u;
    m_previous_v = v;
    m_has_previous = true;
  }

  std::vector<std::uint32_t>& positions() { return m_positions; }

 private:
  void add_crossing(int u, int v) {
    // The crossing belongs to the pixel column left of the boundary between u-1 and u (or u and u+1).
    double xd = static_cast<double>(u < m_previous_u ? u : u - 1);
    xd = (xd + .5) / kUpsampling - .5;
    if (std::floor(xd) != xd || xd < 0 || xd > static_cast<double>(m_width) - 1) return;
    double yd = static_cast<double>(v < m_previous_v ? v : m_previous_v);
    yd = (yd + .5) / kUpsampling - .5;
    if (yd < 0) {
      yd = 0;
    } else if (yd > m_height) {
      yd = m_height;
    }
    yd = std::ceil(yd);
    const auto x = static_cast<std::uint64_t>(xd);
    const auto y = static_cast<std::uint64_t>(yd);
    // x <= width-1 and y <= height, so the position is at most height*width (checked to fit 32 bits).
    m_positions.push_back(static_cast<std::uint32_t>(x * m_height + y));
  }

  std::uint32_t m_height;
  std::uint32_t m_width;
  std::vector<std::uint32_t> m_positions;
  bool m_has_previous = false;
  int m_previous_u = 0;
  int m_previous_v = 0;
};

/// Emits the upsampled points of the edge (xs,ys)->(xe,ye), endpoints included, in the order and with the
/// rounding of maskApi.c: the edge is walked along its major axis, from the lower end, and the minor
/// coordinate is rounded as (int)(value + .5).
void walk_edge(int xs, int ys, int xe, int ye, BoundaryCollector& collector) {
  const int dx = std::abs(xe - xs);
  const int dy = std::abs(ys - ye);
  if (dx == 0 && dy == 0) {
    // A repeated vertex: maskApi.c divides 0 by 0 here and converts NaN to int, which x86 turns into
    // INT_MIN. The value is only read if this point's u differs from a neighbour's, which then lies left
    // of the image and is skipped, so it cannot change the mask; we reproduce it without the UB anyway.
    collector.add(xs, std::numeric_limits<int>::min());
    return;
  }
  const bool x_major = dx >= dy;
  const bool flip = (x_major && xs > xe) || (!x_major && ys > ye);
  if (flip) {
    std::swap(xs, xe);
    std::swap(ys, ye);
  }
  if (x_major) {
    const double slope = static_cast<double>(ye - ys) / dx;
    for (int d = 0; d <= dx; ++d) {
      const int t = flip ? dx - d : d;
      collector.add(t + xs, static_cast<int>(ys + slope * t + .5));
    }
  } else {
    const double slope = static_cast<double>(xe - xs) / dy;
    for (int d = 0; d <= dy; ++d) {
      const int t = flip ? dy - d : d;
      collector.add(static_cast<int>(xs + slope * t + .5), t + ys);
    }
  }
}

/// Turns the unsorted boundary positions into run lengths. Two crossings at the same position cancel out:
/// the zero-length run between them is dropped and the following run is added to the previous one.
std::vector<std::uint32_t> runs_from_boundaries(std::vector<std::uint32_t>& positions,
                                                std::uint32_t pixel_total) {
  std::sort(positions.begin(), positions.end());
  positions.push_back(pixel_total);  // every position is <= pixel_total, so the list stays sorted
  std::uint32_t previous = 0;
  for (std::uint32_t& position : positions) {
    const std::uint32_t current = position;
    position -= previous;
    previous = current;
  }
  std::vector<std::uint32_t> runs;
  runs.reserve(positions.size());
  std::size_t j = 0;
  runs.push_back(positions[j++]);
  while (j < positions.size()) {
    if (positions[j] > 0) {
      runs.push_back(positions[j++]);
    } else {
      ++j;
      if (j < positions.size()) runs.back() += positions[j++];
    }
  }
  return runs;
}

/// Upsampled integer coordinate, with maskApi.c's (int)(5*value + .5).
int upsample(double value) { return static_cast<int>(kUpsampling * value + .5); }

/// rleFrPoly on `point_count` points; the caller has validated the coordinates.
Rle rasterise_polygon(const double* xy, std::size_t point_count, std::uint32_t height, std::uint32_t width) {
  Rle rle;
  rle.height = height;
  rle.width = width;
  if (height == 0 || width == 0) {
    // An image without pixels; rleEncode gives a single empty run for it, and so do we.
    rle.counts = {0};
    return rle;
  }
  BoundaryCollector collector(height, width);
  const int first_x = upsample(xy[0]);
  const int first_y = upsample(xy[1]);
  int x = first_x;
  int y = first_y;
  for (std::size_t j = 0; j < point_count; ++j) {
    const bool closing = j + 1 == point_count;
    const int next_x = closing ? first_x : upsample(xy[2 * (j + 1)]);
    const int next_y = closing ? first_y : upsample(xy[2 * (j + 1) + 1]);
    walk_edge(x, y, next_x, next_y, collector);
    x = next_x;
    y = next_y;
  }
  rle.counts = runs_from_boundaries(collector.positions(), height * width);
  return rle;
}

void check_coordinates(const double* values, std::size_t count, const std::string& source,
                       const std::string& field) {
  for (std::size_t i = 0; i < count; ++i) {
    if (!std::isfinite(values[i]) || std::abs(values[i]) > kMaxAbsCoordinate) {
      throw InputError(source, field + "[" + std::to_string(i) + "]", std::to_string(values[i]),
                       "coordinate must be finite and within +-1e8");
    }
  }
}

void check_polygon(const double* xy, std::size_t coordinate_count, const std::string& source,
                   const std::string& field) {
  if (coordinate_count % 2 != 0) {
    throw InputError(source, field, std::to_string(coordinate_count) + " coordinates",
                     "a polygon needs an even number of coordinates (x0,y0,x1,y1,...)");
  }
  // pycocotools would read a 4-value polygon as a box and reject shorter ones; a polygon needs 3 points.
  if (coordinate_count < 6) {
    throw InputError(source, field, std::to_string(coordinate_count) + " coordinates",
                     "a polygon needs at least 3 points (6 coordinates)");
  }
  check_coordinates(xy, coordinate_count, source, field);
}

}  // namespace

Rle rle_from_polygon(const double* xy, std::size_t coordinate_count, std::uint32_t height,
                     std::uint32_t width, const std::string& source) {
  detail::check_pixel_count(height, width, source);
  check_polygon(xy, coordinate_count, source, "polygon");
  return rasterise_polygon(xy, coordinate_count / 2, height, width);
}

Rle rle_from_polygons(const std::vector<Polygon>& polygons, std::uint32_t height, std::uint32_t width,
                      const std::string& source) {
  detail::check_pixel_count(height, width, source);
  if (polygons.empty()) {
    throw InputError(source, "polygons", "[]", "an object needs at least one polygon");
  }
  std::vector<Rle> parts;
  parts.reserve(polygons.size());
  for (std::size_t i = 0; i < polygons.size(); ++i) {
    const Polygon& polygon = polygons[i];
    check_polygon(polygon.data(), polygon.size(), source, "polygons[" + std::to_string(i) + "]");
    parts.push_back(rasterise_polygon(polygon.data(), polygon.size() / 2, height, width));
  }
  if (parts.size() == 1) return std::move(parts.front());
  return rle_merge(parts, false);
}

Rle rle_from_box(const BoxXywh& box, std::uint32_t height, std::uint32_t width, const std::string& source) {
  detail::check_pixel_count(height, width, source);
  const double values[4] = {box.x, box.y, box.w, box.h};
  check_coordinates(values, 4, source, "bbox");
  const double xs = box.x, xe = box.x + box.w;
  const double ys = box.y, ye = box.y + box.h;
  const double corners[8] = {xs, ys, xs, ye, xe, ye, xe, ys};
  check_coordinates(corners, 8, source, "bbox corners");
  return rasterise_polygon(corners, 4, height, width);
}

}  // namespace counterscope::data
