// Two models on one hand-built split: per-category ΔAP, fixed and broken instances, TIDE transitions, and the
// warnings for results that cover different categories or images.

#include "core/evaluation/model_diff.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "core/evaluation/lvis_evaluator.h"
#include "core/evaluation/model_diff_report.h"
#include "core/util/error.h"
#include "tests/evaluation/evaluation_test_data.h"

namespace counterscope::evaluation {
namespace {

using data::Frequency;
using testing::box_detection;
using testing::DatasetBuilder;

constexpr std::int64_t A = 1, B = 2;

data::Dataset make_dataset() {
  auto builder = DatasetBuilder().category(A, Frequency::frequent, "apple").category(B, Frequency::common, "banana");
  builder.image(1).image(2);
  builder.box(11, 1, A, {0, 0, 10, 10}).box(12, 1, A, {50, 0, 10, 10}).box(13, 1, B, {20, 0, 10, 10});
  builder.box(21, 2, A, {0, 0, 10, 10});
  return builder.build();
}

/// One model's evaluation, kept alive for the diff.
struct EvaluatedRun {
  explicit EvaluatedRun(const data::Dataset& dataset, std::vector<data::Detection> detections, IouType type = IouType::bbox)
      : evaluator(dataset) {
    evaluator.process_results(std::move(detections));
    result = evaluator.evaluate(type);
    errors = analyse_errors(evaluator.prepare(), type);
  }
  ModelRun view() const { return {&result, &errors, &evaluator.store()}; }
  LvisEvaluator evaluator;
  EvaluationResult result;
  ErrorAnalysis errors;
};

class ModelDiffTest : public ::testing::Test {
 protected:
  data::Dataset m_dataset = make_dataset();
  // A: apple 11 (0.9), apple 12 only at 0.1 (below the minimum score), banana 13; nothing in image 2.
  EvaluatedRun m_a{m_dataset,
          {box_detection(1, A, 0.9, {0, 0, 10, 10}), box_detection(1, A, 0.1, {50, 0, 10, 10}),
           box_detection(1, B, 0.8, {20, 0, 10, 10})}};
  // B: apple 11, 12 and 21; no banana.
  EvaluatedRun m_b{m_dataset,
          {box_detection(1, A, 0.9, {0, 0, 10, 10}), box_detection(1, A, 0.8, {50, 0, 10, 10}),
           box_detection(2, A, 0.7, {0, 0, 10, 10})}};
};

TEST_F(ModelDiffTest, FixedBrokenAndDeltaAp) {
  const auto diff = diff_models(m_dataset, m_a.view(), m_b.view());
  EXPECT_EQ(diff.fixed, 2u);   // apples 12 (A's match scored 0.1) and 21
  EXPECT_EQ(diff.broken, 1u);  // banana 13
  ASSERT_EQ(diff.categories.size(), 2u);
  const auto& apple = diff.categories[0];
  EXPECT_EQ(apple.truths, 3u);
  EXPECT_EQ(apple.found_a, 1u);
  EXPECT_EQ(apple.found_b, 3u);
  EXPECT_EQ(apple.fixed, 2u);
  EXPECT_EQ(apple.broken, 0u);
  // A's apples: true positives at recall 1/3 and 2/3 with precision 1 -> 67 of 101 recall points, every IoU.
  EXPECT_NEAR(apple.ap_a, 67.0 / 101.0, 1e-12);
  EXPECT_NEAR(apple.ap_b, 1.0, 1e-12);
  EXPECT_TRUE(apple.defined);
  EXPECT_NEAR(apple.delta_ap, 34.0 / 101.0, 1e-12);
  const auto& banana = diff.categories[1];
  EXPECT_NEAR(banana.delta_ap, -1.0, 1e-12);
  EXPECT_EQ(banana.broken, 1u);
  ASSERT_EQ(diff.changes.size(), 3u);
  EXPECT_EQ(diff.changes[0].annotation_id, 12);
  EXPECT_TRUE(diff.changes[0].fixed);
  EXPECT_DOUBLE_EQ(diff.changes[0].score_a, 0.1);
  EXPECT_EQ(diff.changes[1].annotation_id, 13);
  EXPECT_FALSE(diff.changes[1].fixed);
  EXPECT_EQ(diff.changes[2].annotation_id, 21);
  // Transitions of TIDE's truth labels A -> B: 11 and 12 matched -> matched, 13 matched -> missed, 21 missed ->
  // matched.
  const auto matched = static_cast<std::size_t>(TruthLabel::matched), missed = static_cast<std::size_t>(TruthLabel::missed);
  EXPECT_EQ(diff.transitions[matched][matched], 2u);
  EXPECT_EQ(diff.transitions[matched][missed], 1u);
  EXPECT_EQ(diff.transitions[missed][matched], 1u);
  EXPECT_EQ(diff.errors_a[0].count[static_cast<std::size_t>(ErrorType::missed)], 1u);
  EXPECT_EQ(diff.errors_b[0].count[static_cast<std::size_t>(ErrorType::missed)], 1u);
}

TEST_F(ModelDiffTest, MinimumScoreZeroCountsEveryMatch) {
  ModelDiffOptions options;
  options.min_score = 0;
  const auto diff = diff_models(m_dataset, m_a.view(), m_b.view(), options);
  EXPECT_EQ(diff.fixed, 1u);  // only apple 21
  EXPECT_EQ(diff.broken, 1u);
  options.min_score = -1;
  EXPECT_THROW(diff_models(m_dataset, m_a.view(), m_b.view(), options), InputError);
}

TEST_F(ModelDiffTest, WarnsAboutDifferentCoverage) {
  const auto diff = diff_models(m_dataset, m_a.view(), m_b.view());
  ASSERT_EQ(diff.warnings.size(), 2u);
  EXPECT_NE(diff.warnings[0].find("model B never predicts 1 category (banana)"), std::string::npos) << diff.warnings[0];
  EXPECT_NE(diff.warnings[1].find("1 images have detections of model B only"), std::string::npos) << diff.warnings[1];
}

TEST_F(ModelDiffTest, RefusesMixedIouTypes) {
  EvaluatedRun segm(m_dataset, {box_detection(1, A, 0.9, {0, 0, 10, 10})}, IouType::segm);
  EXPECT_THROW(diff_models(m_dataset, m_a.view(), segm.view()), InputError);
}

TEST_F(ModelDiffTest, EmptyModelAndSplit) {
  EvaluatedRun empty(m_dataset, {});
  const auto diff = diff_models(m_dataset, m_a.view(), empty.view());
  EXPECT_EQ(diff.fixed, 0u);
  EXPECT_EQ(diff.broken, 2u);  // 11 and 13
  // Without any detection lvis-api's metrics are all undefined: no ΔAP.
  EXPECT_DOUBLE_EQ(diff.categories[0].ap_b, -1.0);
  EXPECT_FALSE(diff.categories[0].defined);
  bool warned = false;
  for (const auto& w : diff.warnings) warned = warned || w == "model B has no detections";
  EXPECT_TRUE(warned);

  const auto nothing = DatasetBuilder().category(A, Frequency::frequent).build();
  EvaluatedRun a(nothing, {}), b(nothing, {});
  const auto none = diff_models(nothing, a.view(), b.view());
  EXPECT_TRUE(none.changes.empty());
  EXPECT_FALSE(none.categories[0].defined);
}

TEST_F(ModelDiffTest, Reports) {
  const auto diff = diff_models(m_dataset, m_a.view(), m_b.view());
  const auto json = model_diff_to_json(diff, "r50", "seesaw");
  EXPECT_EQ(json["model_b"], "seesaw");
  EXPECT_EQ(json["fixed"], 2);
  EXPECT_NEAR(json["categories"][1]["dAP"].get<double>(), -1.0, 1e-12);
  EXPECT_EQ(json["truth_transitions"]["matched"]["missed"], 1);
  EXPECT_EQ(json["changes"].size(), 3u);
  EXPECT_TRUE(json["metrics"].contains("AR"));
  const auto csv = model_diff_to_csv({&diff});
  // AP_A of banana is 1 up to the rounding of the mean over 1,010 precision values.
  EXPECT_NE(csv.find("bbox,2,banana,common,1,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",0,1,0,0,1\n"), std::string::npos) << csv;
  const auto text = format_model_diff(diff, "r50", "seesaw");
  EXPECT_NE(text.find("Lost most:\n   banana"), std::string::npos) << text;
  EXPECT_NE(text.find("2 fixed, 1 broken"), std::string::npos) << text;
}

}  // namespace
}  // namespace counterscope::evaluation
