// mask_to_polygons must give polygons that the COCO rasteriser (pycocotools' frPyObjects + merge, reproduced
// by core/data/mask) turns back into exactly the same pixels: holes, islands in holes, diagonal touches.

#include "core/data/synthetic/mask_polygons.h"

#include <random>

#include <gtest/gtest.h>
#include <opencv2/imgproc.hpp>

#include "core/data/mask/mask_api.h"

namespace counterscope::data::synthetic {
namespace {

std::vector<std::uint8_t> rasterise(const std::vector<std::vector<double>>& polygons, int height, int width) {
  if (polygons.empty()) return std::vector<std::uint8_t>(static_cast<std::size_t>(height) * width, 0);
  return rle_decode_row_major(rle_from_polygons(polygons, static_cast<std::uint32_t>(height), static_cast<std::uint32_t>(width)));
}

std::vector<std::uint8_t> bytes_of(const cv::Mat& mask) {
  std::vector<std::uint8_t> bytes;
  for (int y = 0; y < mask.rows; ++y)
    for (int x = 0; x < mask.cols; ++x) bytes.push_back(mask.at<std::uint8_t>(y, x) ? 1 : 0);
  return bytes;
}

void expect_exact(const cv::Mat& mask) {
  const auto polygons = mask_to_polygons(mask);
  for (const auto& polygon : polygons) {
    EXPECT_GE(polygon.size(), 8u);  // at least four corners
    EXPECT_EQ(polygon.size() % 2, 0u);
  }
  EXPECT_EQ(rasterise(polygons, mask.rows, mask.cols), bytes_of(mask));
}

TEST(MaskPolygons, EmptyMaskHasNoPolygon) {
  EXPECT_TRUE(mask_to_polygons(cv::Mat::zeros(8, 8, CV_8U)).empty());
}

TEST(MaskPolygons, RectangleIsFourCorners) {
  cv::Mat mask = cv::Mat::zeros(10, 12, CV_8U);
  mask(cv::Rect(2, 3, 5, 4)).setTo(1);
  const auto polygons = mask_to_polygons(mask);
  ASSERT_EQ(polygons.size(), 1u);
  EXPECT_EQ(polygons[0], (std::vector<double>{2, 3, 7, 3, 7, 7, 2, 7}));
  expect_exact(mask);
}

TEST(MaskPolygons, TouchesTheImageBorder) {
  cv::Mat mask = cv::Mat::ones(6, 7, CV_8U);
  expect_exact(mask);
  mask.at<std::uint8_t>(0, 0) = 0;
  mask.at<std::uint8_t>(5, 6) = 0;
  expect_exact(mask);
}

TEST(MaskPolygons, RingKeepsItsHole) {
  cv::Mat mask = cv::Mat::zeros(40, 40, CV_8U);
  cv::circle(mask, {20, 20}, 15, cv::Scalar(1), -1);
  cv::circle(mask, {20, 20}, 7, cv::Scalar(0), -1);
  const auto polygons = mask_to_polygons(mask);
  EXPECT_EQ(polygons.size(), 1u);  // the hole is bridged into the outer polygon
  expect_exact(mask);
}

TEST(MaskPolygons, IslandInsideAHoleAndDiagonalTouches) {
  cv::Mat mask = cv::Mat::zeros(30, 30, CV_8U);
  mask(cv::Rect(2, 2, 26, 26)).setTo(1);
  mask(cv::Rect(6, 6, 18, 18)).setTo(0);
  mask(cv::Rect(10, 10, 10, 10)).setTo(1);  // island in the hole
  mask(cv::Rect(13, 13, 4, 4)).setTo(0);    // with its own hole
  mask.at<std::uint8_t>(0, 0) = 1;          // touches the frame only diagonally
  mask.at<std::uint8_t>(1, 1) = 1;
  expect_exact(mask);
  EXPECT_EQ(mask_to_polygons(mask).size(), 4u);  // frame, island, and each diagonal pixel on its own
}

TEST(MaskPolygons, CheckerboardSaddles) {
  cv::Mat mask = cv::Mat::zeros(9, 9, CV_8U);
  for (int y = 1; y < 8; ++y)
    for (int x = 1; x < 8; ++x) mask.at<std::uint8_t>(y, x) = (x + y) % 2;
  expect_exact(mask);
  EXPECT_EQ(mask_to_polygons(mask).size(), 24u);  // every pixel is its own 4-connected region
}

TEST(MaskPolygons, RandomMasksRoundTripExactly) {
  std::mt19937_64 engine(7);
  for (int trial = 0; trial < 200; ++trial) {
    const int height = 4 + static_cast<int>(engine() % 30), width = 4 + static_cast<int>(engine() % 30);
    cv::Mat mask = cv::Mat::zeros(height, width, CV_8U);
    const int density = static_cast<int>(engine() % 70) + 15;
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x) mask.at<std::uint8_t>(y, x) = static_cast<int>(engine() % 100) < density;
    SCOPED_TRACE("trial " + std::to_string(trial));
    expect_exact(mask);
  }
}

}  // namespace
}  // namespace counterscope::data::synthetic
