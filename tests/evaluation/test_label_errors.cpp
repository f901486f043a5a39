// Label-error ranking: each issue on a hand-built image with its score worked out by hand, the federated rules
// for missing annotations, the check against known errors, and an end-to-end run on a tiny synthetic world with
// planted errors where the clean annotations play a perfect model (every planted swap and shift must be found,
// and nothing else flagged).

#include "core/evaluation/label_errors.h"

#include <filesystem>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include "core/data/lvis/lvis_loader.h"
#include "core/data/synthetic/label_noise.h"
#include "core/data/synthetic/world_generator.h"
#include "core/evaluation/label_error_report.h"
#include "core/util/error.h"
#include "tests/evaluation/evaluation_test_data.h"
#include "tests/test_paths.h"

namespace counterscope::evaluation {
namespace {

using data::Frequency;
using testing::box_detection;
using testing::DatasetBuilder;

constexpr std::int64_t A = 1, B = 2, C = 3, D = 4;

DetectionStore store_of(const data::Dataset& dataset, std::vector<data::Detection> detections) {
  DetectionStore store;
  store.add_in_order(dataset, std::move(detections), "test");
  return store;
}

const LabelErrorCandidate* find(const LabelErrorRanking& ranking, LabelIssue issue, std::int64_t annotation_id) {
  for (const auto& c : ranking.candidates) {
    if (c.issue == issue && c.annotation_id == annotation_id) return &c;
  }
  return nullptr;
}

TEST(LabelErrors, EachIssueByHand) {
  auto builder = DatasetBuilder()
                     .category(A, Frequency::frequent)
                     .category(B, Frequency::common)
                     .category(C, Frequency::rare)
                     .category(D, Frequency::rare);
  builder.image(1, /*negative=*/{D});
  builder.box(1, 1, A, {0, 0, 10, 10})     // swapped: the model says B here
      .box(2, 1, B, {40, 0, 10, 10})       // mislocated: the model's B box is 5 px to the right
      .box(3, 1, C, {0, 40, 10, 10})       // fine
      .box(4, 1, C, {100, 40, 10, 10});    // fine
  const auto dataset = builder.build();
  const auto store = store_of(dataset, {
                                           box_detection(1, B, 0.9, {0, 0, 10, 10}),    // on annotation 1
                                           box_detection(1, A, 0.3, {0, 0, 10, 10}),    // weak support for A
                                           box_detection(1, B, 0.8, {45, 0, 10, 10}),   // IoU 50/150 with 2
                                           box_detection(1, C, 0.95, {0, 40, 10, 10}),  // matches 3
                                           box_detection(1, C, 0.7, {150, 80, 10, 10}), // missing C (present)
                                           box_detection(1, D, 0.6, {150, 0, 10, 10}),  // missing D (negative)
                                           box_detection(1, A, 0.5, {151, 0, 10, 10}),  // same object as the D
                                       });
  const auto ranking = rank_label_errors(dataset, store);
  const auto* swap = find(ranking, LabelIssue::swapped, 1);
  ASSERT_NE(swap, nullptr);
  EXPECT_NEAR(swap->score, 0.9 * (1 - 0.3), 1e-12);
  EXPECT_EQ(swap->suggested_category_id, B);
  EXPECT_EQ(swap->detection, 0u);
  const auto* loc = find(ranking, LabelIssue::mislocated, 2);
  ASSERT_NE(loc, nullptr);
  EXPECT_NEAR(loc->score, 0.8, 1e-12);
  EXPECT_NEAR(loc->iou, 50.0 / 150.0, 1e-12);
  EXPECT_EQ(loc->suggested_box.x, 45);
  EXPECT_EQ(find(ranking, LabelIssue::swapped, 3), nullptr);
  EXPECT_EQ(find(ranking, LabelIssue::mislocated, 3), nullptr);
  // Missing: the C (present, exhaustive) and the D (verified absent); the A on the D's object is suppressed.
  std::vector<const LabelErrorCandidate*> missing;
  for (const auto& c : ranking.candidates) {
    if (c.issue == LabelIssue::missing) missing.push_back(&c);
  }
  ASSERT_EQ(missing.size(), 2u);
  EXPECT_EQ(missing[0]->category_id, C);
  EXPECT_DOUBLE_EQ(missing[0]->score, 0.7);
  EXPECT_EQ(missing[0]->annotation_id, -1);
  EXPECT_EQ(missing[1]->category_id, D);
  ASSERT_EQ(ranking.candidates.size(), 4u);
  // Highest score first: mislocated 0.8, missing C 0.7, swapped 0.63, missing D 0.6.
  EXPECT_EQ(ranking.candidates[0].issue, LabelIssue::mislocated);
  EXPECT_EQ(ranking.candidates[2].issue, LabelIssue::swapped);
}

TEST(LabelErrors, MissingOnlyWhereTheCategoryIsVerified) {
  auto builder = DatasetBuilder().category(A, Frequency::frequent).category(B, Frequency::common).category(C, Frequency::rare);
  builder.image(1, /*negative=*/{}, /*not_exhaustive=*/{A});
  builder.box(1, 1, A, {0, 0, 10, 10});
  const auto dataset = builder.build();
  const auto store = store_of(dataset, {box_detection(1, A, 0.9, {100, 0, 10, 10}),   // not exhaustive: allowed
                                        box_detection(1, C, 0.9, {100, 50, 10, 10})}); // unverified: no verdict
  EXPECT_TRUE(rank_label_errors(dataset, store).candidates.empty());
}

TEST(LabelErrors, OptionsAndEmptyInput) {
  auto dataset = DatasetBuilder().category(A, Frequency::frequent).build();
  DetectionStore empty;
  const auto ranking = rank_label_errors(dataset, empty);
  EXPECT_TRUE(ranking.candidates.empty());
  EXPECT_EQ(ranking.warnings.size(), 2u);
  LabelErrorOptions options;
  options.loose_iou = 0.6;
  EXPECT_THROW(rank_label_errors(dataset, empty, options), InputError);
}

TEST(LabelErrors, CheckAgainstKnownErrors) {
  LabelErrorRanking ranking;
  auto candidate = [](LabelIssue issue, std::int64_t image, std::int64_t annotation, data::BoxXywh box) {
    LabelErrorCandidate c;
    c.issue = issue;
    c.image_id = image;
    c.annotation_id = annotation;
    c.box = box;
    return c;
  };
  ranking.candidates = {candidate(LabelIssue::swapped, 1, 7, {}),           // finds the shift of 7 (other issue)
                        candidate(LabelIssue::missing, 1, -1, {0, 0, 10, 10}),  // no known error there
                        candidate(LabelIssue::missing, 2, -1, {1, 0, 10, 10}),  // finds the drop (IoU 0.82)
                        candidate(LabelIssue::mislocated, 1, 7, {})};           // 7 again: already found
  const std::vector<KnownLabelError> known = {{LabelIssue::mislocated, 1, 7, {}},
                                              {LabelIssue::missing, 2, -1, {0, 0, 10, 10}},
                                              {LabelIssue::swapped, 3, 9, {}}};
  const auto check = check_ranking(ranking, known, {1, 2, 3, 4, 5});
  EXPECT_EQ(check.found, 2u);
  EXPECT_EQ(check.ks, (std::vector<std::size_t>{1, 2, 3, 4}));
  EXPECT_EQ(check.precision_at, (std::vector<double>{1.0, 0.5, 2.0 / 3, 0.5}));
  EXPECT_NEAR(check.recall_at[3], 2.0 / 3, 1e-12);
  // Found at ranks 1 and 3: AP = (1/1 + 2/3) / 3 known.
  EXPECT_NEAR(check.average_precision, (1.0 + 2.0 / 3) / 3, 1e-12);
  EXPECT_EQ(check.known_of_candidate, (std::vector<std::int32_t>{0, -1, 1, -1}));
  EXPECT_EQ(check.found_by_issue[static_cast<std::size_t>(LabelIssue::mislocated)], 1u);
  EXPECT_EQ(check.found_with_issue[static_cast<std::size_t>(LabelIssue::mislocated)], 0u);
  EXPECT_EQ(check.found_with_issue[static_cast<std::size_t>(LabelIssue::missing)], 1u);
  const auto text = format_ranking_check(check);
  EXPECT_NE(text.find("average precision 0.5556"), std::string::npos) << text;
}

// The clean world's annotations as the detections of a perfect model on the noisy world.
TEST(LabelErrors, FindsPlantedErrorsOfASyntheticWorld) {
  namespace fs = std::filesystem;
  namespace synthetic = data::synthetic;
  const fs::path root = fs::path(COUNTERSCOPE_TEST_TMP_DIR) / "test_label_errors";
  fs::remove_all(root);
  synthetic::WorldOptions world;
  world.train_images = 40;
  world.val_images = 12;
  world.width = world.height = 64;
  world.val_min_images_per_category = 1;
  synthetic::generate_world(world, (root / "clean").string(), 1);
  synthetic::LabelNoiseOptions noise;
  noise.share = 0.1;
  synthetic::generate_world(world, noise, (root / "noisy").string(), 1);
  const auto clean = data::load_dataset((root / "clean" / "annotations" / "train.json").string());
  const auto noisy = data::load_dataset((root / "noisy" / "annotations" / "train.json").string());
  const auto record = synthetic::load_label_noise(synthetic::label_noise_path((root / "noisy").string()));
  ASSERT_EQ(synthetic::split_of_dataset(record, noisy), synthetic::Split::train);

  std::vector<data::Detection> detections;
  for (const auto& a : clean.annotations) detections.push_back(box_detection(a.image_id, a.category_id, 0.9, a.bbox));
  const auto store = store_of(noisy, detections);
  const auto ranking = rank_label_errors(noisy, store);
  std::vector<KnownLabelError> known;
  for (const auto& e : record.splits[0].errors) {
    KnownLabelError k;
    k.image_id = e.image_id;
    k.box = e.box;
    k.issue = e.kind == synthetic::PlantedKind::drop    ? LabelIssue::missing
              : e.kind == synthetic::PlantedKind::swap ? LabelIssue::swapped
                                                       : LabelIssue::mislocated;
    if (k.issue != LabelIssue::missing) k.annotation_id = e.annotation_id;
    known.push_back(k);
  }
  ASSERT_FALSE(known.empty());
  const auto check = check_ranking(ranking, known);
  // A perfect model flags nothing but planted errors; swaps and shifts are found with their own issue.
  EXPECT_EQ(check.found, check.candidates);
  for (const auto issue : {LabelIssue::swapped, LabelIssue::mislocated}) {
    const auto i = static_cast<std::size_t>(issue);
    EXPECT_EQ(check.found_with_issue[i], check.known_by_issue[i]) << label_issue_name(issue);
  }
  // A dropped instance is found unless it overlaps another instance of its category (occlusion): most are.
  const auto m = static_cast<std::size_t>(LabelIssue::missing);
  EXPECT_GE(2 * check.found_with_issue[m], check.known_by_issue[m]);
  const auto json = label_errors_to_json(ranking, noisy, &check);
  EXPECT_EQ(json["candidates"].size(), ranking.candidates.size());
  EXPECT_EQ(json["check"]["found"], check.found);
  const auto csv = label_errors_to_csv(ranking, noisy, &check);
  EXPECT_EQ(static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n')), ranking.candidates.size() + 1);
}

}  // namespace
}  // namespace counterscope::evaluation
