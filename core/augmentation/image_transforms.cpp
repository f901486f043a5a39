#include "core/augmentation/image_transforms.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include <opencv2/imgproc.hpp>

#include "core/util/error.h"

namespace counterscope::augmentation {
namespace {

constexpr const char* kNames[kImageTransformCount] = {
    "brightness", "contrast", "color", "sharpness", "auto-contrast", "invert", "equalize", "solarize",
    "solarize-add", "posterize", "salt-noise", "gaussian-noise", "shear-x", "shear-y", "rotate", "flip"};

// Largest magnitudes at strength 1 (RandAugment's ranges, in OpenCV units).
constexpr double kMaxEnhance = 0.9;       // brightness/contrast/color/sharpness factor 1 +- 0.9
constexpr double kMaxShear = 0.3;         // shear factor
constexpr double kMaxRotation = 30.0;     // degrees
constexpr double kMaxSolarizeAdd = 110.0; // added to pixels below 128
constexpr int kMaxPosterizeBits = 4;      // bits removed
constexpr double kMaxSaltShare = 0.1;     // share of pixels set to white
constexpr double kMaxNoiseSigma = 50.0;   // grey levels

double random_sign(std::mt19937_64& rng) { return std::bernoulli_distribution(0.5)(rng) ? 1.0 : -1.0; }

// out = degenerate + factor * (image - degenerate): PIL's ImageEnhance blend, factor 1 = identity.
void blend(cv::Mat& image, const cv::Mat& degenerate, double factor) {
  cv::Mat result;
  cv::addWeighted(image, factor, degenerate, 1.0 - factor, 0.0, result);  // saturates to [0, 255]
  image = result;
}

cv::Mat grey_of(const cv::Mat& image) {
  cv::Mat grey, grey3;
  cv::cvtColor(image, grey, cv::COLOR_RGB2GRAY);
  cv::cvtColor(grey, grey3, cv::COLOR_GRAY2RGB);
  return grey3;
}

void per_channel(cv::Mat& image, const std::function<void(cv::Mat&)>& operation) {
  std::vector<cv::Mat> channels;
  cv::split(image, channels);
  for (cv::Mat& channel : channels) operation(channel);
  cv::merge(channels, image);
}

void apply_lookup(cv::Mat& image, const std::function<int(int)>& value_of) {
  cv::Mat table(1, 256, CV_8U);
  for (int v = 0; v < 256; ++v) table.at<std::uint8_t>(v) = cv::saturate_cast<std::uint8_t>(value_of(v));
  cv::LUT(image, table, image);
}

// Moves image (bilinear) and masks (nearest, so they stay 0/1) by the 2x3 affine `matrix`; uncovered pixels
// become grey in the image and background in the masks.
void warp(TransformTarget& target, const cv::Mat& matrix) {
  const cv::Size size = target.image.size();
  cv::Mat moved;
  cv::warpAffine(target.image, moved, matrix, size, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(128, 128, 128));
  target.image = moved;
  for (cv::Mat& mask : target.masks) {
    cv::Mat moved_mask;
    cv::warpAffine(mask, moved_mask, matrix, size, cv::INTER_NEAREST, cv::BORDER_CONSTANT, cv::Scalar(0));
    mask = moved_mask;
  }
}

// Shear about the image centre, so that the content stays in the frame.
cv::Mat shear_matrix(double shear, bool along_x, const cv::Size& size) {
  const double cx = (size.width - 1) / 2.0, cy = (size.height - 1) / 2.0;
  if (along_x) return (cv::Mat_<double>(2, 3) << 1, shear, -shear * cy, 0, 1, 0);
  return (cv::Mat_<double>(2, 3) << 1, 0, 0, shear, 1, -shear * cx);
}

}  // namespace

const char* transform_name(ImageTransform transform) { return kNames[static_cast<int>(transform)]; }

std::optional<ImageTransform> transform_from_name(const std::string& name) {
  for (int i = 0; i < kImageTransformCount; ++i)
    if (name == kNames[i]) return static_cast<ImageTransform>(i);
  return std::nullopt;
}

bool is_geometric(ImageTransform transform) { return transform >= ImageTransform::shear_x; }

std::vector<ImageTransform> all_transforms() {
  std::vector<ImageTransform> out;
  for (int i = 0; i < kImageTransformCount; ++i) out.push_back(static_cast<ImageTransform>(i));
  return out;
}

void apply_transform(ImageTransform transform, double strength, std::mt19937_64& rng, TransformTarget& target) {
  if (!(strength >= 0.0 && strength <= 1.0))
    throw InputError("--strength", "strength", std::to_string(strength), "expected a value in [0, 1]");
  if (target.image.empty() || target.image.type() != CV_8UC3)
    throw InputError("apply_transform", "image", "", "expected a non-empty 8-bit 3-channel image");
  cv::Mat& image = target.image;
  const cv::Size size = image.size();
  switch (transform) {
    case ImageTransform::brightness:
      blend(image, cv::Mat::zeros(size, CV_8UC3), 1.0 + random_sign(rng) * kMaxEnhance * strength);
      break;
    case ImageTransform::contrast: {
      cv::Mat grey;
      cv::cvtColor(image, grey, cv::COLOR_RGB2GRAY);
      const double mean = cv::mean(grey)[0];
      blend(image, cv::Mat(size, CV_8UC3, cv::Scalar::all(std::round(mean))),
            1.0 + random_sign(rng) * kMaxEnhance * strength);
      break;
    }
    case ImageTransform::color:
      blend(image, grey_of(image), 1.0 + random_sign(rng) * kMaxEnhance * strength);
      break;
    case ImageTransform::sharpness: {
      // PIL's SMOOTH kernel is the degenerate image: factor > 1 sharpens, < 1 blurs. Borders stay as they are.
      const cv::Mat kernel = (cv::Mat_<float>(3, 3) << 1, 1, 1, 1, 5, 1, 1, 1, 1) / 13.0f;
      cv::Mat smooth;
      cv::filter2D(image, smooth, -1, kernel, cv::Point(-1, -1), 0, cv::BORDER_REPLICATE);
      blend(image, smooth, 1.0 + random_sign(rng) * kMaxEnhance * strength);
      break;
    }
    case ImageTransform::auto_contrast:
      per_channel(image, [](cv::Mat& channel) {
        double low = 0, high = 0;
        cv::minMaxLoc(channel, &low, &high);
        if (high > low) channel.convertTo(channel, CV_8U, 255.0 / (high - low), -low * 255.0 / (high - low));
      });
      break;
    case ImageTransform::invert:
      cv::bitwise_not(image, image);
      break;
    case ImageTransform::equalize:
      per_channel(image, [](cv::Mat& channel) { cv::equalizeHist(channel, channel); });
      break;
    case ImageTransform::solarize: {
      const int threshold = static_cast<int>(std::lround(256.0 - 256.0 * strength));
      apply_lookup(image, [threshold](int v) { return v >= threshold ? 255 - v : v; });
      break;
    }
    case ImageTransform::solarize_add: {
      const int added = static_cast<int>(std::lround(kMaxSolarizeAdd * strength));
      apply_lookup(image, [added](int v) { return v < 128 ? v + added : v; });
      break;
    }
    case ImageTransform::posterize: {
      const int removed = static_cast<int>(std::lround(kMaxPosterizeBits * strength));
      const int keep_mask = (0xFF << removed) & 0xFF;
      apply_lookup(image, [keep_mask](int v) { return v & keep_mask; });
      break;
    }
    case ImageTransform::salt_noise: {
      std::bernoulli_distribution salted(kMaxSaltShare * strength);
      for (int y = 0; y < size.height; ++y)
        for (int x = 0; x < size.width; ++x)
          if (salted(rng)) image.at<cv::Vec3b>(y, x) = cv::Vec3b(255, 255, 255);
      break;
    }
    case ImageTransform::gaussian_noise: {
      if (strength <= 0.0) break;  // a normal distribution needs a positive sigma
      std::normal_distribution<double> noise(0.0, kMaxNoiseSigma * strength);
      for (int y = 0; y < size.height; ++y)
        for (int x = 0; x < size.width; ++x) {
          cv::Vec3b& pixel = image.at<cv::Vec3b>(y, x);
          for (int c = 0; c < 3; ++c) pixel[c] = cv::saturate_cast<std::uint8_t>(pixel[c] + noise(rng));
        }
      break;
    }
    case ImageTransform::shear_x:
    case ImageTransform::shear_y:
      warp(target, shear_matrix(random_sign(rng) * kMaxShear * strength, transform == ImageTransform::shear_x, size));
      break;
    case ImageTransform::rotate: {
      const cv::Point2f centre((size.width - 1) / 2.0f, (size.height - 1) / 2.0f);
      warp(target, cv::getRotationMatrix2D(centre, random_sign(rng) * kMaxRotation * strength, 1.0));
      break;
    }
    case ImageTransform::flip:
      cv::flip(image, image, 1);
      for (cv::Mat& mask : target.masks) cv::flip(mask, mask, 1);
      break;
  }
}

std::vector<std::string> apply_random_transforms(double strength, std::mt19937_64& rng, TransformTarget& target) {
  const int count = std::uniform_int_distribution<int>(1, 2)(rng);
  std::vector<int> chosen;
  while (static_cast<int>(chosen.size()) < count) {
    const int pick = std::uniform_int_distribution<int>(0, kImageTransformCount - 1)(rng);
    if (std::find(chosen.begin(), chosen.end(), pick) == chosen.end()) chosen.push_back(pick);
  }
  std::vector<std::string> names;
  for (const int pick : chosen) {
    apply_transform(static_cast<ImageTransform>(pick), strength, rng, target);
    names.emplace_back(kNames[pick]);
  }
  return names;
}

}  // namespace counterscope::augmentation
