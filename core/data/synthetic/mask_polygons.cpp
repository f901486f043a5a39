#include "core/data/synthetic/mask_polygons.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include <opencv2/imgproc.hpp>

namespace counterscope::data::synthetic {
namespace {

// Edge directions on the pixel-corner grid (y down): right, down, left, up.
constexpr int step_x[4] = {1, 0, -1, 0};
constexpr int step_y[4] = {0, 1, 0, -1};

struct Loop {
  std::vector<cv::Point> vertices;  // corners only
  long long twice_area = 0;         // shoelace; > 0 for outer boundaries, < 0 for holes
  cv::Point2d inside_hole;          // for holes: the centre of a background pixel enclosed by the loop
};

bool contains(const std::vector<cv::Point>& polygon, const cv::Point2d& point) {
  bool inside = false;
  for (std::size_t i = 0, j = polygon.size() - 1; i < polygon.size(); j = i++) {
    const cv::Point& a = polygon[i];
    const cv::Point& b = polygon[j];
    if ((a.y > point.y) != (b.y > point.y) &&
        point.x < (b.x - a.x) * (point.y - a.y) / double(b.y - a.y) + a.x)
      inside = !inside;
  }
  return inside;
}

}  // namespace

std::vector<std::vector<double>> mask_to_polygons(const cv::Mat& mask) {
  const cv::Rect bounds = cv::boundingRect(mask);
  if (bounds.empty()) return {};
  // Work inside the bounding box, padded by one background pixel on each side.
  const int w = bounds.width + 2, h = bounds.height + 2;
  std::vector<std::uint8_t> fg(static_cast<std::size_t>(w) * h, 0);
  for (int y = 0; y < bounds.height; ++y) {
    const auto* row = mask.ptr<std::uint8_t>(bounds.y + y) + bounds.x;
    for (int x = 0; x < bounds.width; ++x) fg[(y + 1) * w + x + 1] = row[x] != 0;
  }
  auto is_fg = [&](int x, int y) { return fg[static_cast<std::size_t>(y) * w + x] != 0; };

  // Directed boundary edges with the foreground on their right (y down): outgoing[vertex] holds a bit per
  // direction. The vertex grid is (w + 1) x (h + 1).
  const int vw = w + 1;
  std::vector<std::uint8_t> outgoing(static_cast<std::size_t>(vw) * (h + 1), 0);
  auto vertex = [&](int x, int y) { return static_cast<std::size_t>(y) * vw + x; };
  std::size_t edge_count = 0;
  for (int y = 1; y < h - 1; ++y) {
    for (int x = 1; x < w - 1; ++x) {
      if (!is_fg(x, y)) continue;
      if (!is_fg(x, y - 1)) outgoing[vertex(x, y)] |= 1 << 0, ++edge_count;          // top: right
      if (!is_fg(x + 1, y)) outgoing[vertex(x + 1, y)] |= 1 << 1, ++edge_count;      // right: down
      if (!is_fg(x, y + 1)) outgoing[vertex(x + 1, y + 1)] |= 1 << 2, ++edge_count;  // bottom: left
      if (!is_fg(x - 1, y)) outgoing[vertex(x, y + 1)] |= 1 << 3, ++edge_count;      // left: up
    }
  }

  std::vector<Loop> loops;
  for (int sy = 0; sy <= h && edge_count > 0; ++sy) {
    for (int sx = 0; sx <= w && edge_count > 0; ++sx) {
      while (outgoing[vertex(sx, sy)] != 0) {
        int dir = 0;
        while (!(outgoing[vertex(sx, sy)] & (1 << dir))) ++dir;
        Loop loop;
        std::vector<cv::Point> path;
        int x = sx, y = sy;
        // Walk the boundary. At a saddle (two outgoing edges) turn clockwise first, which keeps diagonal
        // foreground neighbours apart; the loop closes when that rule leads back out along the first edge.
        const int first_dir = dir;
        while (true) {
          path.emplace_back(x, y);
          outgoing[vertex(x, y)] &= static_cast<std::uint8_t>(~(1 << dir));
          --edge_count;
          x += step_x[dir];
          y += step_y[dir];
          const bool at_start = x == sx && y == sy;
          const int out = outgoing[vertex(x, y)] | (at_start ? 1 << first_dir : 0);
          const int preference[3] = {(dir + 1) % 4, dir, (dir + 3) % 4};
          int next = -1;
          for (int candidate : preference)
            if (out & (1 << candidate)) {
              next = candidate;
              break;
            }
          if (next < 0 || (at_start && next == first_dir)) break;
          dir = next;
        }
        // Keep corners only.
        const std::size_t n = path.size();
        for (std::size_t i = 0; i < n; ++i) {
          const cv::Point& prev = path[(i + n - 1) % n];
          const cv::Point& cur = path[i];
          const cv::Point& next = path[(i + 1) % n];
          if ((cur - prev) != (next - cur)) loop.vertices.push_back(cur);
        }
        for (std::size_t i = 0, m = loop.vertices.size(); i < m; ++i) {
          const cv::Point& a = loop.vertices[i];
          const cv::Point& b = loop.vertices[(i + 1) % m];
          loop.twice_area += static_cast<long long>(a.x) * b.y - static_cast<long long>(b.x) * a.y;
        }
        // The first edge leaves path[0] in the first direction taken; the background lies on its left.
        const cv::Point d = path[1 % n] - path[0];
        loop.inside_hole = {path[0].x + 0.5 * d.x + 0.5 * d.y, path[0].y + 0.5 * d.y - 0.5 * d.x};
        loops.push_back(std::move(loop));
      }
    }
  }

  // Each hole belongs to the smallest outer boundary that contains it.
  std::vector<std::vector<std::size_t>> holes_of(loops.size());
  for (std::size_t i = 0; i < loops.size(); ++i) {
    if (loops[i].twice_area >= 0) continue;
    std::size_t owner = loops.size();
    long long owner_area = std::numeric_limits<long long>::max();
    for (std::size_t j = 0; j < loops.size(); ++j) {
      if (loops[j].twice_area <= 0 || loops[j].twice_area >= owner_area) continue;
      if (contains(loops[j].vertices, loops[i].inside_hole)) {
        owner = j;
        owner_area = loops[j].twice_area;
      }
    }
    if (owner < loops.size()) holes_of[owner].push_back(i);
  }

  const double offset_x = bounds.x - 1, offset_y = bounds.y - 1;
  std::vector<std::vector<double>> polygons;
  for (std::size_t i = 0; i < loops.size(); ++i) {
    if (loops[i].twice_area <= 0) continue;
    std::vector<double> polygon;
    auto append = [&](const cv::Point& p) {
      polygon.push_back(p.x + offset_x);
      polygon.push_back(p.y + offset_y);
    };
    for (const auto& p : loops[i].vertices) append(p);
    for (std::size_t hole : holes_of[i]) {
      append(loops[i].vertices.front());  // bridge out ...
      for (const auto& p : loops[hole].vertices) append(p);
      append(loops[hole].vertices.front());  // ... around the hole, and back with the next point or the close
    }
    polygons.push_back(std::move(polygon));
  }
  return polygons;
}

}  // namespace counterscope::data::synthetic
