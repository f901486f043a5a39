#pragma once
// How an instance of a category looks: its category's colours mixed by its surface pattern, shaded like a
// lit solid, outlined, with a small per-instance colour jitter so that no two instances are identical.

#include <opencv2/core.hpp>

#include "core/data/synthetic/category_spec.h"
#include "core/data/synthetic/object_shape.h"

namespace counterscope::data::synthetic {

/// Paints the pixels of `full_mask` (CV_8U, non-zero inside the instance) into `image` (CV_8UC3, BGR) with the
/// look of `spec` at `geometry`. Only pixels of the mask change.
void paint_instance(cv::Mat& image, const cv::Mat& full_mask, const CategorySpec& spec,
                    const InstanceGeometry& geometry);

}  // namespace counterscope::data::synthetic
