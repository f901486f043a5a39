// Reliability diagram, ECE and MCE of detection scores on hand-built detections whose bins are worked out by
// hand, with LVIS's federated rules (unverified categories and unmatched not-exhaustive ones take no part).

#include "core/evaluation/calibration.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "core/evaluation/analysis_report.h"
#include "core/evaluation/lvis_evaluator.h"
#include "core/util/error.h"
#include "tests/evaluation/evaluation_test_data.h"

namespace counterscope::evaluation {
namespace {

using data::Frequency;
using testing::box_detection;
using testing::DatasetBuilder;

constexpr std::int64_t A = 1, B = 2, C = 3, E = 5, F = 6;

data::Dataset make_dataset() {
  auto builder = DatasetBuilder()
                     .category(A, Frequency::frequent)
                     .category(B, Frequency::common)
                     .category(C, Frequency::rare)
                     .category(E, Frequency::common)
                     .category(F, Frequency::rare);
  builder.image(10, /*negative=*/{E}, /*not_exhaustive=*/{C});
  builder.box(101, 10, A, {0, 0, 10, 10})
      .box(102, 10, A, {50, 0, 10, 10})
      .box(103, 10, B, {20, 0, 10, 10})
      .box(104, 10, C, {0, 30, 10, 10});
  return builder.build();
}

// Scores and verdicts: 0.9 A TP; 0.8 B, 0.7 A, 0.6 E, 0.4 B, 0.3 A (duplicate), 0.1 A wrong; 0.5 C ignored
// (not exhaustive, unmatched); 0.95 F not evaluated (unverified).
std::vector<data::Detection> make_detections() {
  return {
      box_detection(10, A, 0.90, {0, 0, 10, 10}),   box_detection(10, B, 0.80, {50, 0, 10, 10}),
      box_detection(10, A, 0.70, {20, 0, 10, 10}),  box_detection(10, E, 0.60, {0, 30, 10, 10}),
      box_detection(10, C, 0.50, {100, 50, 10, 10}), box_detection(10, F, 0.95, {0, 0, 10, 10}),
      box_detection(10, A, 0.10, {150, 50, 10, 10}), box_detection(10, B, 0.40, {120, 0, 10, 10}),
      box_detection(10, A, 0.30, {0, 0, 10, 10}),
  };
}

Calibration calibrate_with(int bins, IouType type = IouType::bbox) {
  const auto dataset = make_dataset();
  LvisEvaluator evaluator(dataset);
  evaluator.process_results(make_detections());
  CalibrationOptions options;
  options.bins = bins;
  return calibrate(evaluator.prepare(), type, options);
}

TEST(Calibration, TwoBinsByHand) {
  for (const auto type : {IouType::bbox, IouType::segm}) {
    const auto c = calibrate_with(2, type);
    const auto& all = c.overall;
    ASSERT_EQ(all.bins.size(), 2u);
    // [0, 0.5): 0.1, 0.4, 0.3, none right. [0.5, 1]: 0.9 (right), 0.8, 0.7, 0.6.
    EXPECT_EQ(all.bins[0].count, 3u);
    EXPECT_EQ(all.bins[0].true_positives, 0u);
    EXPECT_NEAR(all.bins[0].mean_score, 0.8 / 3, 1e-12);
    EXPECT_DOUBLE_EQ(all.bins[0].accuracy, 0.0);
    EXPECT_EQ(all.bins[1].count, 4u);
    EXPECT_NEAR(all.bins[1].mean_score, 0.75, 1e-12);
    EXPECT_DOUBLE_EQ(all.bins[1].accuracy, 0.25);
    EXPECT_DOUBLE_EQ(all.bins[1].lower, 0.5);
    // ECE = 3/7 * 0.8/3 + 4/7 * 0.5 = 0.4; MCE = 0.5.
    EXPECT_NEAR(all.ece, 0.4, 1e-12) << iou_type_name(type);
    EXPECT_NEAR(all.mce, 0.5, 1e-12);
    EXPECT_EQ(all.count, 7u);
    EXPECT_EQ(all.true_positives, 1u);
    EXPECT_NEAR(all.mean_score, 3.8 / 7, 1e-12);
    EXPECT_EQ(c.ignored_detections, 1u);
    // Frequent (A): 0.1, 0.3 | 0.9 right, 0.7 -> ECE 2/4 * 0.2 + 2/4 * 0.3 = 0.25, MCE 0.3.
    const auto& frequent = c.by_frequency[2];
    EXPECT_NEAR(frequent.ece, 0.25, 1e-12);
    EXPECT_NEAR(frequent.mce, 0.3, 1e-12);
    // Common (B, E): 0.4 | 0.8, 0.6, none right -> ECE 1/3 * 0.4 + 2/3 * 0.7 = 0.6, MCE 0.7.
    const auto& common = c.by_frequency[1];
    EXPECT_NEAR(common.ece, 0.6, 1e-12);
    EXPECT_NEAR(common.mce, 0.7, 1e-12);
    // Rare: only the ignored cherry and the unverified fig -> nothing.
    EXPECT_EQ(c.by_frequency[0].count, 0u);
    EXPECT_DOUBLE_EQ(c.by_frequency[0].ece, -1.0);
    EXPECT_DOUBLE_EQ(c.by_frequency[0].bins[0].accuracy, -1.0);
  }
}

TEST(Calibration, BinEdgesAndScoresAboveOne) {
  auto builder = DatasetBuilder().category(A, Frequency::frequent);
  builder.image(1).box(1, 1, A, {0, 0, 10, 10}).box(2, 1, A, {50, 0, 10, 10});
  const auto dataset = builder.build();
  LvisEvaluator evaluator(dataset);
  evaluator.process_results({box_detection(1, A, 1.0, {0, 0, 10, 10}), box_detection(1, A, 1.5, {50, 0, 10, 10}),
                             box_detection(1, A, 0.0, {100, 0, 10, 10}), box_detection(1, A, 0.5, {100, 50, 10, 10})});
  CalibrationOptions options;
  options.bins = 10;
  const auto c = calibrate(evaluator.prepare(), IouType::bbox, options);
  EXPECT_EQ(c.overall.bins[9].count, 2u);  // 1.0 and 1.5 (clamped) in the last, closed bin
  EXPECT_EQ(c.overall.bins[0].count, 1u);
  EXPECT_EQ(c.overall.bins[5].count, 1u);  // 0.5 opens bin 5
  EXPECT_EQ(c.overall.bins[9].true_positives, 2u);
  EXPECT_EQ(c.warnings.size(), 1u);
  // Last bin: accuracy 1, mean score 1.25 -> gap 0.25; bins 0 and 5: gaps 0 and 0.5.
  EXPECT_NEAR(c.overall.mce, 0.5, 1e-12);
  EXPECT_NEAR(c.overall.ece, (2 * 0.25 + 0 + 0.5) / 4, 1e-12);
}

TEST(Calibration, BadOptionsAndEmptyInput) {
  const auto dataset = make_dataset();
  LvisEvaluator evaluator(dataset);
  const auto prepared = evaluator.prepare();
  CalibrationOptions options;
  options.bins = 0;
  EXPECT_THROW(calibrate(prepared, IouType::bbox, options), InputError);
  options.bins = 10;
  options.iou_threshold = 1.5;
  EXPECT_THROW(calibrate(prepared, IouType::bbox, options), InputError);
  options.iou_threshold = 0.5;
  const auto c = calibrate(prepared, IouType::bbox, options);
  EXPECT_EQ(c.overall.count, 0u);
  EXPECT_DOUBLE_EQ(c.overall.ece, -1.0);
  EXPECT_FALSE(c.warnings.empty());
  // Matches at another threshold are refused.
  const auto at_75 = match_same_category(prepared, IouType::bbox, 0.75);
  EXPECT_THROW(calibrate(prepared, at_75, options), InputError);
}

TEST(Calibration, Reports) {
  const auto c = calibrate_with(2);
  const auto json = calibration_to_json(c);
  EXPECT_NEAR(json["overall"]["ECE"].get<double>(), 0.4, 1e-12);
  EXPECT_EQ(json["overall"]["bins"].size(), 2u);
  EXPECT_EQ(json["rare"]["detections"], 0);
  const auto csv = calibration_to_csv({&c});
  EXPECT_NE(csv.find("bbox,all,1,0.5,1,4,1,0.75,0.25\n"), std::string::npos) << csv;
  const auto table = format_calibration_table(c);
  EXPECT_NE(table.find("0.4000"), std::string::npos) << table;
}

}  // namespace
}  // namespace counterscope::evaluation
