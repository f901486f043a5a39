// Parity with the official lvis-api: every case of shared/refs/lvis/eval (results made by perturbing real
// LVIS v0.5 ground truth, evaluated by lvis.LVISEval) gives the same 13 metrics for bbox and segm, within
// 1e-9 absolute.

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/data/lvis/lvis_loader.h"
#include "core/data/lvis/results_io.h"
#include "core/evaluation/error_analysis.h"
#include "core/evaluation/lvis_evaluator.h"
#include "tests/test_paths.h"

namespace counterscope::evaluation {
namespace {

namespace fs = std::filesystem;

const std::string refs_dir = std::string(COUNTERSCOPE_REFS_DIR) + "/lvis";

const data::Dataset& reference_dataset() {
  static const data::Dataset dataset = data::load_dataset(refs_dir + "/lvis_v0.5_val_100.json");
  return dataset;
}

std::vector<std::string> reference_cases() {
  std::vector<std::string> cases;
  for (const auto& entry : fs::directory_iterator(refs_dir + "/eval")) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("dets_", 0) == 0 && entry.path().extension() == ".json") {
      cases.push_back(name.substr(5, name.size() - 5 - 5));
    }
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

void expect_metrics_equal(const EvaluationResult& result, const nlohmann::json& expected, const std::string& what) {
  const auto named = result.metrics.named(result.max_detections_per_image);
  ASSERT_EQ(named.size(), 13u);
  for (const auto& [key, value] : named) {
    ASSERT_TRUE(expected.contains(key)) << what << ": reference lacks " << key;
    EXPECT_NEAR(value, expected.at(key).get<double>(), 1e-9) << what << " " << key;
  }
}

TEST(LvisParity, EveryReferenceCaseMatchesLvisApi) {
  const auto cases = reference_cases();
  ASSERT_GE(cases.size(), 4u);
  for (const auto& n : cases) {
    const auto expected = read_json(refs_dir + "/eval/expected_" + n + ".json");
    LvisEvaluator evaluator(reference_dataset());
    evaluator.process_results(data::load_results(refs_dir + "/eval/dets_" + n + ".json", &reference_dataset()));
    for (const auto type : {IouType::bbox, IouType::segm}) {
      const auto result = evaluator.evaluate(type);
      EXPECT_TRUE(result.areas_from_boxes);
      expect_metrics_equal(result, expected.at(iou_type_name(type)), "case " + n + " " + iou_type_name(type));
    }
  }
}

TEST(LvisParity, ThreadCountAndImageOrderDoNotChangeResults) {
  // The harsh case (ties, more than 300 detections on some images).
  const auto detections = data::load_results(refs_dir + "/eval/dets_101.json", &reference_dataset());
  EvaluationOptions one_thread;
  one_thread.threads = 1;
  const auto reference = evaluate_results(reference_dataset(), detections, IouType::segm, one_thread);

  // Images fed one by one, in reverse order of first appearance, each image's detections in file order.
  LvisEvaluator evaluator(reference_dataset(), EvaluationOptions{300, 2});
  std::vector<std::int64_t> image_order;
  for (const auto& d : detections) {
    if (std::find(image_order.begin(), image_order.end(), d.image_id) == image_order.end()) {
      image_order.push_back(d.image_id);
    }
  }
  std::reverse(image_order.begin(), image_order.end());
  for (const auto image_id : image_order) {
    std::vector<data::Detection> of_image;
    for (const auto& d : detections) {
      if (d.image_id == image_id) of_image.push_back(d);
    }
    evaluator.process(image_id, std::move(of_image));
  }
  const auto incremental = evaluator.evaluate(IouType::segm);
  const auto a = reference.metrics.named(300), b = incremental.metrics.named(300);
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].second, b[i].second) << a[i].first;
  ASSERT_EQ(reference.categories.size(), incremental.categories.size());
  for (std::size_t k = 0; k < reference.categories.size(); ++k) {
    EXPECT_EQ(reference.categories[k].ap, incremental.categories[k].ap) << reference.categories[k].category_id;
  }
}

TEST(LvisParity, ErrorAnalysisBaseApIsAp50) {
  LvisEvaluator evaluator(reference_dataset());
  evaluator.process_results(data::load_results(refs_dir + "/eval/dets_1.json", &reference_dataset()));
  const auto prepared = evaluator.prepare();
  for (const auto type : {IouType::bbox, IouType::segm}) {
    const auto analysis = analyse_errors(prepared, type);
    const auto result = evaluator.evaluate(type);
    EXPECT_NEAR(analysis.overall.ap, result.metrics.ap50, 1e-12) << iou_type_name(type);
    EXPECT_EQ(analysis.detections.size(), result.evaluated_detection_count);
    std::size_t errors = 0;
    for (const auto count : analysis.overall.count) errors += count;
    EXPECT_GT(errors, 0u);
  }
}

}  // namespace
}  // namespace counterscope::evaluation
