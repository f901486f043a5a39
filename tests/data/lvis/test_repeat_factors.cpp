// Repeat-factor sampling against values computed by hand from r(c) = max(1, sqrt(t / f(c))).

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/data/lvis/repeat_factors.h"
#include "core/util/error.h"

namespace counterscope::data {
namespace {

// `image_count` images; category k (id k+1) is in the images listed in images_of[k].
Dataset dataset_with(int image_count, const std::vector<std::vector<int>>& images_of) {
  Dataset dataset;
  for (int i = 0; i < image_count; ++i) dataset.images.push_back(ImageInfo{i + 1, 10, 10, "x.jpg", "", {}, {}});
  std::int64_t next_id = 1;
  for (std::size_t k = 0; k < images_of.size(); ++k) {
    dataset.categories.push_back(Category{static_cast<std::int64_t>(k + 1), "c" + std::to_string(k), {}, "", "",
                                          Frequency::unknown, 0, 0});
    for (int image : images_of[k]) {
      Annotation annotation;
      annotation.id = next_id++;
      annotation.image_id = image + 1;
      annotation.category_id = static_cast<std::int64_t>(k + 1);
      dataset.annotations.push_back(annotation);
    }
  }
  dataset.build_indexes();
  return dataset;
}

TEST(RepeatFactors, HandComputedCategoryAndImageFactors) {
  // 8 images, t = 0.5. A in 1 image: f = 1/8, r = sqrt(4) = 2. B in 2 images (twice in image 1):
  // f = 1/4, r = sqrt(2). C in all: f = 1, r = max(1, sqrt(0.5)) = 1. D in none: 1.
  const Dataset dataset = dataset_with(8, {{0}, {1, 1, 2}, {0, 1, 2, 3, 4, 5, 6, 7}, {}});
  const std::vector<double> categories = category_repeat_factors(dataset, 0.5);
  ASSERT_EQ(categories.size(), 4u);
  EXPECT_DOUBLE_EQ(categories[0], 2.0);
  EXPECT_DOUBLE_EQ(categories[1], std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(categories[2], 1.0);
  EXPECT_DOUBLE_EQ(categories[3], 1.0);
  const std::vector<double> images = image_repeat_factors(dataset, 0.5);
  const std::vector<double> expected = {2.0, std::sqrt(2.0), std::sqrt(2.0), 1, 1, 1, 1, 1};
  ASSERT_EQ(images.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_DOUBLE_EQ(images[i], expected[i]) << i;
}

TEST(RepeatFactors, LvisThreshold) {
  // t = 0.001 with 4000 images: a category in 1 image has f = 1/4000, r = sqrt(4) = 2; in 9 images
  // f = 9/4000, r = max(1, sqrt(4/9)) = 1; an image without annotations keeps 1.
  std::vector<int> nine = {10, 11, 12, 13, 14, 15, 16, 17, 18};
  const Dataset dataset = dataset_with(4000, {{3}, nine});
  const std::vector<double> categories = category_repeat_factors(dataset);
  EXPECT_DOUBLE_EQ(categories[0], 2.0);
  EXPECT_DOUBLE_EQ(categories[1], 1.0);
  const std::vector<double> images = image_repeat_factors(dataset);
  EXPECT_DOUBLE_EQ(images[3], 2.0);
  EXPECT_DOUBLE_EQ(images[10], 1.0);
  EXPECT_DOUBLE_EQ(images[0], 1.0);
}

TEST(RepeatFactors, EpochStochasticRounding) {
  const std::vector<double> factors = {2.0, 1.0, 0.5, 1.5, 3.0, 0.0};
  const std::vector<std::uint32_t> epoch = repeat_factor_epoch(factors, 42, false);
  const auto count = [&](std::uint32_t image) { return std::count(epoch.begin(), epoch.end(), image); };
  EXPECT_EQ(count(0), 2);  // whole factors are exact
  EXPECT_EQ(count(1), 1);
  EXPECT_EQ(count(4), 3);
  EXPECT_EQ(count(5), 0);
  EXPECT_TRUE(count(2) == 0 || count(2) == 1);
  EXPECT_TRUE(count(3) == 1 || count(3) == 2);
  EXPECT_TRUE(std::is_sorted(epoch.begin(), epoch.end()));  // not shuffled

  // Same seed, same epoch; shuffling permutes the same multiset.
  EXPECT_EQ(repeat_factor_epoch(factors, 42, false), epoch);
  std::vector<std::uint32_t> shuffled = repeat_factor_epoch(factors, 42, true);
  EXPECT_EQ(shuffled, repeat_factor_epoch(factors, 42, true));
  std::vector<std::uint32_t> sorted = shuffled;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted.size(), epoch.size());

  // 10,000 images of factor 1.25: 12,500 expected, standard deviation 43.3.
  const std::vector<std::uint32_t> many = repeat_factor_epoch(std::vector<double>(10000, 1.25), 7, true);
  EXPECT_GT(many.size(), 12500u - 200u);
  EXPECT_LT(many.size(), 12500u + 200u);
  EXPECT_NE(many, repeat_factor_epoch(std::vector<double>(10000, 1.25), 8, true));
}

TEST(RepeatFactors, ThresholdStatedAsAnImageCount) {
  // LVIS v1: t = 0.001 on 100,170 training images is about 100 images; the default world's 2000 give 0.05.
  EXPECT_DOUBLE_EQ(repeat_factor_threshold_for(2000), 0.05);
  EXPECT_DOUBLE_EQ(repeat_factor_threshold_for(100000), 0.001);
  EXPECT_DOUBLE_EQ(repeat_factor_threshold_for(40, 10), 0.25);
  EXPECT_DOUBLE_EQ(repeat_factor_threshold_for(24), 1.0) << "fewer images than the count: every category is repeated";
  // A category in exactly min_images images is not repeated, one in fewer is: 8 images, min_images 4 -> t = 0.5.
  const Dataset dataset = dataset_with(8, {{0, 1, 2, 3}, {0, 1, 2}});
  const std::vector<double> factors = category_repeat_factors(dataset, repeat_factor_threshold_for(8, 4));
  EXPECT_DOUBLE_EQ(factors[0], 1.0);
  EXPECT_DOUBLE_EQ(factors[1], std::sqrt(0.5 / (3.0 / 8.0)));
  EXPECT_THROW(repeat_factor_threshold_for(0), InputError);
  EXPECT_THROW(repeat_factor_threshold_for(10, 0), InputError);
  EXPECT_THROW(repeat_factor_threshold_for(10, -5), InputError);
}

TEST(RepeatFactors, BadInput) {
  const Dataset dataset = dataset_with(2, {{0}});
  EXPECT_THROW(category_repeat_factors(dataset, 0.0), InputError);
  EXPECT_THROW(category_repeat_factors(dataset, -1.0), InputError);
  EXPECT_THROW(category_repeat_factors(dataset, std::nan("")), InputError);
  EXPECT_THROW(repeat_factor_epoch({1.0, -2.0}, 1), InputError);
  EXPECT_THROW(repeat_factor_epoch({1.0, INFINITY}, 1), InputError);
  Dataset unindexed;
  unindexed.images.push_back(ImageInfo{1, 1, 1, "a", "", {}, {}});
  EXPECT_THROW(category_repeat_factors(unindexed), Error);
}

}  // namespace
}  // namespace counterscope::data
