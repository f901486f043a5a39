#pragma once
// Repeat-factor sampling (LVIS, Gupta et al. 2019; as in detectron2's RepeatFactorTrainingSampler):
//   r(c) = max(1, sqrt(t / f(c))), f(c) = fraction of the dataset's images that contain category c,
//   r(I) = max over the categories in image I (1 for an image without annotations),
// and an epoch repeats each image floor(r) or ceil(r) times by stochastic rounding.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/data/lvis/dataset.h"

namespace counterscope::data {

/// LVIS's threshold stated as a count, for a dataset of `image_count` images: t = 0.001 on LVIS v1's ~100k
/// training images repeats the categories that appear in fewer than ~100 of them, so a split of N images gets
/// t = min(1, min_images / N) (r(c) > 1 exactly when c is in fewer than min_images images). Throws InputError
/// for an empty dataset or min_images <= 0.
double repeat_factor_threshold_for(std::size_t image_count, double min_images = 100);

/// r(c) per category index (position in dataset.categories). Categories in no image get 1 (they never
/// decide an image's factor). Needs the indexes. Throws InputError for a threshold outside (0, 1].
std::vector<double> category_repeat_factors(const Dataset& dataset, double threshold = 0.001);

/// r(I) per image index (position in dataset.images).
std::vector<double> image_repeat_factors(const Dataset& dataset, double threshold = 0.001);

/// One epoch's list of image indexes: image i appears floor(r_i) times plus once more with probability
/// r_i - floor(r_i), drawn from std::mt19937_64(seed); then shuffled (same generator) when `shuffle`. The random draws
/// are done here (not by std distributions), so the list is the same on every platform.
std::vector<std::uint32_t> repeat_factor_epoch(const std::vector<double>& image_factors, std::uint64_t seed,
                                               bool shuffle = true);

}  // namespace counterscope::data
