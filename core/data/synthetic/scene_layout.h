#pragma once
// A scene: one image of the world with every instance posed. layout_scene turns an image's plan into poses:
// sizes vary (log-normal around each category's typical size), positions are random, later instances may
// overlap earlier ones but never hide more than about half of one, so every annotated instance stays visible.

#include <cstdint>
#include <vector>

#include "core/data/synthetic/category_spec.h"
#include "core/data/synthetic/object_shape.h"
#include "core/data/synthetic/world_plan.h"

namespace counterscope::data::synthetic {

struct SceneInstance {
  int category = 0;                ///< index into the category specs
  std::int64_t annotation_id = 0;  ///< 0 when left unannotated
  InstanceGeometry geometry;
};

struct Scene {
  int width = 0, height = 0;
  Background background = Background::grass;
  std::uint64_t seed = 0;  ///< the image's seed (background texture, lighting)
  std::vector<SceneInstance> instances;  ///< drawing order
};

/// Poses the instances of `image` in a width x height image. Depends only on its arguments.
Scene layout_scene(const ImagePlan& image, const std::vector<CategorySpec>& specs, int width, int height);

}  // namespace counterscope::data::synthetic
