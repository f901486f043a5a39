#pragma once
// Generates a synthetic long-tailed world on disk, laid out exactly like LVIS v1 on COCO images:
//   DIR/annotations/train.json, DIR/annotations/val.json   (LVIS v1 JSON, polygon segmentations)
//   DIR/images/train2017/000000000001.jpg ...  DIR/images/val2017/000000000001.jpg ...
//   DIR/world.json                                          (the WorldOptions: enough to re-create any image)
// Annotations keep the visible region of each instance: an occluded instance's polygons, bbox and area
// exclude the pixels hidden by instances drawn later, and polygons, bbox and area describe the same pixels.

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "core/data/lvis/dataset.h"
#include "core/data/synthetic/category_spec.h"
#include "core/data/synthetic/label_noise.h"
#include "core/data/synthetic/scene_layout.h"
#include "core/data/synthetic/world_options.h"
#include "core/data/synthetic/world_plan.h"
#include "core/util/progress.h"

namespace counterscope::data::synthetic {

/// One annotation of a generated image.
struct GeneratedAnnotation {
  std::int64_t id = 0;
  int category = 0;                           ///< index into the specs (category id = index + 1)
  std::vector<std::vector<double>> polygons;  ///< exact outline of the visible pixels (mask_polygons.h)
  BoxXywh bbox;                               ///< tight box of the visible pixels
  double area = 0;                            ///< visible pixel count
};

/// One generated image before it is written: pixels and annotations.
struct GeneratedImage {
  cv::Mat image;  ///< CV_8UC3, BGR, before JPEG compression
  std::vector<GeneratedAnnotation> annotations;
};

/// Renders a posed scene and annotates its visible instances (annotated ones only).
GeneratedImage generate_scene_image(const Scene& scene, const std::vector<CategorySpec>& specs);

/// Renders one planned image and annotates its visible instances. Annotated instances left with no visible
/// pixel (possible only in an extremely crowded image) get no annotation.
GeneratedImage generate_image(const WorldOptions& options, const ImagePlan& image,
                              const std::vector<CategorySpec>& specs);

/// The LVIS category table: image_count and instance_count from `train`'s annotations and the frequency
/// group they imply (rare 1-10 images, common 11-100, frequent > 100).
std::vector<Category> world_categories(const std::vector<CategorySpec>& specs, const Dataset& train);

/// coco_url of an image, e.g. "http://images.cocodataset.org/train2017/000000000001.jpg".
std::string world_image_url(Split split, std::int64_t image_id);
/// File name of an image, "000000000001.jpg".
std::string world_image_file_name(std::int64_t image_id);

struct WorldSummary {
  std::string out_dir;
  int train_images = 0, val_images = 0;
  std::int64_t train_annotations = 0, val_annotations = 0;
  int rare_categories = 0, common_categories = 0, frequent_categories = 0;  ///< from the train split
  std::int64_t train_planted_errors = 0, val_planted_errors = 0;            ///< label noise (label_noise.h)
};

/// Generates the world into `out_dir` (created if needed) with the default category specs. `threads` <= 0
/// uses every core; the output does not depend on it. Throws InputError for bad options or an unwritable
/// folder, Cancelled when the context asks to stop.
WorldSummary generate_world(const WorldOptions& options, const std::string& out_dir, int threads = 0,
                            const JobContext& context = {});
/// The same with planted label errors: with noise.share > 0 the annotation files carry them (category counts
/// and frequency groups are those of the noisy train file), DIR/label-noise.json records them and
/// DIR/world.json names the share. With share 0 the files are those of the call above, byte for byte.
WorldSummary generate_world(const WorldOptions& options, const LabelNoiseOptions& noise, const std::string& out_dir,
                            int threads = 0, const JobContext& context = {});

/// DIR/world.json.
std::string world_options_path(const std::string& world_dir);
/// Reads DIR/world.json. Throws InputError when it is missing or malformed.
WorldOptions load_world_options(const std::string& world_dir);

}  // namespace counterscope::data::synthetic
