#pragma once
// The settings that define a synthetic world. A world is a pure function of these (and the category specs):
// the same options give byte-identical files, and any image can be re-created from them alone (the options are
// written beside the dataset as world.json, see world_generator.h).

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace counterscope::data::synthetic {

enum class Split : std::uint8_t { train, val };

const char* split_name(Split split);  ///< "train", "val"
std::optional<Split> split_from_name(const std::string& name);
/// COCO's image folder of the split: "train2017", "val2017".
const char* split_image_folder(Split split);

/// Train-image count at which CategorySpec::default_train_images are given; other sizes scale them.
constexpr int reference_train_images = 2000;

struct WorldOptions {
  /// Seed of every random choice of the world.
  std::uint64_t seed = 1;
  /// Images of the train split. 2,000 keeps the LVIS bands (frequent > 100 images) at the default spec and
  /// generates in seconds; a tiny Mask R-CNN trains an epoch on it in minutes on a CPU.
  int train_images = 2000;
  /// Images of the val split: 500 gives every category, rare ones included, >= 8 val images.
  int val_images = 500;
  /// Image size in pixels (all images of a world have one size).
  int width = 256;
  int height = 256;
  /// Share of a category's images that show its context background ("sled" on snow).
  double context_bias = 0.8;
  /// At most this many categories, and this many instances, in one image.
  int max_categories_per_image = 6;
  int max_instances_per_image = 8;
  /// Every category is shown in at least this many val images (fewer only when the val split is too small to
  /// hold them), so that AP_r can be measured.
  int val_min_images_per_category = 8;
  /// JPEG quality of the written images.
  int jpeg_quality = 92;

  /// Throws InputError naming `source`, the field and its value when a setting is out of range.
  void validate(const std::string& source) const;

  nlohmann::json to_json() const;
  /// Reads the fields written by to_json (missing ones keep their defaults) and validates them.
  static WorldOptions from_json(const nlohmann::json& json, const std::string& source);
};

int split_image_count(const WorldOptions& options, Split split);

}  // namespace counterscope::data::synthetic
