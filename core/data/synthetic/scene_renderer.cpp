#include "core/data/synthetic/scene_renderer.h"

#include "core/data/synthetic/background_texture.h"
#include "core/data/synthetic/object_appearance.h"
#include "core/data/synthetic/random.h"

namespace counterscope::data::synthetic {

RenderedScene render_scene(const Scene& scene, const std::vector<CategorySpec>& specs) {
  RenderedScene rendered;
  rendered.image = cv::Mat(scene.height, scene.width, CV_8UC3);
  paint_background(rendered.image, scene.background, derive_seed(scene.seed, 0x6267ull));
  for (const auto& instance : scene.instances) {
    const CategorySpec& spec = specs.at(static_cast<std::size_t>(instance.category));
    cv::Mat mask = rasterize_instance(spec, instance.geometry, scene.width, scene.height);
    paint_instance(rendered.image, mask, spec, instance.geometry);
    rendered.full_masks.push_back(mask);
  }
  // Visible = full minus the union of everything drawn later.
  cv::Mat covered = cv::Mat::zeros(scene.height, scene.width, CV_8U);
  rendered.visible_masks.resize(rendered.full_masks.size());
  for (std::size_t k = rendered.full_masks.size(); k-- > 0;) {
    cv::Mat visible = rendered.full_masks[k].clone();
    visible.setTo(0, covered);
    covered.setTo(1, rendered.full_masks[k]);
    rendered.visible_masks[k] = visible;
  }
  // Exposure of the whole shot and sensor grain: a pure function of the image seed and the pixel position,
  // so identical underlying pixels stay identical.
  Rng exposure_rng(derive_seed(scene.seed, 0x6578706Full));
  const double exposure = exposure_rng.uniform(0.9, 1.1);
  const std::uint64_t grain_seed = derive_seed(scene.seed, 0x6772ull);
  for (int y = 0; y < scene.height; ++y) {
    auto* row = rendered.image.ptr<cv::Vec3b>(y);
    for (int x = 0; x < scene.width; ++x) {
      const double grain = (hash_unit(grain_seed, x, y) - 0.5) * 6;
      for (int c = 0; c < 3; ++c) row[x][c] = cv::saturate_cast<std::uint8_t>(row[x][c] * exposure + grain);
    }
  }
  return rendered;
}

}  // namespace counterscope::data::synthetic
