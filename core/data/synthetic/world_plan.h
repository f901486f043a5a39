#pragma once
// The plan of a split, decided before any pixel is drawn: which background each image has, which categories
// (and how many instances of each) it shows, which instances are annotated, and the federated LVIS lists
// (neg_category_ids, not_exhaustive_category_ids). Planning first makes the long tail exact (a category's
// train image count is chosen, not sampled) and lets any single image be re-created without the others.

#include <cstdint>
#include <vector>

#include "core/data/synthetic/category_spec.h"
#include "core/data/synthetic/world_options.h"

namespace counterscope::data::synthetic {

struct PlannedInstance {
  int category = 0;                 ///< index into the category specs (category id = index + 1)
  std::int64_t annotation_id = 0;   ///< 0: drawn but left unannotated (its category is not exhaustive)
};

struct ImagePlan {
  std::int64_t id = 0;
  Background background = Background::grass;
  std::uint64_t seed = 0;                  ///< seeds the layout and the textures of this image
  std::vector<PlannedInstance> instances;  ///< in drawing order: later instances occlude earlier ones
  std::vector<std::int64_t> neg_category_ids;             ///< verified absent (sorted)
  std::vector<std::int64_t> not_exhaustive_category_ids;  ///< present but not every instance annotated
};

struct SplitPlan {
  Split split = Split::train;
  std::vector<ImagePlan> images;  ///< image id = position + 1
  /// Planned image count of each category (images showing at least one annotated instance).
  std::vector<int> category_image_counts;
};

/// Planned image count of every category in `split` before assignment (the long-tail targets).
std::vector<int> planned_image_counts(const WorldOptions& options, const std::vector<CategorySpec>& specs,
                                      Split split);

/// Plans a whole split. Throws InputError (naming the image-count option) when the split has too few images
/// to hold every category.
SplitPlan plan_split(const WorldOptions& options, const std::vector<CategorySpec>& specs, Split split);

}  // namespace counterscope::data::synthetic
