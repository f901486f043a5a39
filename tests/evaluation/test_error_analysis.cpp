// TIDE-style error analysis on one hand-built image where every error type occurs once or twice and the
// oracle's AP gains follow by hand.

#include "core/evaluation/error_analysis.h"

#include <map>

#include <gtest/gtest.h>

#include "core/evaluation/lvis_evaluator.h"
#include "core/util/error.h"
#include "tests/evaluation/evaluation_test_data.h"

namespace counterscope::evaluation {
namespace {

using data::BoxXywh;
using data::Frequency;
using testing::box_detection;
using testing::DatasetBuilder;

constexpr std::int64_t A = 1, B = 2, C = 3, D = 4, E = 5;

data::Dataset make_dataset() {
  auto builder = DatasetBuilder()
                     .category(A, Frequency::frequent)
                     .category(B, Frequency::common)
                     .category(C, Frequency::rare)
                     .category(D, Frequency::rare)
                     .category(E, Frequency::common);
  builder.image(10, /*negative=*/{E});
  builder.box(101, 10, A, {0, 0, 10, 10})
      .box(102, 10, B, {20, 0, 10, 10})
      .box(103, 10, C, {0, 30, 10, 10})
      .box(104, 10, D, {40, 30, 10, 10});
  return builder.build();
}

std::vector<data::Detection> make_detections() {
  return {
      box_detection(10, A, 0.90, {0, 0, 10, 10}),    // TP on A1
      box_detection(10, A, 0.80, {0, 0, 10, 10}),    // duplicate of A1
      box_detection(10, A, 0.70, {0, 0, 10, 4}),     // localisation on A1 (IoU .4), already matched
      box_detection(10, B, 0.60, {0, 0, 10, 10}),    // classification: on A1 (matched)
      box_detection(10, A, 0.50, {150, 50, 10, 10}), // background
      box_detection(10, B, 0.40, {0, 0, 10, 4}),     // both: IoU .4 with A1, of another category
      box_detection(10, C, 0.30, {0, 30, 10, 3}),    // localisation on C1 (IoU .3), unmatched: fixable
      box_detection(10, E, 0.35, {40, 30, 10, 10}),  // classification on D1 (E is a negative category)
  };
}

class ErrorAnalysisTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dataset = make_dataset();
    m_evaluator = std::make_unique<LvisEvaluator>(m_dataset);
    m_evaluator->process_results(make_detections());
  }
  ErrorAnalysis analyse(IouType type = IouType::bbox) {
    return analyse_errors(m_evaluator->prepare(), type, ErrorAnalysisOptions{});
  }

  data::Dataset m_dataset;
  std::unique_ptr<LvisEvaluator> m_evaluator;
};

TEST_F(ErrorAnalysisTest, LabelsEveryDetection) {
  const auto analysis = analyse();
  std::map<double, DetectionOutcome> by_score;
  for (const auto& outcome : analysis.detections) by_score[outcome.score] = outcome;
  ASSERT_EQ(by_score.size(), 8u);
  EXPECT_EQ(by_score[0.90].label, DetectionLabel::true_positive);
  EXPECT_EQ(by_score[0.80].label, DetectionLabel::duplicate);
  EXPECT_EQ(by_score[0.70].label, DetectionLabel::localisation);
  EXPECT_EQ(by_score[0.60].label, DetectionLabel::classification);
  EXPECT_EQ(by_score[0.50].label, DetectionLabel::background);
  EXPECT_EQ(by_score[0.40].label, DetectionLabel::both);
  EXPECT_EQ(by_score[0.30].label, DetectionLabel::localisation);
  EXPECT_EQ(by_score[0.35].label, DetectionLabel::classification);
  // The ground truth each refers to, and its IoU.
  auto annotation_id = [&](const DetectionOutcome& o) { return m_dataset.annotations[o.truth].id; };
  EXPECT_EQ(annotation_id(by_score[0.90]), 101);
  EXPECT_EQ(annotation_id(by_score[0.60]), 101);
  EXPECT_EQ(annotation_id(by_score[0.35]), 104);
  EXPECT_NEAR(by_score[0.70].iou, 0.4, 1e-12);
  EXPECT_NEAR(by_score[0.30].iou, 0.3, 1e-12);
  EXPECT_EQ(by_score[0.50].truth, -1);
  EXPECT_EQ(by_score[0.90].detection, 0u);
}

TEST_F(ErrorAnalysisTest, LabelsEveryGroundTruth) {
  const auto analysis = analyse();
  std::map<std::int64_t, TruthOutcome> by_id;
  for (const auto& outcome : analysis.truths) by_id[outcome.annotation_id] = outcome;
  ASSERT_EQ(by_id.size(), 4u);
  EXPECT_EQ(by_id[101].label, TruthLabel::matched);
  EXPECT_EQ(by_id[101].detection, 0);
  EXPECT_EQ(by_id[102].label, TruthLabel::missed);
  EXPECT_EQ(by_id[103].label, TruthLabel::mistaken);  // a localisation error points at it
  EXPECT_EQ(by_id[104].label, TruthLabel::mistaken);  // a classification error points at it
}

TEST_F(ErrorAnalysisTest, CountsAndOracleGains) {
  const auto analysis = analyse();
  const auto& overall = analysis.overall;
  auto count = [&](ErrorType type) { return overall.count[static_cast<std::size_t>(type)]; };
  auto dap = [](const ErrorSummary& s, ErrorType type) { return s.dap[static_cast<std::size_t>(type)]; };
  EXPECT_EQ(overall.true_positives, 1u);
  EXPECT_EQ(count(ErrorType::classification), 2u);
  EXPECT_EQ(count(ErrorType::localisation), 2u);
  EXPECT_EQ(count(ErrorType::both), 1u);
  EXPECT_EQ(count(ErrorType::duplicate), 1u);
  EXPECT_EQ(count(ErrorType::background), 1u);
  EXPECT_EQ(count(ErrorType::missed), 1u);

  // Categories with ground truth: A (AP 1), B, C, D (AP 0); E has none.
  EXPECT_EQ(overall.category_count, 4u);
  EXPECT_DOUBLE_EQ(overall.ap, 0.25);
  // Fixing Cls: E's detection becomes D's true positive (B's is suppressed: A1 is taken) → D = 1.
  EXPECT_DOUBLE_EQ(dap(overall, ErrorType::classification), 0.25);
  // Fixing Loc: C's detection becomes C's true positive → C = 1 (A's second one is suppressed).
  EXPECT_DOUBLE_EQ(dap(overall, ErrorType::localisation), 0.25);
  EXPECT_DOUBLE_EQ(dap(overall, ErrorType::both), 0.0);
  EXPECT_DOUBLE_EQ(dap(overall, ErrorType::duplicate), 0.0);
  EXPECT_DOUBLE_EQ(dap(overall, ErrorType::background), 0.0);
  // Fixing Miss removes B1: B has no ground truth left, AP over A, C, D = 1/3.
  EXPECT_NEAR(dap(overall, ErrorType::missed), 1.0 / 3.0 - 0.25, 1e-12);

  const auto& rare = analysis.by_frequency[0];
  const auto& common = analysis.by_frequency[1];
  const auto& frequent = analysis.by_frequency[2];
  EXPECT_DOUBLE_EQ(rare.ap, 0.0);
  EXPECT_DOUBLE_EQ(dap(rare, ErrorType::classification), 0.5);
  EXPECT_DOUBLE_EQ(dap(rare, ErrorType::localisation), 0.5);
  EXPECT_DOUBLE_EQ(frequent.ap, 1.0);
  EXPECT_DOUBLE_EQ(dap(frequent, ErrorType::duplicate), 0.0);
  EXPECT_EQ(frequent.count[static_cast<std::size_t>(ErrorType::duplicate)], 1u);
  EXPECT_DOUBLE_EQ(common.ap, 0.0);
  EXPECT_EQ(common.count[static_cast<std::size_t>(ErrorType::missed)], 1u);
}

TEST_F(ErrorAnalysisTest, BaseApEqualsLvisAp50) {
  for (const auto type : {IouType::bbox, IouType::segm}) {
    const auto analysis = analyse(type);
    const auto result = m_evaluator->evaluate(type);
    EXPECT_NEAR(analysis.overall.ap, result.metrics.ap50, 1e-12) << iou_type_name(type);
  }
}

TEST_F(ErrorAnalysisTest, NotExhaustiveCategoriesAreIgnoredNotErrors) {
  auto builder = DatasetBuilder().category(A, Frequency::frequent);
  builder.image(10, {}, /*not_exhaustive=*/{A}).box(101, 10, A, {0, 0, 10, 10});
  const auto dataset = builder.build();
  LvisEvaluator evaluator(dataset);
  evaluator.process_results({box_detection(10, A, 0.9, {100, 50, 10, 10}), box_detection(10, A, 0.8, {0, 0, 10, 10})});
  const auto analysis = analyse_errors(evaluator.prepare(), IouType::bbox);
  ASSERT_EQ(analysis.detections.size(), 2u);
  EXPECT_EQ(analysis.detections[0].label, DetectionLabel::ignored);
  EXPECT_EQ(analysis.detections[1].label, DetectionLabel::true_positive);
  EXPECT_DOUBLE_EQ(analysis.overall.ap, 1.0);
  EXPECT_EQ(analysis.overall.count[static_cast<std::size_t>(ErrorType::background)], 0u);
}

TEST_F(ErrorAnalysisTest, RejectsBadThresholds) {
  ErrorAnalysisOptions options;
  options.background_iou = 0.6;
  EXPECT_THROW(analyse_errors(m_evaluator->prepare(), IouType::bbox, options), InputError);
  options.background_iou = 0.0;
  EXPECT_THROW(analyse_errors(m_evaluator->prepare(), IouType::bbox, options), InputError);
}

TEST(ErrorAnalysisNames, AreTidesShortNames) {
  EXPECT_STREQ(error_type_name(ErrorType::classification), "Cls");
  EXPECT_STREQ(error_type_name(ErrorType::missed), "Miss");
  EXPECT_STREQ(detection_label_name(DetectionLabel::duplicate), "Dupe");
  EXPECT_STREQ(truth_label_name(TruthLabel::mistaken), "mistaken");
}

}  // namespace
}  // namespace counterscope::evaluation
