#pragma once
// Draws a scene: the background texture, then every instance in drawing order (later ones occlude earlier
// ones), then a global exposure and sensor grain. Returns the image with each instance's full and visible masks.

#include <optional>
#include <vector>

#include <opencv2/core.hpp>

#include "core/data/synthetic/category_spec.h"
#include "core/data/synthetic/scene_layout.h"

namespace counterscope::data::synthetic {

struct RenderedScene {
  cv::Mat image;                       ///< CV_8UC3, BGR
  std::vector<cv::Mat> full_masks;     ///< CV_8U 0/1 per instance: the whole object, clipped to the image
  std::vector<cv::Mat> visible_masks;  ///< CV_8U 0/1 per instance: the part no later instance covers
};

/// Renders `scene`. The image depends only on the scene and the specs: each instance's texture comes from its
/// own seed, so replacing one instance's category changes no pixel outside that instance's old and new masks.
RenderedScene render_scene(const Scene& scene, const std::vector<CategorySpec>& specs);

}  // namespace counterscope::data::synthetic
