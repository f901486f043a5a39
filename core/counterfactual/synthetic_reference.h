#pragma once
// The ground truth a counterfactual map is measured against on the synthetic world: the twin image that draws
// the instance as the target class (render_counterfactual_twin), minus X. Kept in its own small library so
// that the explainer itself does not depend on the synthetic world.

#include <cstdint>
#include <optional>
#include <string>

#include <opencv2/core.hpp>

namespace counterscope::counterfactual {

/// A synthetic world folder and the split one of its annotation files holds.
struct SyntheticWorldSplit {
  std::string world_dir;
  std::string split;  ///< "train" or "val"
};

/// The world an annotation file belongs to when it is WORLD/annotations/{train,val}.json of a folder written by
/// `synth` (WORLD/world.json exists); std::nullopt for any other file. Lets a viewer offer the twins of a
/// world it was only given the annotations of.
std::optional<SyntheticWorldSplit> synthetic_world_of(const std::string& annotation_path);

/// The twin's difference and where the twin draws the instance: drawn as another class, an object of the same
/// pose and size has another outline, so its visible mask and box differ from X's.
struct SyntheticTwinReference {
  cv::Mat difference;  ///< twin - X as CV_32FC3 RGB in [0, 1] units
  cv::Mat mask;        ///< CV_8U 0/1: the instance's visible mask in the twin
};

/// For an image of a synthetic world (folder written by `counterscope-cli synth`): the twin that draws
/// annotation `annotation_id` as `target_category`. With `in_target_context` the twin also moves the scene to
/// the target's usual background (a sled on snow): the object-and-context counterfactual. Throws InputError
/// for an unknown split, image, annotation or category.
SyntheticTwinReference synthetic_twin_reference(const std::string& world_dir, const std::string& split,
                                                std::int64_t image_id, std::int64_t annotation_id,
                                                const std::string& target_category, bool in_target_context = false);

}  // namespace counterscope::counterfactual
