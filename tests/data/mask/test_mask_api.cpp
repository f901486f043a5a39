// The COCO mask API against pycocotools' own outputs (shared/refs/coco_mask/mask_api_1.json), plus edge
// cases, brute-force pixel checks on random masks and every bad-input path.

#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/data/mask/mask_api.h"
#include "core/util/error.h"
#include "tests/test_paths.h"

namespace counterscope::data {
namespace {

const nlohmann::json& reference() {
  static const nlohmann::json data = [] {
    const std::string path = std::string(COUNTERSCOPE_REFS_DIR) + "/coco_mask/mask_api_1.json";
    std::ifstream file(path);
    if (!file) throw std::runtime_error("cannot open " + path);
    return nlohmann::json::parse(file);
  }();
  return data;
}

std::vector<Polygon> polygons_of(const nlohmann::json& value) { return value.get<std::vector<Polygon>>(); }

BoxXywh box_of_json(const nlohmann::json& value) {
  return BoxXywh{value.at(0).get<double>(), value.at(1).get<double>(), value.at(2).get<double>(),
                 value.at(3).get<double>()};
}

/// The pixel IoU computed naively from two decoded masks.
double brute_force_iou(const std::vector<std::uint8_t>& dt, const std::vector<std::uint8_t>& gt, bool crowd) {
  std::uint64_t intersection = 0, union_area = 0, dt_area = 0;
  for (std::size_t i = 0; i < dt.size(); ++i) {
    intersection += dt[i] && gt[i];
    union_area += dt[i] || gt[i];
    dt_area += dt[i] != 0;
  }
  if (intersection == 0) return 0.0;
  return static_cast<double>(intersection) / static_cast<double>(crowd ? dt_area : union_area);
}

/// A random blobby mask: a few random rectangles, so that runs are long and boxes vary.
std::vector<std::uint8_t> random_mask(std::mt19937& rng, std::uint32_t height, std::uint32_t width) {
  std::vector<std::uint8_t> mask(static_cast<std::size_t>(height) * width, 0);
  std::uniform_int_distribution<int> count(0, 3);
  const int rectangles = count(rng);
  for (int r = 0; r < rectangles; ++r) {
    std::uniform_int_distribution<std::uint32_t> ys(0, height - 1), xs(0, width - 1);
    std::uint32_t y0 = ys(rng), y1 = ys(rng), x0 = xs(rng), x1 = xs(rng);
    if (y0 > y1) std::swap(y0, y1);
    if (x0 > x1) std::swap(x0, x1);
    for (std::uint32_t y = y0; y <= y1; ++y) {
      for (std::uint32_t x = x0; x <= x1; ++x) mask[y * width + x] = 1;
    }
  }
  return mask;
}

// ---------------------------------------------------------------- pycocotools reference outputs

TEST(MaskApiReference, HasAllCaseKinds) {
  const nlohmann::json& data = reference();
  EXPECT_EQ(data.at("polygon_cases").size(), 120u);
  EXPECT_EQ(data.at("iou_cases").size(), 60u);
  EXPECT_EQ(data.at("box_iou_cases").size(), 60u);
  EXPECT_EQ(data.at("bitmask_cases").size(), 20u);
}

TEST(MaskApiReference, PolygonsRasteriseToIdenticalRles) {
  const nlohmann::json& cases = reference().at("polygon_cases");
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("polygon case " + std::to_string(i));
    const nlohmann::json& c = cases[i];
    const auto h = c.at("h").get<std::uint32_t>(), w = c.at("w").get<std::uint32_t>();
    const Rle rle = rle_from_polygons(polygons_of(c.at("polygons")), h, w);
    EXPECT_EQ(rle_to_string(rle), c.at("rle").get<std::string>());
    EXPECT_EQ(rle_area(rle), c.at("area").get<std::uint64_t>());
    EXPECT_EQ(rle_to_box(rle), box_of_json(c.at("bbox")));
    // The string parses back to the same runs, and the runs survive a trip through a bit mask.
    EXPECT_EQ(rle_from_string(c.at("rle").get<std::string>(), h, w), rle);
    const std::vector<std::uint8_t> bits = rle_decode_row_major(rle);
    EXPECT_EQ(rle_encode_row_major(bits.data(), h, w), rle);
  }
}

TEST(MaskApiReference, IousMatchWithAndWithoutCrowd) {
  const nlohmann::json& cases = reference().at("iou_cases");
  int overlapping = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("iou case " + std::to_string(i));
    const nlohmann::json& c = cases[i];
    const auto h = c.at("h").get<std::uint32_t>(), w = c.at("w").get<std::uint32_t>();
    const bool crowd = c.at("iscrowd").get<bool>();
    const Rle a = rle_from_polygons(polygons_of(c.at("a_polygons")), h, w);
    const Rle b = rle_from_polygons(polygons_of(c.at("b_polygons")), h, w);
    EXPECT_EQ(rle_to_string(a), c.at("a").get<std::string>());
    const double expected = c.at("iou").get<double>();
    EXPECT_NEAR(rle_iou(a, b, crowd), expected, 1e-12);
    const std::vector<double> matrix = rle_iou_matrix({a}, {b}, {crowd});
    ASSERT_EQ(matrix.size(), 1u);
    EXPECT_NEAR(matrix[0], expected, 1e-12);
    EXPECT_EQ(rle_to_string(rle_merge({a, b}, false)), c.at("union_rle").get<std::string>());
    EXPECT_EQ(rle_to_string(rle_merge({a, b}, true)), c.at("intersection_rle").get<std::string>());
    overlapping += expected > 0;
  }
  // Only one reference pair overlaps; MaskApiRandom checks the run walk against pixels on many more.
  EXPECT_GE(overlapping, 1);
}

TEST(MaskApiReference, BoxIousMatch) {
  const nlohmann::json& cases = reference().at("box_iou_cases");
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("box iou case " + std::to_string(i));
    const nlohmann::json& c = cases[i];
    const bool crowd = c.at("iscrowd").get<bool>();
    const BoxXywh a = box_of_json(c.at("a")), b = box_of_json(c.at("b"));
    EXPECT_NEAR(box_iou(a, b, crowd), c.at("iou").get<double>(), 1e-12);
    EXPECT_NEAR(box_iou_matrix({a}, {b}, {crowd})[0], c.at("iou").get<double>(), 1e-12);
  }
}

TEST(MaskApiReference, BitMasksEncodeToIdenticalRles) {
  const nlohmann::json& cases = reference().at("bitmask_cases");
  for (std::size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("bitmask case " + std::to_string(i));
    const nlohmann::json& c = cases[i];
    const auto h = c.at("h").get<std::uint32_t>(), w = c.at("w").get<std::uint32_t>();
    const std::string text = c.at("row_major_bits").get<std::string>();
    ASSERT_EQ(text.size(), static_cast<std::size_t>(h) * w);
    std::vector<std::uint8_t> bits(text.size());
    for (std::size_t p = 0; p < text.size(); ++p) bits[p] = text[p] == '1';
    const Rle rle = rle_encode_row_major(bits.data(), h, w);
    EXPECT_EQ(rle_to_string(rle), c.at("rle").get<std::string>());
    EXPECT_EQ(rle_area(rle), c.at("area").get<std::uint64_t>());
    EXPECT_EQ(rle_decode_row_major(rle_from_string(c.at("rle").get<std::string>(), h, w)), bits);
  }
}

// ---------------------------------------------------------------- layout and edge cases

TEST(MaskApiEdgeCases, RowMajorMaskBecomesColumnMajorRuns) {
  // 2x3, row-major: row 0 = 1 0 0, row 1 = 1 1 0. Columns read top-down: 1 1 | 0 1 | 0 0.
  const std::vector<std::uint8_t> mask = {1, 0, 0, 1, 1, 0};
  const Rle rle = rle_encode_row_major(mask.data(), 2, 3);
  EXPECT_EQ(rle.counts, (std::vector<std::uint32_t>{0, 2, 1, 1, 2}));
  EXPECT_EQ(rle_to_box(rle), (BoxXywh{0, 0, 2, 2}));
  EXPECT_EQ(rle_decode_row_major(rle), mask);
}

TEST(MaskApiEdgeCases, EmptyAndFullMasks) {
  const std::vector<std::uint8_t> empty(12, 0), full(12, 1);
  const Rle none = rle_encode_row_major(empty.data(), 3, 4);
  const Rle all = rle_encode_row_major(full.data(), 3, 4);
  EXPECT_EQ(none.counts, std::vector<std::uint32_t>{12});
  EXPECT_EQ(all.counts, (std::vector<std::uint32_t>{0, 12}));
  EXPECT_EQ(rle_area(none), 0u);
  EXPECT_EQ(rle_area(all), 12u);
  EXPECT_EQ(rle_to_box(none), (BoxXywh{0, 0, 0, 0}));
  EXPECT_EQ(rle_to_box(all), (BoxXywh{0, 0, 4, 3}));
  EXPECT_EQ(rle_to_string(none), "<");  // 12 = '0' + 12
  EXPECT_EQ(rle_from_string("<", 3, 4), none);
  EXPECT_EQ(rle_from_string(rle_to_string(all), 3, 4), all);
  EXPECT_EQ(rle_iou(none, none, false), 0.0);
  EXPECT_EQ(rle_iou(all, all, false), 1.0);
  EXPECT_EQ(rle_iou(none, all, true), 0.0);
  EXPECT_EQ(rle_merge({none, all}, false), all);
  EXPECT_EQ(rle_merge({none, all}, true), none);
  EXPECT_EQ(rle_decode_row_major(all), full);
}

TEST(MaskApiEdgeCases, OnePixelImage) {
  const std::uint8_t on = 1, off = 0;
  const Rle one = rle_encode_row_major(&on, 1, 1);
  const Rle zero = rle_encode_row_major(&off, 1, 1);
  EXPECT_EQ(one.counts, (std::vector<std::uint32_t>{0, 1}));
  EXPECT_EQ(zero.counts, std::vector<std::uint32_t>{1});
  EXPECT_EQ(rle_to_box(one), (BoxXywh{0, 0, 1, 1}));
  EXPECT_EQ(rle_iou(one, one, false), 1.0);
  // A box covering the pixel's centre selects it; a box beside it does not.
  EXPECT_EQ(rle_from_box({0, 0, 1, 1}, 1, 1), one);
  EXPECT_EQ(rle_from_box({1, 0, 1, 1}, 1, 1), zero);
}

TEST(MaskApiEdgeCases, IntegerBoxesRasteriseToExactlyTheirPixels) {
  const Rle rle = rle_from_box({1, 1, 2, 2}, 4, 4);
  EXPECT_EQ(rle.counts, (std::vector<std::uint32_t>{5, 2, 2, 2, 5}));
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    std::uniform_int_distribution<int> size(1, 40);
    const auto h = static_cast<std::uint32_t>(size(rng)), w = static_cast<std::uint32_t>(size(rng));
    std::uniform_int_distribution<int> ys(0, static_cast<int>(h) - 1), xs(0, static_cast<int>(w) - 1);
    const int y = ys(rng), x = xs(rng);
    std::uniform_int_distribution<int> bh(1, static_cast<int>(h) - y), bw(1, static_cast<int>(w) - x);
    const BoxXywh box{double(x), double(y), double(bw(rng)), double(bh(rng))};
    const Rle boxed = rle_from_box(box, h, w);
    EXPECT_EQ(rle_area(boxed), static_cast<std::uint64_t>(box.w * box.h));
    EXPECT_EQ(rle_to_box(boxed), box);
  }
}

TEST(MaskApiEdgeCases, ZeroAreaBoxIsEmpty) {
  EXPECT_EQ(rle_from_box({2, 2, 0, 3}, 6, 6).counts, std::vector<std::uint32_t>{36});
  EXPECT_EQ(rle_from_box({2, 2, 3, 0}, 6, 6).counts, std::vector<std::uint32_t>{36});
  EXPECT_EQ(rle_from_box({2, 2, 0, 0}, 6, 6).counts, std::vector<std::uint32_t>{36});
}

TEST(MaskApiEdgeCases, PolygonsOutsideOrAroundTheImage) {
  const std::uint32_t h = 5, w = 7;
  // Left of, right of, above and below the image: nothing.
  for (const Polygon& outside : std::vector<Polygon>{{-10, 1, -5, 1, -5, 4},
                                                     {9, 1, 12, 1, 12, 4},
                                                     {1, -9, 5, -9, 5, -4},
                                                     {1, 8, 5, 8, 5, 12}}) {
    EXPECT_EQ(rle_from_polygon(outside.data(), outside.size(), h, w).counts, std::vector<std::uint32_t>{35});
  }
  // A polygon enclosing the whole image is clipped to it: every pixel.
  const Polygon around = {-10, -10, 20, -10, 20, 20, -10, 20};
  EXPECT_EQ(rle_from_polygon(around.data(), around.size(), h, w).counts, (std::vector<std::uint32_t>{0, 35}));
}

TEST(MaskApiEdgeCases, DegeneratePolygonsGiveEmptyMasks) {
  // All points equal (pycocotools divides 0 by 0 here), collinear points, repeated vertices.
  const Polygon point = {3, 3, 3, 3, 3, 3};
  const Polygon line = {1, 1, 3, 3, 5, 5};
  EXPECT_EQ(rle_from_polygon(point.data(), point.size(), 6, 6).counts, std::vector<std::uint32_t>{36});
  EXPECT_EQ(rle_area(rle_from_polygon(line.data(), line.size(), 6, 6)), 0u);
  // Repeating a vertex does not change a polygon's mask.
  const Polygon square = {1, 1, 4, 1, 4, 4, 1, 4};
  const Polygon repeated = {1, 1, 4, 1, 4, 1, 4, 4, 1, 4, 1, 4};
  EXPECT_EQ(rle_from_polygon(square.data(), square.size(), 6, 6),
            rle_from_polygon(repeated.data(), repeated.size(), 6, 6));
}

TEST(MaskApiEdgeCases, SeveralPolygonsAreTheirUnion) {
  const Polygon left = {0, 0, 2, 0, 2, 3, 0, 3}, right = {3, 1, 5, 1, 5, 4, 3, 4};
  const Rle a = rle_from_polygon(left.data(), left.size(), 6, 6);
  const Rle b = rle_from_polygon(right.data(), right.size(), 6, 6);
  EXPECT_EQ(rle_from_polygons({left}, 6, 6), a);
  EXPECT_EQ(rle_from_polygons({left, right}, 6, 6), rle_merge({a, b}, false));
  EXPECT_EQ(rle_area(rle_from_polygons({left, right}, 6, 6)), rle_area(a) + rle_area(b));
}

TEST(MaskApiEdgeCases, MergeOfNoneOrOneMask) {
  EXPECT_EQ(rle_merge({}, false), Rle{});
  const Rle single = rle_from_box({1, 1, 2, 2}, 4, 4);
  EXPECT_EQ(rle_merge({single}, true), single);
}

TEST(MaskApiEdgeCases, StringCodecHandlesExtremeRuns) {
  // 65535 * 65537 = 2^32 - 1 pixels: the largest image the 32-bit API can hold.
  const std::uint32_t h = 65535, w = 65537;
  const std::uint32_t total = std::numeric_limits<std::uint32_t>::max();
  for (const std::vector<std::uint32_t>& counts : std::vector<std::vector<std::uint32_t>>{
           {total}, {0, total}, {total - 5, 5}, {1, 2, 3, total - 6}, {total - 10, 1, 2, 3, 4}}) {
    const Rle rle = rle_from_counts(counts, h, w);
    EXPECT_EQ(rle_from_string(rle_to_string(rle), h, w), rle);
  }
  // Negative differences (a run shorter than the one two places before it).
  const Rle shrinking = rle_from_counts({0, 1000, 900, 50, 3, 47}, 40, 50);
  EXPECT_EQ(rle_from_string(rle_to_string(shrinking), 40, 50), shrinking);
}

// ---------------------------------------------------------------- brute-force checks on random masks

TEST(MaskApiRandom, IouMergeAndBoxAgreeWithPixels) {
  std::mt19937 rng(2024);
  const std::uint32_t h = 23, w = 31;
  std::vector<Rle> rles;
  std::vector<std::vector<std::uint8_t>> masks;
  for (int i = 0; i < 40; ++i) {
    masks.push_back(random_mask(rng, h, w));
    rles.push_back(rle_encode_row_major(masks.back().data(), h, w));
    EXPECT_EQ(rle_decode_row_major(rles.back()), masks.back());
  }
  std::vector<bool> crowd(rles.size());
  for (std::size_t g = 0; g < crowd.size(); ++g) crowd[g] = g % 3 == 0;
  const std::vector<double> matrix = rle_iou_matrix(rles, rles, crowd);
  for (std::size_t d = 0; d < rles.size(); ++d) {
    for (std::size_t g = 0; g < rles.size(); ++g) {
      const double expected = brute_force_iou(masks[d], masks[g], crowd[g]);
      EXPECT_EQ(rle_iou(rles[d], rles[g], crowd[g]), expected) << d << "," << g;
      EXPECT_EQ(rle_iou(rles[d], rle_to_box(rles[d]), rles[g], rle_to_box(rles[g]), crowd[g]), expected)
          << d << "," << g;
      EXPECT_EQ(matrix[d * rles.size() + g], expected) << d << "," << g;
    }
  }
  for (std::size_t i = 0; i + 2 < rles.size(); i += 3) {
    const std::vector<Rle> group = {rles[i], rles[i + 1], rles[i + 2]};
    std::vector<std::uint8_t> any(masks[i].size()), every(masks[i].size());
    std::uint32_t xs = w, ys = h, xe = 0, ye = 0;
    for (std::size_t p = 0; p < any.size(); ++p) {
      any[p] = masks[i][p] | masks[i + 1][p] | masks[i + 2][p];
      every[p] = masks[i][p] & masks[i + 1][p] & masks[i + 2][p];
      if (any[p]) {
        const auto y = static_cast<std::uint32_t>(p / w), x = static_cast<std::uint32_t>(p % w);
        xs = std::min(xs, x), xe = std::max(xe, x), ys = std::min(ys, y), ye = std::max(ye, y);
      }
    }
    const Rle merged = rle_merge(group, false);
    EXPECT_EQ(merged, rle_encode_row_major(any.data(), h, w));
    EXPECT_EQ(rle_merge(group, true), rle_encode_row_major(every.data(), h, w));
    const BoxXywh expected_box = xe < xs ? BoxXywh{} : BoxXywh{double(xs), double(ys), double(xe - xs + 1),
                                                               double(ye - ys + 1)};
    EXPECT_EQ(rle_to_box(merged), expected_box);
  }
}

TEST(MaskApiRandom, BoxIouMatrixLayoutIsDetectionMajor) {
  const std::vector<BoxXywh> dts = {{0, 0, 10, 10}, {5, 5, 10, 10}, {20, 20, 2, 2}};
  const std::vector<BoxXywh> gts = {{0, 0, 10, 10}, {5, 0, 10, 10}};
  const std::vector<bool> crowd = {false, true};
  const std::vector<double> matrix = box_iou_matrix(dts, gts, crowd);
  ASSERT_EQ(matrix.size(), 6u);
  for (std::size_t d = 0; d < dts.size(); ++d) {
    for (std::size_t g = 0; g < gts.size(); ++g) EXPECT_EQ(matrix[d * 2 + g], box_iou(dts[d], gts[g], crowd[g]));
  }
  EXPECT_EQ(matrix[0], 1.0);
  EXPECT_DOUBLE_EQ(matrix[1 * 2 + 1], 50.0 / 100.0);  // crowd: intersection over the detection's area
  EXPECT_DOUBLE_EQ(matrix[1 * 2 + 0], 25.0 / 175.0);
  EXPECT_EQ(matrix[2 * 2 + 0], 0.0);
}

// ---------------------------------------------------------------- bad input

/// Expects an InputError whose message contains every fragment.
template <typename Function>
void expect_input_error(Function function, const std::vector<std::string>& fragments) {
  try {
    function();
    ADD_FAILURE() << "no InputError thrown";
  } catch (const InputError& error) {
    for (const std::string& fragment : fragments) {
      EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos)
          << "message \"" << error.what() << "\" lacks \"" << fragment << "\"";
    }
  }
}

TEST(MaskApiBadInput, MalformedCountsStrings) {
  // A character outside '0'..'o'.
  expect_input_error([] { rle_from_string("<~", 3, 4, "dets.json"); }, {"dets.json", "counts", "offset 1"});
  expect_input_error([] { rle_from_string("< ", 3, 4, "dets.json"); }, {"dets.json", "counts"});
  // The last character still says "more follows" ('P' = '0' + 0x20).
  expect_input_error([] { rle_from_string("<P", 3, 4, "dets.json"); }, {"ends inside a value"});
  // Eight characters for one value.
  expect_input_error([] { rle_from_string("PPPPPPP0", 3, 4, "dets.json"); }, {"longer than 7"});
  // A negative run: 'O' = -1.
  expect_input_error([] { rle_from_string("O", 3, 4, "dets.json"); }, {"run 0", "-1"});
  // Runs that do not cover the image: 12 pixels in a 3x3 image.
  expect_input_error([] { rle_from_string("<", 3, 3, "dets.json"); }, {"dets.json", "counts", "sum 12", "9"});
  expect_input_error([] { rle_from_counts({1, 2}, 2, 2, "gt.json"); }, {"gt.json", "sum 3"});
}

TEST(MaskApiBadInput, SizeMismatches) {
  const Rle small = rle_from_box({0, 0, 2, 2}, 4, 4), large = rle_from_box({0, 0, 2, 2}, 5, 4);
  expect_input_error([&] { rle_merge({small, large}, false); }, {"masks[1].size", "5x4", "4x4"});
  expect_input_error([&] { rle_iou(small, large, false); }, {"ground_truth.size", "5x4"});
  expect_input_error([&] { rle_iou_matrix({small}, {small, large}, {false, false}); },
                     {"ground_truths[1].size", "5x4"});
  expect_input_error([&] { rle_iou_matrix({small}, {small}, {false, true}); }, {"crowd", "2 flags"});
  expect_input_error([&] { box_iou_matrix({}, {BoxXywh{}}, {}); }, {"crowd", "0 flags"});
}

TEST(MaskApiBadInput, InvalidCountsInOperations) {
  Rle broken;
  broken.height = 4;
  broken.width = 4;
  broken.counts = {3, 4};
  const Rle good = rle_from_box({0, 0, 2, 2}, 4, 4);
  expect_input_error([&] { rle_decode_row_major(broken); }, {"sum 7", "16"});
  expect_input_error([&] { rle_merge({good, broken}, true); }, {"masks[1].counts", "sum 7"});
  expect_input_error([&] { rle_iou_matrix({broken}, {good}, {false}); }, {"detections[0].counts", "sum 7"});
  expect_input_error([&] { rle_iou_matrix({good}, {good, broken}, {false, true}); },
                     {"ground_truths[1].counts", "sum 7"});
  Rle no_runs = good;
  no_runs.counts.clear();
  expect_input_error([&] { rle_iou(good, no_runs, false); }, {"ground_truth.counts", "4x4"});
  expect_input_error([&] { rle_iou(no_runs, good, true); }, {"detection.counts"});
  // Masks of images without pixels have IoU 0, with or without runs.
  EXPECT_EQ(rle_iou(Rle{}, Rle{}, false), 0.0);
}

TEST(MaskApiBadInput, BadPolygons) {
  expect_input_error([] { rle_from_polygons({{1, 1, 5, 1, 5, 5, 1}}, 8, 8, "ann 7"); },
                     {"ann 7", "polygons[0]", "7 coordinates", "even"});
  expect_input_error([] { rle_from_polygons({{1, 1, 5, 1, 5, 5}, {1, 1, 5, 5}}, 8, 8, "ann 7"); },
                     {"polygons[1]", "4 coordinates", "at least 3 points"});
  expect_input_error([] { rle_from_polygons({}, 8, 8, "ann 7"); }, {"ann 7", "polygons", "at least one"});
  const double nan = std::numeric_limits<double>::quiet_NaN();
  expect_input_error([&] { rle_from_polygons({{1, 1, nan, 1, 5, 5}}, 8, 8, "ann 7"); }, {"polygons[0][2]"});
  const Polygon huge = {1, 1, 5e9, 1, 5, 5};
  expect_input_error([&] { rle_from_polygon(huge.data(), huge.size(), 8, 8, "ann 8"); }, {"ann 8", "polygon[2]"});
  expect_input_error([] { rle_from_box({0, 0, std::numeric_limits<double>::infinity(), 1}, 8, 8, "box"); },
                     {"bbox[2]"});
}

TEST(MaskApiBadInput, ImagesTooLargeForThirtyTwoBitCounts) {
  expect_input_error([] { rle_from_string("0", 70000, 70000, "dets.json"); }, {"70000x70000", "32-bit"});
  expect_input_error([] { rle_from_box({0, 0, 1, 1}, 70000, 70000); }, {"70000x70000"});
}

}  // namespace
}  // namespace counterscope::data
