#pragma once
// The ground truth a counterfactual map is measured against on the synthetic world: the twin image that draws
// the instance as the target class (render_counterfactual_twin), minus X. Kept in its own small library so
// that the explainer itself does not depend on the synthetic world.

#include <cstdint>
#include <string>

#include <opencv2/core.hpp>

namespace counterscope::counterfactual {

/// For an image of a synthetic world (folder written by `counterscope-cli synth`): twin - X as CV_32FC3 RGB
/// in [0, 1] units, where the twin draws annotation `annotation_id` as `target_category`. With
/// `in_target_context` the twin also moves the scene to the target's usual background (a sled on snow): the
/// object-and-context counterfactual. Throws InputError for an unknown split, image, annotation or category.
cv::Mat synthetic_twin_difference(const std::string& world_dir, const std::string& split, std::int64_t image_id,
                                  std::int64_t annotation_id, const std::string& target_category,
                                  bool in_target_context = false);

}  // namespace counterscope::counterfactual
