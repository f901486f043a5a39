#pragma once
// Repeat-factor sampling (LVIS, Gupta et al. 2019; as in detectron2's RepeatFactorTrainingSampler):
//   r(c) = max(1, sqrt(t / f(c))), f(c) = fraction of the dataset's images that contain category c,
//   r(I) = max over the categories in image I (1 for an image without annotations),
// and an epoch repeats each image floor(r) or ceil(r) times by stochastic rounding.

#include <cstdint>
#include <vector>

#include "core/data/lvis/dataset.h"

namespace counterscope::data {

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
