#pragma once
// Measures of a counterfactual map that need no model: sparsity, locality, agreement with a ground-truth
// difference (NCC) and the pixel diff of two masks. Torch-free, on OpenCV matrices.

#include <array>

#include <opencv2/core.hpp>

#include "core/counterfactual/explanation.h"

namespace counterscope::counterfactual {

/// Mean |M| over every pixel and channel (0 for an empty map).
double map_sparsity(const cv::Mat& map);
/// Share of sum |M| inside `box` (x1, y1, x2, y2) enlarged `factor` times about its centre and clipped to the
/// image; 0 when the map is all zero. A pixel counts when its centre lies inside the enlarged box.
double map_locality(const cv::Mat& map, const std::array<double, 4>& box, double factor = 2.0);
/// Pearson correlation over all pixels and channels of two float maps of equal size and channels; nullopt
/// when either is constant (no defined correlation). Throws InputError on a size mismatch.
std::optional<double> normalized_cross_correlation(const cv::Mat& map, const cv::Mat& reference);
/// Pixels gained and lost between two CV_8U masks of equal size (nonzero = inside).
SegmentationDiff segmentation_diff(const cv::Mat& before, const cv::Mat& after);

}  // namespace counterscope::counterfactual
