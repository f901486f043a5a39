// The federated confusion matrix on hand-built images whose every cell is worked out by hand, the matching
// it rests on (same category first, then across categories, above the minimum score), and its reports.

#include "core/evaluation/confusion_matrix.h"

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

// Image 10: A1, A2, B1, B2, C1 (C not exhaustive), E verified absent, F unverified.
// Image 20: A3 only.
data::Dataset make_dataset() {
  auto builder = DatasetBuilder()
                     .category(A, Frequency::frequent, "apple")
                     .category(B, Frequency::common, "banana")
                     .category(C, Frequency::rare, "cherry")
                     .category(E, Frequency::common, "elderberry")
                     .category(F, Frequency::rare, "fig");
  builder.image(10, /*negative=*/{E}, /*not_exhaustive=*/{C}).image(20);
  builder.box(101, 10, A, {0, 0, 10, 10})
      .box(102, 10, A, {50, 0, 10, 10})
      .box(103, 10, B, {20, 0, 10, 10})
      .box(104, 10, C, {0, 30, 10, 10})
      .box(105, 10, B, {80, 0, 10, 10})
      .box(106, 20, A, {0, 0, 20, 20});
  return builder.build();
}

std::vector<data::Detection> make_detections() {
  return {
      box_detection(10, A, 0.90, {0, 0, 10, 10}),     // 0: true positive on A1
      box_detection(10, B, 0.80, {50, 0, 10, 10}),    // 1: on A2, no banana there -> banana said for apple
      box_detection(10, A, 0.70, {20, 0, 10, 10}),    // 2: on B1 -> apple said for banana
      box_detection(10, E, 0.60, {0, 30, 10, 10}),    // 3: E verified absent, on C1 -> elderberry for cherry
      box_detection(10, C, 0.50, {100, 50, 10, 10}),  // 4: C not exhaustive, unmatched: ignored
      box_detection(10, F, 0.95, {0, 0, 10, 10}),     // 5: F unverified: not evaluated at all
      box_detection(10, A, 0.10, {150, 50, 10, 10}),  // 6: below the minimum score
      box_detection(10, B, 0.40, {120, 0, 10, 10}),   // 7: banana on background
      box_detection(10, A, 0.30, {0, 0, 10, 10}),     // 8: duplicate of A1: apple on background
      box_detection(20, B, 0.90, {0, 0, 20, 20}),     // 9: B unverified in image 20: not evaluated
  };
}

class ConfusionMatrixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_dataset = make_dataset();
    m_evaluator = std::make_unique<LvisEvaluator>(m_dataset);
    m_evaluator->process_results(make_detections());
  }
  ConfusionMatrix build(double min_score = 0.25, IouType type = IouType::bbox) {
    ConfusionOptions options;
    options.min_score = min_score;
    return build_confusion_matrix(m_evaluator->prepare(), type, options);
  }

  data::Dataset m_dataset;
  std::unique_ptr<LvisEvaluator> m_evaluator;
};

TEST_F(ConfusionMatrixTest, EveryCellByHand) {
  for (const auto type : {IouType::bbox, IouType::segm}) {
    const auto m = build(0.25, type);
    ASSERT_EQ(m.category_count(), 5u);
    const auto a = m.position(A), b = m.position(B), c = m.position(C), e = m.position(E), bg = m.background();
    EXPECT_EQ(a, 0u);
    EXPECT_EQ(bg, 5u);
    EXPECT_EQ(m.position(99), bg);
    EXPECT_EQ(m.count(a, a), 1u) << iou_type_name(type);   // detection 0
    EXPECT_EQ(m.count(b, a), 1u);                          // detection 1 on A2
    EXPECT_EQ(m.count(a, b), 1u);                          // detection 2 on B1
    EXPECT_EQ(m.count(e, c), 1u);                          // detection 3 on C1
    EXPECT_EQ(m.count(b, bg), 1u);                         // detection 7
    EXPECT_EQ(m.count(a, bg), 1u);                         // detection 8
    EXPECT_EQ(m.count(bg, b), 1u);                         // B2: nobody took it
    EXPECT_EQ(m.count(bg, a), 1u);                         // A3: only an unverified banana was on it
    std::uint64_t total = 0;
    for (std::uint32_t p = 0; p <= bg; ++p) {
      for (std::uint32_t t = 0; t <= bg; ++t) total += m.count(p, t);
    }
    EXPECT_EQ(total, 8u);
    EXPECT_EQ(m.instances.size(), 8u);
    EXPECT_EQ(m.ignored_detections, 1u);      // detection 4
    EXPECT_EQ(m.below_score_detections, 1u);  // detection 6
    EXPECT_EQ(m.truth_total(a), 3u);          // A1, A2, A3
    EXPECT_EQ(m.predicted_total(a), 3u);      // detections 0, 2, 8
  }
}

TEST_F(ConfusionMatrixTest, FederatedExclusions) {
  const auto m = build();
  const auto f = m.position(F);
  // The unverified fig and the unverified banana of image 20 appear nowhere, although both sit on objects.
  EXPECT_EQ(m.predicted_total(f), 0u);
  for (const auto& instance : m.instances) {
    EXPECT_NE(instance.detection, 5);
    EXPECT_NE(instance.detection, 9);
    EXPECT_NE(instance.detection, 4);  // the not-exhaustive cherry
  }
  // Without the not-exhaustive flag the unmatched cherry is a false positive.
  auto dataset = make_dataset();
  dataset.images[0].not_exhaustive_category_ids.clear();
  dataset.build_indexes();
  LvisEvaluator evaluator(dataset);
  evaluator.process_results(make_detections());
  ConfusionOptions options;
  const auto strict = build_confusion_matrix(evaluator.prepare(), IouType::bbox, options);
  EXPECT_EQ(strict.count(strict.position(C), strict.background()), 1u);
  EXPECT_EQ(strict.ignored_detections, 0u);
  // With F verified absent in image 10, the fig on A1 counts: A1 is taken by the apple first, so it is a
  // false positive, not a confusion.
  dataset.images[0].neg_category_ids.push_back(F);
  dataset.build_indexes();
  LvisEvaluator with_f(dataset);
  with_f.process_results(make_detections());
  const auto verified = build_confusion_matrix(with_f.prepare(), IouType::bbox, options);
  EXPECT_EQ(verified.count(verified.position(F), verified.background()), 1u);
  EXPECT_EQ(verified.count(verified.position(F), verified.position(A)), 0u);
}

TEST_F(ConfusionMatrixTest, MinimumScore) {
  const auto all = build(0.0);
  EXPECT_EQ(all.count(all.position(A), all.background()), 2u);  // detections 6 and 8
  EXPECT_EQ(all.below_score_detections, 0u);
  const auto strict = build(0.35);
  EXPECT_EQ(strict.count(strict.position(A), strict.background()), 0u);
  EXPECT_EQ(strict.below_score_detections, 2u);
  EXPECT_THROW(build(-1.0), InputError);
}

TEST(ConfusionMatching, LowScoreTruePositiveDoesNotHideAConfusion) {
  auto builder = DatasetBuilder().category(A, Frequency::frequent).category(B, Frequency::common);
  builder.image(1, /*negative=*/{B}).box(1, 1, A, {0, 0, 10, 10});
  const auto dataset = builder.build();
  LvisEvaluator evaluator(dataset);
  evaluator.process_results({box_detection(1, A, 0.2, {0, 0, 10, 10}), box_detection(1, B, 0.9, {0, 0, 10, 10})});
  ConfusionOptions options;
  options.min_score = 0.25;
  const auto m = build_confusion_matrix(evaluator.prepare(), IouType::bbox, options);
  // At score >= 0.25 only the banana is there, and it sits on the apple.
  EXPECT_EQ(m.count(m.position(B), m.position(A)), 1u);
  EXPECT_EQ(m.count(m.background(), m.position(A)), 0u);
  options.min_score = 0;
  const auto all = build_confusion_matrix(evaluator.prepare(), IouType::bbox, options);
  EXPECT_EQ(all.count(all.position(A), all.position(A)), 1u);
  EXPECT_EQ(all.count(all.position(B), all.background()), 1u);
}

TEST(ConfusionMatching, HighestIouAcrossCategories) {
  auto builder = DatasetBuilder()
                     .category(A, Frequency::frequent)
                     .category(B, Frequency::common)
                     .category(C, Frequency::rare);
  builder.image(1).box(1, 1, A, {0, 0, 10, 10}).box(2, 1, B, {2, 0, 10, 10}).box(3, 1, C, {40, 0, 10, 10});
  const auto dataset = builder.build();
  LvisEvaluator evaluator(dataset);
  // The cherry (present, but its own box is elsewhere) overlaps A and B equally.
  evaluator.process_results({box_detection(1, C, 0.9, {1, 0, 10, 10})});
  const auto prepared = evaluator.prepare();
  const auto same = match_same_category(prepared, IouType::bbox, 0.5);
  DetectionMatchingOptions options;
  const auto matching = match_detections(prepared, same, options);
  ASSERT_EQ(matching.kind.size(), 1u);
  EXPECT_EQ(matching.kind[0], MatchKind::other_category);
  // IoU with A: 9*10 / (200 - 90) = 90 / 110; with B: also 90 / 110 -> the tie goes to the first (A).
  EXPECT_NEAR(matching.iou[0], 90.0 / 110.0, 1e-6);
  EXPECT_EQ(dataset.annotations[prepared.ground_truths()[matching.truth_of_detection[0]]].id, 1);
}

TEST_F(ConfusionMatrixTest, EvaluatorRecordsTheSameMatches) {
  const auto prepared = m_evaluator->prepare();
  for (const auto type : {IouType::bbox, IouType::segm}) {
    SameCategoryMatches recorded;
    const auto result = m_evaluator->evaluate(prepared, type, {}, &recorded);
    const auto computed = match_same_category(prepared, type, 0.5);
    EXPECT_EQ(recorded.truth_of_detection, computed.truth_of_detection) << iou_type_name(type);
    EXPECT_EQ(recorded.iou, computed.iou);
    EXPECT_NEAR(result.metrics.ap, m_evaluator->evaluate(type).metrics.ap, 0.0);
  }
}

TEST_F(ConfusionMatrixTest, GroupsTopConfusionsAndRows) {
  const auto m = build();
  const auto grouped = m.grouped();  // rare, common, frequent, unknown, background
  EXPECT_EQ(grouped[2][2], 1u);      // apple -> apple
  EXPECT_EQ(grouped[1][2], 1u);      // banana said for apple
  EXPECT_EQ(grouped[2][1], 1u);      // apple said for banana
  EXPECT_EQ(grouped[1][0], 1u);      // elderberry said for cherry
  EXPECT_EQ(grouped[4][1], 1u);
  EXPECT_EQ(grouped[4][2], 1u);
  EXPECT_EQ(grouped[1][4], 1u);
  EXPECT_EQ(grouped[2][4], 1u);
  const auto top = m.top_confusions(10);
  ASSERT_EQ(top.size(), 3u);  // ties: by truth id, then predicted id
  EXPECT_EQ(m.category_ids[top[0].truth], A);
  EXPECT_EQ(m.category_ids[top[0].predicted], B);
  EXPECT_EQ(m.category_ids[top[1].truth], B);
  EXPECT_EQ(m.category_ids[top[2].truth], C);
  EXPECT_EQ(m.category_ids[top[2].predicted], E);
  EXPECT_EQ(m.top_confusions(1).size(), 1u);

  const auto rows = confusion_category_rows(m);
  const auto& apple = rows[m.position(A)];
  EXPECT_EQ(apple.truths, 3u);
  EXPECT_EQ(apple.true_positives, 1u);
  EXPECT_EQ(apple.taken_by_other, 1u);
  EXPECT_EQ(apple.missed, 1u);
  EXPECT_EQ(apple.detections, 3u);
  EXPECT_EQ(apple.on_other, 1u);
  EXPECT_EQ(apple.false_positives, 1u);
  EXPECT_EQ(apple.most_confused_with, m.position(B));

  const auto instances = m.instances_of(m.position(E), m.position(C));
  ASSERT_EQ(instances.size(), 1u);
  EXPECT_EQ(instances[0]->detection, 3);
  EXPECT_EQ(m_dataset.annotations[instances[0]->annotation].id, 104);
  EXPECT_EQ(instances[0]->image_id, 10);
  EXPECT_FLOAT_EQ(instances[0]->iou, 1.0f);
}

TEST_F(ConfusionMatrixTest, Reports) {
  const auto m = build();
  const auto json = confusion_to_json(m, m_dataset);
  EXPECT_EQ(json["iou_type"], "bbox");
  EXPECT_EQ(json["cells"].size(), 8u);
  EXPECT_EQ(json["top_confusions"][0]["truth"], "apple");
  EXPECT_EQ(json["top_confusions"][0]["predicted"], "banana");
  EXPECT_EQ(json["confusions"].size(), 3u);
  EXPECT_EQ(json["per_category"].size(), 5u);
  const auto csv = confusion_to_csv({&m}, m_dataset);
  EXPECT_NE(csv.find("bbox,2,banana,common,1,apple,frequent,1\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("bbox,,background,,2,banana,common,1\n"), std::string::npos) << csv;
  const auto text = format_confusion_summary(m, m_dataset);
  EXPECT_NE(text.find("apple -> banana  1 time"), std::string::npos) << text;
  EXPECT_NE(text.find("8 instances"), std::string::npos) << text;
}

TEST_F(ConfusionMatrixTest, ReportsKeepOnlyConfusionsButEveryCount) {
  const auto all = build();
  const auto prepared = m_evaluator->prepare();
  ConfusionOptions options;
  DetectionMatchingOptions matching_options;
  matching_options.min_score = options.min_score;
  const auto matching = match_detections(prepared, match_same_category(prepared, IouType::bbox, 0.5), matching_options);
  const auto lean = build_confusion_matrix(prepared, matching, ConfusionDetail::confusions);
  EXPECT_EQ(lean.instances.size(), 3u);  // the three confusions between categories
  EXPECT_EQ(lean.total(), all.total());
  for (std::uint32_t p = 0; p <= all.background(); ++p) {
    for (std::uint32_t t = 0; t <= all.background(); ++t) EXPECT_EQ(lean.count(p, t), all.count(p, t));
  }
  EXPECT_EQ(confusion_to_json(lean, m_dataset)["confusions"], confusion_to_json(all, m_dataset)["confusions"]);
}

TEST(ConfusionMatrixEdges, EmptySplitAndNoDetections) {
  auto empty = DatasetBuilder().category(A, Frequency::frequent).build();
  LvisEvaluator evaluator(empty);
  const auto m = build_confusion_matrix(evaluator.prepare(), IouType::bbox);
  EXPECT_TRUE(m.instances.empty());
  EXPECT_FALSE(m.warnings.empty());
  EXPECT_TRUE(m.top_confusions(5).empty());

  auto builder = DatasetBuilder().category(A, Frequency::frequent);
  builder.image(1).box(1, 1, A, {0, 0, 10, 10});
  const auto dataset = builder.build();
  LvisEvaluator none(dataset);
  const auto missed = build_confusion_matrix(none.prepare(), IouType::segm);
  EXPECT_EQ(missed.count(missed.background(), 0), 1u);
  EXPECT_FALSE(missed.warnings.empty());
}

}  // namespace
}  // namespace counterscope::evaluation
