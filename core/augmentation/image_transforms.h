#pragma once
// The image-transformation baseline of the report (after AutoAugment / RandAugment's operation set):
// 12 photometric operations that change pixels only and 4 geometric ones that move pixels, and with them the
// instances' masks (boxes and areas are then recomputed from the moved masks, so they always agree).
// `strength` in [0, 1] scales every operation's magnitude (0 = identity for the magnitude-driven ones;
// auto-contrast, invert, equalize and flip have no magnitude).

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace counterscope::augmentation {

enum class ImageTransform : std::uint8_t {
  // photometric
  brightness, contrast, color, sharpness, auto_contrast, invert, equalize, solarize, solarize_add, posterize,
  salt_noise, gaussian_noise,
  // geometric
  shear_x, shear_y, rotate, flip
};

constexpr int kImageTransformCount = 16;

/// "brightness", "auto-contrast", "shear-x", ...
const char* transform_name(ImageTransform transform);
std::optional<ImageTransform> transform_from_name(const std::string& name);
bool is_geometric(ImageTransform transform);
std::vector<ImageTransform> all_transforms();

/// An image and the masks of its instances, all of one size.
struct TransformTarget {
  cv::Mat image;             ///< CV_8UC3 (channel order irrelevant: every operation treats channels alike)
  std::vector<cv::Mat> masks;  ///< CV_8U 0/1, the image's size
};

/// Applies `transform` in place. `rng` draws the direction (sign of a shear or rotation, brighter or darker)
/// and the noise. Throws InputError for a strength outside [0, 1] or an image that is not CV_8UC3.
void apply_transform(ImageTransform transform, double strength, std::mt19937_64& rng, TransformTarget& target);

/// 1 or 2 distinct random operations (uniform), applied in turn; returns their names in order.
std::vector<std::string> apply_random_transforms(double strength, std::mt19937_64& rng, TransformTarget& target);

}  // namespace counterscope::augmentation
