// The LVIS evaluator on hand-built cases whose results follow from lvis-api's rules by hand.

#include "core/evaluation/lvis_evaluator.h"

#include <cmath>
#include <limits>

#include <gtest/gtest.h>

#include "core/util/error.h"
#include "tests/evaluation/evaluation_test_data.h"

namespace counterscope::evaluation {
namespace {

using data::BoxXywh;
using data::Frequency;
using testing::box_detection;
using testing::DatasetBuilder;
using testing::mask_detection;

EvaluationResult evaluate_boxes(const data::Dataset& dataset, std::vector<data::Detection> detections,
                                EvaluationOptions options = {}) {
  return evaluate_results(dataset, std::move(detections), IouType::bbox, options);
}

TEST(LvisEvaluator, PerfectDetectionGivesOneEverywhereDefined) {
  const auto dataset = DatasetBuilder().category(1, Frequency::rare).image(10).box(1, 10, 1, {0, 0, 10, 10}).build();
  const auto result = evaluate_boxes(dataset, {box_detection(10, 1, 0.9, {0, 0, 10, 10})});
  const auto& m = result.metrics;
  EXPECT_DOUBLE_EQ(m.ap, 1.0);
  EXPECT_DOUBLE_EQ(m.ap50, 1.0);
  EXPECT_DOUBLE_EQ(m.ap75, 1.0);
  EXPECT_DOUBLE_EQ(m.ap_small, 1.0);  // area 100 <= 32^2
  EXPECT_EQ(m.ap_medium, -1.0);
  EXPECT_EQ(m.ap_large, -1.0);
  EXPECT_DOUBLE_EQ(m.ap_rare, 1.0);
  EXPECT_EQ(m.ap_common, -1.0);
  EXPECT_EQ(m.ap_frequent, -1.0);
  EXPECT_DOUBLE_EQ(m.ar, 1.0);
  EXPECT_DOUBLE_EQ(m.ar_small, 1.0);
  EXPECT_EQ(m.ar_medium, -1.0);
  ASSERT_EQ(result.categories.size(), 1u);
  EXPECT_EQ(result.categories[0].truth_count, 1u);
  EXPECT_EQ(result.categories[0].detection_count, 1u);
  EXPECT_TRUE(result.warnings.empty());
}

TEST(LvisEvaluator, IouBetweenThresholdsMatchesOnlyTheLowerOnes) {
  // IoU 0.72: a match at .50, .55, .60, .65, .70, none at .75 and above.
  const auto dataset = DatasetBuilder().category(1, Frequency::common).image(10).box(1, 10, 1, {0, 0, 10, 10}).build();
  const auto result = evaluate_boxes(dataset, {box_detection(10, 1, 0.9, {0, 0, 10, 7.2})});
  EXPECT_NEAR(result.metrics.ap, 0.5, 1e-12);
  EXPECT_DOUBLE_EQ(result.metrics.ap50, 1.0);
  EXPECT_DOUBLE_EQ(result.metrics.ap75, 0.0);
  EXPECT_NEAR(result.metrics.ar, 0.5, 1e-12);
  EXPECT_NEAR(result.metrics.ap_common, 0.5, 1e-12);
}

TEST(LvisEvaluator, FalsePositiveBeforeTruePositiveHalvesPrecision) {
  const auto dataset = DatasetBuilder().category(1, Frequency::frequent).image(10).box(1, 10, 1, {0, 0, 10, 10}).build();
  const auto result = evaluate_boxes(dataset, {box_detection(10, 1, 0.9, {100, 50, 10, 10}),
                                               box_detection(10, 1, 0.8, {0, 0, 10, 10})});
  // precision (1 / (1 + 1 + eps)) at every recall point, made monotone from the right.
  const double half = 1.0 / (2.0 + std::numeric_limits<double>::epsilon());
  EXPECT_NEAR(result.metrics.ap, half, 1e-15);
  EXPECT_DOUBLE_EQ(result.metrics.ar, 1.0);
}

TEST(LvisEvaluator, DetectionsOfUnverifiedCategoriesAreNotEvaluated) {
  // Category 2 is neither annotated in image 10 nor in its negatives: its detection there is dropped.
  auto builder = DatasetBuilder().category(1, Frequency::rare).category(2, Frequency::rare);
  builder.image(10).image(11).box(1, 10, 1, {0, 0, 10, 10}).box(2, 11, 2, {0, 0, 10, 10});
  const auto dataset = builder.build();
  const std::vector<data::Detection> detections{box_detection(10, 2, 0.9, {50, 50, 10, 10}),
                                                box_detection(11, 2, 0.5, {0, 0, 10, 10}),
                                                box_detection(10, 1, 0.5, {0, 0, 10, 10})};
  const auto result = evaluate_boxes(dataset, detections);
  EXPECT_DOUBLE_EQ(result.metrics.ap, 1.0);
  EXPECT_EQ(result.dropped_by_federation, 1u);
  EXPECT_EQ(result.evaluated_detection_count, 2u);
}

TEST(LvisEvaluator, DetectionsOfNegativeCategoriesAreFalsePositives) {
  auto builder = DatasetBuilder().category(1, Frequency::rare).category(2, Frequency::rare);
  builder.image(10, /*negative=*/{2}).image(11).box(1, 10, 1, {0, 0, 10, 10}).box(2, 11, 2, {0, 0, 10, 10});
  const auto dataset = builder.build();
  const std::vector<data::Detection> detections{box_detection(10, 2, 0.9, {50, 50, 10, 10}),
                                                box_detection(11, 2, 0.5, {0, 0, 10, 10}),
                                                box_detection(10, 1, 0.5, {0, 0, 10, 10})};
  const auto result = evaluate_boxes(dataset, detections);
  const double half = 1.0 / (2.0 + std::numeric_limits<double>::epsilon());
  EXPECT_NEAR(result.categories[1].ap, half, 1e-15);
  EXPECT_NEAR(result.metrics.ap, (1.0 + half) / 2, 1e-15);
  EXPECT_EQ(result.dropped_by_federation, 0u);
}

TEST(LvisEvaluator, UnmatchedDetectionsOfNotExhaustiveCategoriesAreIgnored) {
  auto make = [](bool not_exhaustive) {
    auto builder = DatasetBuilder().category(1, Frequency::common);
    builder.image(10, {}, not_exhaustive ? std::vector<std::int64_t>{1} : std::vector<std::int64_t>{});
    return builder.box(1, 10, 1, {0, 0, 10, 10}).build();
  };
  const std::vector<data::Detection> detections{box_detection(10, 1, 0.9, {100, 50, 10, 10}),
                                                box_detection(10, 1, 0.8, {0, 0, 10, 10})};
  EXPECT_DOUBLE_EQ(evaluate_boxes(make(true), detections).metrics.ap, 1.0);
  EXPECT_LT(evaluate_boxes(make(false), detections).metrics.ap, 0.51);
}

TEST(LvisEvaluator, KeepsTheTopDetectionsPerImageWithArrivalOrderOnTies) {
  const auto dataset = DatasetBuilder().category(1, Frequency::rare).image(10).box(1, 10, 1, {0, 0, 10, 10}).build();
  std::vector<data::Detection> detections;
  for (int i = 0; i < 300; ++i) detections.push_back(box_detection(10, 1, 0.9, {150, 80, 5, 5}));
  detections.push_back(box_detection(10, 1, 0.1, {0, 0, 10, 10}));
  // The true positive is 301st by score: cut.
  const auto cut = evaluate_boxes(dataset, detections);
  EXPECT_DOUBLE_EQ(cut.metrics.ap, 0.0);
  EXPECT_DOUBLE_EQ(cut.metrics.ar, 0.0);
  EXPECT_EQ(cut.dropped_by_limit, 1u);
  // Without a limit it counts: precision 1/301 at every recall point.
  EvaluationOptions unlimited;
  unlimited.max_detections_per_image = -1;
  const auto all = evaluate_boxes(dataset, detections, unlimited);
  EXPECT_NEAR(all.metrics.ap, 1.0 / 301.0, 1e-12);

  // Equal scores: the first 300 to arrive stay.
  std::vector<data::Detection> tied(300, box_detection(10, 1, 0.5, {150, 80, 5, 5}));
  tied.insert(tied.begin(), box_detection(10, 1, 0.5, {0, 0, 10, 10}));
  EXPECT_GT(evaluate_boxes(dataset, tied).metrics.ar, 0.99);
  std::vector<data::Detection> tied_last(300, box_detection(10, 1, 0.5, {150, 80, 5, 5}));
  tied_last.push_back(box_detection(10, 1, 0.5, {0, 0, 10, 10}));
  EXPECT_DOUBLE_EQ(evaluate_boxes(dataset, tied_last).metrics.ar, 0.0);
}

TEST(LvisEvaluator, EqualScoresKeepArrivalOrderWhenRanking) {
  // Two images, tied scores: lvis-api's stable sort puts image 10 (lower id) first, then arrival order.
  auto builder = DatasetBuilder().category(1, Frequency::rare).image(10).image(11);
  const auto dataset = builder.box(1, 10, 1, {0, 0, 10, 10}).build();
  // In image 10 the false positive arrives first: precision 0 then 1/2 → 0.5 everywhere.
  const auto fp_first = evaluate_boxes(dataset, {box_detection(10, 1, 0.5, {100, 50, 10, 10}),
                                                 box_detection(10, 1, 0.5, {0, 0, 10, 10})});
  EXPECT_NEAR(fp_first.metrics.ap50, 0.5, 1e-12);
  const auto tp_first = evaluate_boxes(dataset, {box_detection(10, 1, 0.5, {0, 0, 10, 10}),
                                                 box_detection(10, 1, 0.5, {100, 50, 10, 10})});
  EXPECT_DOUBLE_EQ(tp_first.metrics.ap50, 1.0);
}

TEST(LvisEvaluator, AreaRangesUseInclusiveBoundsAndIgnoreOutOfRangeTruths) {
  // A 32x32 truth (area 1024 exactly) is small AND medium (both bounds inclusive).
  const auto dataset = DatasetBuilder().category(1, Frequency::rare).image(10, {}, {}, 200, 100)
                           .box(1, 10, 1, {0, 0, 32, 32}).build();
  const auto result = evaluate_boxes(dataset, {box_detection(10, 1, 0.9, {0, 0, 32, 32})});
  EXPECT_DOUBLE_EQ(result.metrics.ap_small, 1.0);
  EXPECT_DOUBLE_EQ(result.metrics.ap_medium, 1.0);
  EXPECT_EQ(result.metrics.ap_large, -1.0);
}

TEST(LvisEvaluator, UnmatchedDetectionsOutsideTheAreaRangeAreIgnored) {
  // A large unmatched detection does not hurt APs; it does hurt AP (all).
  const auto dataset = DatasetBuilder().category(1, Frequency::rare).image(10).box(1, 10, 1, {0, 0, 10, 10}).build();
  const auto result = evaluate_boxes(dataset, {box_detection(10, 1, 0.9, {50, 0, 100, 100}),
                                               box_detection(10, 1, 0.8, {0, 0, 10, 10})});
  EXPECT_DOUBLE_EQ(result.metrics.ap_small, 1.0);
  EXPECT_LT(result.metrics.ap, 0.51);
}

TEST(LvisEvaluator, SegmTakesDetectionAreasFromBoxesWhenTheFirstDetectionHasOne) {
  // The unmatched detection's mask is small (25 px) but its box says 100x100: with boxes present lvis-api
  // takes w*h, so the detection is out of the small range and ignored there.
  const auto dataset = DatasetBuilder().category(1, Frequency::rare).image(10).box(1, 10, 1, {0, 0, 10, 10}).build();
  const std::vector<data::Detection> with_boxes{
      mask_detection(10, 1, 0.9, {150, 50, 5, 5}, 200, 100, true, {100, 0, 100, 100}),
      mask_detection(10, 1, 0.8, {0, 0, 10, 10}, 200, 100, true, {0, 0, 10, 10})};
  const auto quirk = evaluate_results(dataset, with_boxes, IouType::segm);
  EXPECT_TRUE(quirk.areas_from_boxes);
  EXPECT_DOUBLE_EQ(quirk.metrics.ap_small, 1.0);
  // Without boxes the mask area (25) is used: the detection is small and a false positive there.
  const std::vector<data::Detection> masks_only{mask_detection(10, 1, 0.9, {150, 50, 5, 5}),
                                                mask_detection(10, 1, 0.8, {0, 0, 10, 10})};
  const auto plain = evaluate_results(dataset, masks_only, IouType::segm);
  EXPECT_FALSE(plain.areas_from_boxes);
  EXPECT_LT(plain.metrics.ap_small, 0.51);
  // bbox IoU of mask-only results uses the mask's box.
  const auto boxes_of_masks = evaluate_results(dataset, masks_only, IouType::bbox);
  EXPECT_DOUBLE_EQ(boxes_of_masks.metrics.ar, 1.0);
}

TEST(LvisEvaluator, DropsZeroAreaTruthsAndDetections) {
  // lvis-api's get_ann_ids keeps only 0 < area: a truth of area 0 does not exist for the evaluation.
  auto builder = DatasetBuilder().category(1, Frequency::rare).image(10);
  const auto dataset = builder.box(1, 10, 1, {0, 0, 10, 10}).box(2, 10, 1, {50, 50, 10, 10}, 0.0).build();
  const auto result = evaluate_boxes(dataset, {box_detection(10, 1, 0.9, {0, 0, 10, 10}),
                                               box_detection(10, 1, 0.95, {20, 20, 0, 10})});
  EXPECT_DOUBLE_EQ(result.metrics.ap, 1.0);
  EXPECT_EQ(result.categories[0].truth_count, 1u);
  EXPECT_EQ(result.dropped_by_area, 1u);
}

TEST(LvisEvaluator, EmptyResultsGiveMinusOneAndAWarning) {
  const auto dataset = DatasetBuilder().category(1, Frequency::rare).image(10).box(1, 10, 1, {0, 0, 10, 10}).build();
  const auto result = evaluate_boxes(dataset, {});
  for (const auto& [key, value] : result.metrics.named(300)) EXPECT_EQ(value, -1.0) << key;
  ASSERT_EQ(result.warnings.size(), 1u);
}

TEST(LvisEvaluator, RejectsBadDetections) {
  const auto dataset = DatasetBuilder().category(1, Frequency::rare).image(10, {}, {}, 200, 100)
                           .box(1, 10, 1, {0, 0, 10, 10}).build();
  LvisEvaluator evaluator(dataset);
  auto expect_error = [&](data::Detection detection, const std::string& fragment) {
    try {
      evaluator.process_results({detection}, "dets.json");
      FAIL() << "no error for " << fragment;
    } catch (const InputError& error) {
      EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
      EXPECT_NE(std::string(error.what()).find("dets.json"), std::string::npos) << error.what();
    }
  };
  expect_error(box_detection(99, 1, 0.5, {0, 0, 1, 1}), "image_id = 99");
  expect_error(box_detection(10, 7, 0.5, {0, 0, 1, 1}), "category_id = 7");
  expect_error(box_detection(10, 1, std::nan(""), {0, 0, 1, 1}), "score = NaN");
  expect_error(box_detection(10, 1, -0.5, {0, 0, 1, 1}), "score = -0.5");
  expect_error(box_detection(10, 1, 0.5, {0, std::numeric_limits<double>::infinity(), 1, 1}), "bbox");
  expect_error(mask_detection(10, 1, 0.5, {0, 0, 5, 5}, 100, 100), "segmentation.size");
  auto malformed = mask_detection(10, 1, 0.5, {0, 0, 5, 5});
  malformed.segmentation.counts.push_back(3);
  expect_error(malformed, "segmentation.counts");
  data::Detection nothing;
  nothing.image_id = 10;
  nothing.category_id = 1;
  nothing.score = 0.5;
  expect_error(nothing, "needs a bbox or a segmentation");
  EXPECT_EQ(evaluator.store().size(), 0u);
  // process() names the image it was given.
  EXPECT_THROW(evaluator.process(10, {box_detection(11, 1, 0.5, {0, 0, 1, 1})}), InputError);
  EXPECT_THROW(evaluator.process(12, {box_detection(12, 1, 0.5, {0, 0, 1, 1})}), InputError);
}

TEST(LvisEvaluator, MixedBoxPresenceIsAnErrorLikeLvisApi) {
  const auto dataset = DatasetBuilder().category(1, Frequency::rare).image(10).box(1, 10, 1, {0, 0, 10, 10}).build();
  LvisEvaluator evaluator(dataset);
  evaluator.process_results({box_detection(10, 1, 0.9, {0, 0, 10, 10}), mask_detection(10, 1, 0.8, {0, 0, 5, 5})});
  EXPECT_THROW(evaluator.evaluate(IouType::segm), InputError);
}

TEST(LvisEvaluator, IncrementalProcessingEqualsOneResultsList) {
  auto builder = DatasetBuilder().category(1, Frequency::rare).category(2, Frequency::frequent);
  builder.image(10, {2}).image(11).image(12);
  builder.box(1, 10, 1, {0, 0, 10, 10}).box(2, 11, 2, {0, 0, 40, 40}).box(3, 12, 2, {10, 10, 50, 20});
  builder.box(4, 12, 1, {60, 10, 30, 30});
  const auto dataset = builder.build();
  const std::vector<data::Detection> all{
      box_detection(10, 1, 0.7, {1, 0, 10, 10}),   box_detection(11, 2, 0.6, {0, 0, 38, 40}),
      box_detection(12, 2, 0.9, {10, 12, 50, 20}), box_detection(10, 2, 0.8, {0, 0, 10, 10}),
      box_detection(12, 1, 0.3, {62, 10, 30, 28}), box_detection(12, 1, 0.95, {0, 60, 5, 5})};
  const auto once = evaluate_boxes(dataset, all);

  LvisEvaluator evaluator(dataset);
  evaluator.process(99 - 87, {all[2], all[4], all[5]});
  evaluator.process(11, {all[1]});
  evaluator.process(10, {all[0], all[3]});
  const auto incremental = evaluator.evaluate(IouType::bbox);
  const auto a = once.metrics.named(300), b = incremental.metrics.named(300);
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_DOUBLE_EQ(a[i].second, b[i].second) << a[i].first;
  EXPECT_GT(once.metrics.ap, 0.0);

  evaluator.reset();
  EXPECT_EQ(evaluator.store().size(), 0u);
  EXPECT_EQ(evaluator.evaluate(IouType::bbox).metrics.ap, -1.0);
}

TEST(LvisEvaluator, CurvesAndPerCategoryResults) {
  auto builder = DatasetBuilder().category(5, Frequency::frequent).category(3, Frequency::rare);
  builder.image(10).box(1, 10, 5, {0, 0, 10, 10}).box(2, 10, 5, {50, 50, 10, 10});
  const auto dataset = builder.build();
  // One of two truths found, first: precision 1 up to recall 0.5, 0 beyond.
  const auto result = evaluate_boxes(dataset, {box_detection(10, 5, 0.9, {0, 0, 10, 10})});
  ASSERT_EQ(result.categories.size(), 2u);
  EXPECT_EQ(result.categories[0].category_id, 3);  // sorted by id
  EXPECT_EQ(result.categories[0].ap, -1.0);
  EXPECT_TRUE(result.category_curve(0).empty());
  const auto position = result.category_position(5);
  ASSERT_TRUE(position.has_value());
  const auto curve = result.category_curve(*position, 0);
  ASSERT_EQ(curve.precision.size(), 101u);
  EXPECT_DOUBLE_EQ(curve.precision[50], 1.0);
  EXPECT_DOUBLE_EQ(curve.precision[51], 0.0);
  EXPECT_NEAR(result.categories[*position].ap, 51.0 / 101.0, 1e-12);
  EXPECT_NEAR(result.metrics.ap_frequent, 51.0 / 101.0, 1e-12);
  const auto group = result.frequency_curve(Frequency::frequent);
  EXPECT_EQ(group.precision, result.category_curve(*position).precision);
  EXPECT_TRUE(result.frequency_curve(Frequency::rare).empty());
}

TEST(LvisEvaluator, IdenticalTruthsAreMatchedOnceEach) {
  // Two truths with the same IoU to both detections: each truth takes one detection, none is matched twice.
  auto builder = DatasetBuilder().category(1, Frequency::rare).image(10);
  builder.box(1, 10, 1, {0, 0, 10, 10}).box(2, 10, 1, {0, 0, 10, 10});
  const auto dataset = builder.build();
  const auto result = evaluate_boxes(dataset, {box_detection(10, 1, 0.9, {0, 0, 10, 10}),
                                               box_detection(10, 1, 0.8, {0, 0, 10, 10})});
  EXPECT_DOUBLE_EQ(result.metrics.ap, 1.0);
}

}  // namespace
}  // namespace counterscope::evaluation
