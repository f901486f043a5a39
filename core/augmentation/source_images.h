#pragma once
// What both augmentation methods draw from the original training set: suitable source instances, the
// per-attempt seed (so that attempt i makes the same choice whether the run was interrupted or not), an image
// read from the image root and an image's annotations as masks.

#include <cstdint>
#include <random>
#include <vector>

#include <opencv2/core.hpp>

#include "core/augmentation/new_image.h"
#include "core/data/lvis/dataset.h"

namespace counterscope::augmentation {

/// Non-crowd, area >= `min_area`, a segmentation, a box of at least 1x1 pixel.
bool is_suitable_instance(const data::Annotation& annotation, double min_area);

/// The seed of attempt `attempt` for category `category_id` (splitmix64 mixing of the three).
std::uint64_t attempt_seed(std::uint64_t seed, std::int64_t category_id, std::int64_t attempt);

/// Images (positions in dataset.images) holding at least one suitable instance, with those instances.
struct SuitableInstances {
  std::vector<std::uint32_t> images;
  std::vector<std::vector<std::uint32_t>> annotations;  ///< per entry of `images`: annotation positions
};
SuitableInstances find_suitable_instances(const data::Dataset& dataset, double min_area);

/// Reads image `image_index` as CV_8UC3 BGR. Throws InputError naming the file when it is missing, cannot be
/// decoded or its size differs from the annotation file's.
cv::Mat read_dataset_image(const data::Dataset& dataset, std::size_t image_index, const std::string& image_root);

/// The annotations of image `image_index` with their masks decoded (CV_8U 0/1); annotations without a
/// segmentation are skipped.
struct ImageInstances {
  std::vector<const data::Annotation*> annotations;
  std::vector<cv::Mat> masks;
};
ImageInstances image_instances(const data::Dataset& dataset, std::size_t image_index);

/// A NewAnnotation from a mask: RLE, tight box and area recomputed from it (an empty mask gives area 0).
NewAnnotation annotation_from_mask(std::int64_t category_id, const cv::Mat& mask, bool iscrowd);

}  // namespace counterscope::augmentation
