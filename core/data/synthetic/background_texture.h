#pragma once
// Procedural context backgrounds: grass (blades), snow (soft drifts, sparkles), sand (wind ripples, grain),
// water (wave crests), asphalt (speckle, lane markings), wood floor (planks with grain).

#include <cstdint>

#include <opencv2/core.hpp>

#include "core/data/synthetic/category_spec.h"

namespace counterscope::data::synthetic {

/// Fills `image` (CV_8UC3, BGR) with the texture of `background`; the same seed gives the same pixels.
void paint_background(cv::Mat& image, Background background, std::uint64_t seed);

}  // namespace counterscope::data::synthetic
