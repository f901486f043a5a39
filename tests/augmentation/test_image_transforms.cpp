// The 16 operations of the transformation baseline: identities (flip twice, invert twice, magnitude 0), shapes
// kept, masks moving with the pixels under geometric operations, bad strength refused.

#include <set>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "core/augmentation/image_transforms.h"
#include "core/util/error.h"

namespace counterscope::augmentation {
namespace {

// A dark noisy 48x40 image with a bright rectangle left of centre (so that every geometric operation moves
// it), and the rectangle's mask.
TransformTarget rectangle_target() {
  TransformTarget target;
  target.image = cv::Mat(40, 48, CV_8UC3);
  cv::setRNGSeed(5);
  cv::randu(target.image, cv::Scalar::all(0), cv::Scalar::all(60));
  cv::rectangle(target.image, {6, 10}, {25, 27}, cv::Scalar(250, 240, 230), cv::FILLED);
  cv::Mat mask = cv::Mat::zeros(40, 48, CV_8U);
  cv::rectangle(mask, {6, 10}, {25, 27}, cv::Scalar(1), cv::FILLED);
  target.masks.push_back(mask);
  return target;
}

bool same(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::countNonZero(a.reshape(1) != b.reshape(1)) == 0;
}

TEST(ImageTransforms, SixteenNamedOperations) {
  std::set<std::string> names;
  for (const ImageTransform transform : all_transforms()) {
    names.insert(transform_name(transform));
    EXPECT_EQ(transform_from_name(transform_name(transform)), transform);
  }
  EXPECT_EQ(names.size(), 16u);
  int geometric = 0;
  for (const ImageTransform transform : all_transforms()) geometric += is_geometric(transform) ? 1 : 0;
  EXPECT_EQ(geometric, 4);
  EXPECT_FALSE(transform_from_name("blur").has_value());
}

TEST(ImageTransforms, FlipTwiceAndInvertTwiceAreIdentities) {
  std::mt19937_64 rng(1);
  for (const ImageTransform transform : {ImageTransform::flip, ImageTransform::invert}) {
    const TransformTarget original = rectangle_target();
    TransformTarget target = rectangle_target();
    apply_transform(transform, 0.7, rng, target);
    EXPECT_FALSE(same(target.image, original.image)) << transform_name(transform);
    apply_transform(transform, 0.7, rng, target);
    EXPECT_TRUE(same(target.image, original.image)) << transform_name(transform);
    EXPECT_TRUE(same(target.masks[0], original.masks[0])) << transform_name(transform);
  }
}

TEST(ImageTransforms, ZeroMagnitudeIsIdentity) {
  for (const ImageTransform transform :
       {ImageTransform::rotate, ImageTransform::shear_x, ImageTransform::shear_y, ImageTransform::brightness,
        ImageTransform::contrast, ImageTransform::color, ImageTransform::sharpness, ImageTransform::solarize,
        ImageTransform::solarize_add, ImageTransform::posterize, ImageTransform::salt_noise,
        ImageTransform::gaussian_noise}) {
    std::mt19937_64 rng(2);
    const TransformTarget original = rectangle_target();
    TransformTarget target = rectangle_target();
    apply_transform(transform, 0.0, rng, target);
    EXPECT_TRUE(same(target.image, original.image)) << transform_name(transform);
    EXPECT_TRUE(same(target.masks[0], original.masks[0])) << transform_name(transform);
  }
}

TEST(ImageTransforms, PhotometricOperationsKeepShapeAndMasks) {
  for (const ImageTransform transform : all_transforms()) {
    if (is_geometric(transform)) continue;
    std::mt19937_64 rng(3);
    const TransformTarget original = rectangle_target();
    TransformTarget target = rectangle_target();
    apply_transform(transform, 1.0, rng, target);
    EXPECT_EQ(target.image.size(), original.image.size()) << transform_name(transform);
    EXPECT_EQ(target.image.type(), CV_8UC3) << transform_name(transform);
    EXPECT_TRUE(same(target.masks[0], original.masks[0])) << transform_name(transform);
    EXPECT_FALSE(same(target.image, original.image)) << transform_name(transform) << " changed nothing";
  }
}

TEST(ImageTransforms, GeometricOperationsMoveMasksWithThePixels) {
  for (const ImageTransform transform : all_transforms()) {
    if (!is_geometric(transform)) continue;
    std::mt19937_64 rng(4);
    const TransformTarget original = rectangle_target();
    TransformTarget target = rectangle_target();
    apply_transform(transform, 1.0, rng, target);
    const cv::Mat& mask = target.masks[0];
    ASSERT_EQ(mask.size(), original.masks[0].size());
    EXPECT_FALSE(same(mask, original.masks[0])) << transform_name(transform) << " did not move the mask";
    // The mask stays 0/1 and covers the bright pixels: inside it nearly all are bright, outside nearly none.
    double low = 0, high = 0;
    cv::minMaxLoc(mask, &low, &high);
    EXPECT_EQ(high, 1.0);
    cv::Mat grey;
    cv::cvtColor(target.image, grey, cv::COLOR_RGB2GRAY);
    const cv::Mat bright = grey > 128;  // bilinear edges blend with the dark background
    const int inside = cv::countNonZero(mask);
    const int bright_inside = cv::countNonZero(bright & (mask > 0));
    const int bright_outside = cv::countNonZero(bright & (mask == 0));
    EXPECT_GT(bright_inside, 0.8 * inside) << transform_name(transform);
    EXPECT_LT(bright_outside, 0.2 * inside) << transform_name(transform);
  }
}

TEST(ImageTransforms, RandomTransformsAreDeterministicInTheSeed) {
  TransformTarget a = rectangle_target(), b = rectangle_target();
  std::mt19937_64 rng_a(11), rng_b(11);
  const auto names_a = apply_random_transforms(0.5, rng_a, a);
  const auto names_b = apply_random_transforms(0.5, rng_b, b);
  EXPECT_EQ(names_a, names_b);
  EXPECT_GE(names_a.size(), 1u);
  EXPECT_LE(names_a.size(), 2u);
  EXPECT_TRUE(same(a.image, b.image));
}

TEST(ImageTransforms, BadStrengthOrImageIsAnInputError) {
  std::mt19937_64 rng(1);
  TransformTarget target = rectangle_target();
  EXPECT_THROW(apply_transform(ImageTransform::rotate, 1.5, rng, target), InputError);
  EXPECT_THROW(apply_transform(ImageTransform::rotate, -0.1, rng, target), InputError);
  TransformTarget grey;
  grey.image = cv::Mat::zeros(4, 4, CV_8U);
  EXPECT_THROW(apply_transform(ImageTransform::invert, 0.5, rng, grey), InputError);
}

}  // namespace
}  // namespace counterscope::augmentation
