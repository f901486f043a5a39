#pragma once
// The ground-truth counterfactual of the synthetic world: an image re-rendered with ONE instance drawn as
// another category, in the same scene, pose, size and drawing order (so occlusion is the same), with the
// same texture seed. twin - X is then a true counterfactual: "had this been a <target>".
//
// The twin changes the object only, not its surroundings: the background and every other instance stay as
// they are, so the pixels that differ lie inside the instance's old or new outline. A category's look in this
// world includes its context (sleds are mostly on snow), so a twin may show a class off its usual background
// -- exactly the out-of-context case a counterfactual analysis asks about. A context counterfactual is a
// separate, explicit request (TwinRequest::background): it redraws the background and keeps every object.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/data/synthetic/category_spec.h"
#include "core/data/synthetic/world_generator.h"
#include "core/data/synthetic/world_options.h"

namespace counterscope::data::synthetic {

struct TwinRequest {
  Split split = Split::val;
  std::int64_t image_id = 0;
  std::int64_t annotation_id = 0;        ///< the instance to change (its id in the split's annotations)
  std::string target_category;           ///< name of the category to draw instead
  std::optional<Background> background;  ///< also swap the scene's background (context counterfactual)
};

struct CounterfactualTwin {
  int source_category = 0;  ///< category index (id - 1) of the instance in X
  int target_category = 0;  ///< category index drawn in the twin
  cv::Mat original;         ///< X, re-rendered losslessly (the written JPEG is this image compressed)
  cv::Mat twin;             ///< X with the instance drawn as the target (CV_8UC3, BGR)
  cv::Mat original_mask;    ///< visible mask of the instance in X (CV_8U 0/1)
  cv::Mat twin_mask;        ///< visible mask of the instance in the twin
  /// Where the twin may differ from X: the union of the instance's full masks in both (without a background
  /// swap). Every other pixel is identical.
  cv::Mat changed_region;
  /// The twin's annotations (the changed instance relabelled, the masks of the instances it overlaps updated).
  std::vector<GeneratedAnnotation> twin_annotations;
};

/// Re-renders image `image_id` of `split` losslessly, with its annotations. Throws InputError for an unknown id.
GeneratedImage render_world_image(const WorldOptions& options, Split split, std::int64_t image_id);

/// Renders the twin of `request`. Throws InputError naming the field for an unknown image, an annotation id not
/// in that image, or an unknown target category.
CounterfactualTwin render_counterfactual_twin(const WorldOptions& options, const TwinRequest& request);

}  // namespace counterscope::data::synthetic
