#include "core/data/synthetic/scene_layout.h"

#include <algorithm>
#include <cmath>

#include <opencv2/core.hpp>

#include "core/data/synthetic/random.h"

namespace counterscope::data::synthetic {
namespace {

constexpr double pi = 3.14159265358979323846;
// An earlier instance must keep at least this share of its (in-image) area visible.
constexpr double min_visible_share = 0.45;
// Placement attempts per size before the object is shrunk, and how often it may shrink.
constexpr int attempts_per_size = 30;
constexpr int shrink_steps = 4;

}  // namespace

Scene layout_scene(const ImagePlan& image, const std::vector<CategorySpec>& specs, int width, int height) {
  Scene scene;
  scene.width = width;
  scene.height = height;
  scene.background = image.background;
  scene.seed = image.seed;
  Rng rng(derive_seed(image.seed, 0x6C61796F7574ull));
  const double side = std::min(width, height);
  const double base_size = 0.2 * side;
  const int min_pixels = std::max(20, width * height / 2000);

  std::vector<cv::Mat> visible;  // current visible masks of the placed instances
  std::vector<int> full_area;    // their in-image areas
  for (const auto& planned : image.instances) {
    const CategorySpec& spec = specs.at(static_cast<std::size_t>(planned.category));
    SceneInstance instance{planned.category, planned.annotation_id, {}};
    InstanceGeometry& g = instance.geometry;
    g.seed = rng.next();
    g.aspect_jitter = std::clamp(std::exp(0.08 * rng.normal()), 0.85, 1.18);
    g.angle = spec.upright ? rng.uniform(-0.25, 0.25) : rng.uniform(0, 2 * pi);
    double size = std::clamp(base_size * spec.size * std::exp(0.3 * rng.normal()), 0.07 * side, 0.5 * side);

    InstanceGeometry best = g;
    cv::Mat best_mask;
    double best_score = -1;
    bool placed = false;
    for (int step = 0; step <= shrink_steps && !placed; ++step, size *= 0.8) {
      for (int attempt = 0; attempt < attempts_per_size && !placed; ++attempt) {
        InstanceGeometry candidate = g;
        candidate.size = size;
        candidate.center_x = rng.uniform(0.08, 0.92) * width;
        candidate.center_y = rng.uniform(0.08, 0.92) * height;
        cv::Mat mask = rasterize_instance(spec, candidate, width, height);
        const int area = cv::countNonZero(mask);
        if (area < min_pixels) continue;
        // Score: the smallest share any earlier instance keeps visible (1 when nothing is covered).
        double worst_share = 1;
        bool acceptable = true;
        for (std::size_t j = 0; j < visible.size(); ++j) {
          cv::Mat overlap;
          cv::bitwise_and(visible[j], mask, overlap);
          const int kept = cv::countNonZero(visible[j]) - cv::countNonZero(overlap);
          const double share = full_area[j] > 0 ? double(kept) / full_area[j] : 0;
          worst_share = std::min(worst_share, share);
          if (share < min_visible_share || kept < min_pixels) acceptable = false;
        }
        if (worst_share > best_score) {
          best_score = worst_share;
          best = candidate;
          best_mask = mask;
        }
        placed = acceptable;
      }
    }
    // After every attempt failed (a crowded image), the least harmful pose seen is used.
    if (best_mask.empty()) {
      best.size = size;
      best.center_x = width / 2.0;
      best.center_y = height / 2.0;
      best_mask = rasterize_instance(spec, best, width, height);
    }
    g = best;
    for (auto& earlier : visible) earlier.setTo(0, best_mask);
    visible.push_back(best_mask.clone());
    full_area.push_back(cv::countNonZero(best_mask));
    scene.instances.push_back(instance);
  }
  return scene;
}

}  // namespace counterscope::data::synthetic
