// The detector-training job end to end on a tiny synthetic world: outputs, evaluation, repeat-factor
// sampling, and exact resumption (losses after a resume equal those of an uninterrupted run).

#include <atomic>
#include <filesystem>
#include <cmath>
#include <fstream>
#include <map>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/data/lvis/lvis_loader.h"
#include "core/engine/detection_data.h"
#include "core/engine/detector_training.h"
#include "core/modeling/model_config.h"
#include "core/util/error.h"
#include "tests/support/tiny_synthetic_world.h"
#include "tests/test_paths.h"

namespace counterscope::engine {
namespace {

namespace fs = std::filesystem;

const fs::path kRoot = fs::path(COUNTERSCOPE_TEST_TMP_DIR) / "test_detector_training";

/// A small world (64×64 images) and a tiny model config for it, made once per test binary.
class DetectorTrainingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fs::remove_all(kRoot);
    counterscope::testing::write_tiny_world(kRoot / "world");
    counterscope::testing::write_tiny_64px_model_config(kRoot / "model.json");
  }

  static DetectorTrainingOptions options(const std::string& out, std::int64_t iterations) {
    DetectorTrainingOptions options;
    options.model = (kRoot / "model.json").string();
    options.train_annotations = (kRoot / "world" / "annotations" / "train.json").string();
    options.image_root = (kRoot / "world" / "images").string();
    options.iterations = iterations;
    options.batch_size = 2;
    options.solver.base_lr = 0.01;
    options.output_dir = (kRoot / out).string();
    options.checkpoint_period = 1;
    options.log_period = 1;
    options.seed = 3;
    return options;
  }

  static std::vector<double> logged_losses(const std::string& out) {
    std::vector<double> losses;
    std::ifstream in((kRoot / out / "metrics.jsonl").string());
    for (std::string line; std::getline(in, line);) {
      const auto record = nlohmann::json::parse(line);
      if (record.contains("loss")) losses.push_back(record["loss"].get<double>());
    }
    return losses;
  }
};

TEST_F(DetectorTrainingTest, WritesWeightsConfigMetricsAndEvaluation) {
  auto opts = options("full", 2);
  opts.val_annotations = (kRoot / "world" / "annotations" / "val.json").string();
  opts.max_eval_images = 4;
  opts.loss.name = "seesaw";
  opts.repeat_factor_threshold = 0.001;
  const auto result = train_detector(opts);
  EXPECT_TRUE(result.completed);
  EXPECT_EQ(result.iterations_done, 2);
  EXPECT_TRUE(fs::exists(kRoot / "full" / "model.safetensors"));
  EXPECT_TRUE(fs::exists(kRoot / "full" / "model.json"));
  EXPECT_TRUE(fs::exists(kRoot / "full" / "eval.json"));
  ASSERT_TRUE(result.evaluation.contains("segm"));
  EXPECT_TRUE(result.evaluation["bbox"].contains("APr"));
  EXPECT_EQ(logged_losses("full").size(), 2u);
}

TEST_F(DetectorTrainingTest, AutomaticRepeatFactorThresholdAndEpochSize) {
  const data::Dataset train = data::load_dataset((kRoot / "world" / "annotations" / "train.json").string());
  auto opts = options("unused", 1);
  opts.repeat_factor_auto = true;
  std::vector<double> factors;
  const RepeatFactorSummary summary = summarize_repeat_factors(train, opts, &factors);
  // The tiny world has fewer than 100 training images, so t = min(1, 100 / images) = 1.
  ASSERT_LT(train.images.size(), 100u);
  EXPECT_DOUBLE_EQ(summary.threshold, 1.0);
  // Independently: f(c) = images holding c / images, r(I) = max(1, max over I's categories of sqrt(1 / f(c))).
  std::map<std::int64_t, std::set<std::int64_t>> images_of;
  for (const auto& annotation : train.annotations) images_of[annotation.category_id].insert(annotation.image_id);
  const double n = static_cast<double>(train.images.size());
  std::int64_t repeated = 0;
  for (const auto& [category, images] : images_of) repeated += images.size() < train.images.size() ? 1 : 0;
  EXPECT_EQ(summary.repeated_categories, repeated);
  double expected_epoch = 0;
  std::int64_t usable = 0;
  for (const auto& image : train.images) {
    double factor = 1;
    bool has_usable = false;
    for (const auto& annotation : train.annotations) {
      if (annotation.image_id != image.id) continue;
      factor = std::max(factor, std::sqrt(n / static_cast<double>(images_of[annotation.category_id].size())));
      has_usable = has_usable || (!annotation.iscrowd && annotation.bbox.w >= 1 && annotation.bbox.h >= 1);
    }
    if (!has_usable) continue;
    ++usable;
    expected_epoch += factor;
  }
  EXPECT_EQ(summary.usable_images, usable);
  EXPECT_NEAR(summary.epoch_images, expected_epoch, 1e-9 * expected_epoch);
  EXPECT_GT(summary.epoch_images, static_cast<double>(usable));
  EXPECT_EQ(factors.size(), train.images.size());

  // An explicit threshold is used as given; one outside (0, 1] is refused.
  opts.repeat_factor_auto = false;
  opts.repeat_factor_threshold = 0.25;
  EXPECT_DOUBLE_EQ(summarize_repeat_factors(train, opts).threshold, 0.25);
  opts.repeat_factor_threshold = 1.5;
  EXPECT_THROW(summarize_repeat_factors(train, opts), InputError);
}

TEST_F(DetectorTrainingTest, RepeatFactorSamplingWithoutAnnotationsIsRefused) {
  data::Dataset empty = data::load_dataset((kRoot / "world" / "annotations" / "train.json").string());
  empty.annotations.clear();
  empty.build_indexes();
  auto opts = options("unused", 1);
  opts.repeat_factor_auto = true;
  try {
    summarize_repeat_factors(empty, opts);
    FAIL() << "expected an InputError";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("repeat-factor sampling needs annotated images"), std::string::npos)
        << error.what();
  }
}

TEST_F(DetectorTrainingTest, InitialWeightsWithExcludedLayersLeaveThemInitialised) {
  const auto base = train_detector(options("init-base", 1));
  ASSERT_TRUE(base.completed);
  auto opts = options("init-excluded", 1);
  opts.init_weights = base.weights_path;
  opts.init_exclude = {"roi_heads.box_predictor.cls_score."};
  const auto excluded = train_detector(opts);
  ASSERT_TRUE(excluded.completed);
  ASSERT_EQ(excluded.warnings.size(), 1u);
  const std::string& warning = excluded.warnings.front();
  EXPECT_NE(warning.find("roi_heads.box_predictor.cls_score.weight"), std::string::npos) << warning;
  EXPECT_NE(warning.find("roi_heads.box_predictor.cls_score.bias"), std::string::npos) << warning;
  EXPECT_EQ(warning.find("bbox_pred"), std::string::npos) << warning;
  EXPECT_EQ(warning.find("backbone"), std::string::npos) << warning;

  // A prefix that matches no tensor is a typo, not a request: refused, naming it.
  opts.output_dir = (kRoot / "init-typo").string();
  opts.init_exclude = {"roi_heads.box_predictor.cls_scores."};
  try {
    train_detector(opts);
    FAIL() << "expected an InputError";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("cls_scores."), std::string::npos) << error.what();
  }
}

TEST_F(DetectorTrainingTest, ResumedRunEqualsUninterruptedRun) {
  const auto uninterrupted = train_detector(options("straight", 4));
  ASSERT_TRUE(uninterrupted.completed);

  std::atomic<bool> cancel{false};
  int steps = 0;
  JobContext context{[&](const Progress& progress) {
                       if (progress.stage == "train" && progress.done == 2 && ++steps) cancel = true;
                     },
                     &cancel};
  const auto first = train_detector(options("interrupted", 4), context);
  EXPECT_FALSE(first.completed);
  EXPECT_EQ(first.iterations_done, 2);
  auto resumed_options = options("interrupted", 4);
  resumed_options.resume = true;
  const auto resumed = train_detector(resumed_options);
  ASSERT_TRUE(resumed.completed);

  const auto expected = logged_losses("straight");
  const auto actual = logged_losses("interrupted");
  ASSERT_EQ(expected.size(), 4u);
  ASSERT_EQ(actual.size(), 4u);
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(actual[i], expected[i]) << "iteration " << i + 1;
}

TEST_F(DetectorTrainingTest, BatchesArePureFunctionsOfTheIteration) {
  const data::Dataset train = data::load_dataset((kRoot / "world" / "annotations" / "train.json").string());
  DetectionDataOptions data_options;
  data_options.batch_size = 3;
  data_options.seed = 9;
  DetectionDataSource source(train, (kRoot / "world" / "images").string(), data_options);
  const DetectionBatch later = source.batch(7);
  DetectionDataSource fresh(train, (kRoot / "world" / "images").string(), data_options);
  const DetectionBatch same = fresh.batch(7);
  ASSERT_EQ(later.image_ids, same.image_ids);
  for (std::size_t i = 0; i < later.images.size(); ++i) {
    EXPECT_TRUE(torch::equal(later.images[i], same.images[i]));
    EXPECT_TRUE(torch::equal(later.targets[i].boxes, same.targets[i].boxes));
    EXPECT_EQ(later.targets[i].masks.size(0), later.targets[i].labels.size(0));
    EXPECT_GT(later.targets[i].labels.size(0), 0);
  }
}

TEST_F(DetectorTrainingTest, ClippedGradientsAreLoggedAndBounded) {
  auto opts = options("clipped", 2);
  opts.solver.clip_grad_norm = 1e-3;
  ASSERT_TRUE(train_detector(opts).completed);
  std::ifstream in((kRoot / "clipped" / "metrics.jsonl").string());
  int logged = 0;
  for (std::string line; std::getline(in, line);) {
    const auto record = nlohmann::json::parse(line);
    if (!record.contains("grad_norm")) continue;
    ++logged;
    EXPECT_GT(record["grad_norm"].get<double>(), 1e-3);  // the norm before clipping: clipping did act
  }
  EXPECT_EQ(logged, 2);
}

TEST_F(DetectorTrainingTest, InitialWeightsLoadAndMismatchesAreListed) {
  auto first = options("init-source", 1);
  ASSERT_TRUE(train_detector(first).completed);
  auto second = options("init-target", 1);
  second.half_precision_weights = true;  // written as float16, read back into float32 below
  second.init_weights = (kRoot / "init-source" / "model.safetensors").string();
  const auto same = train_detector(second);
  ASSERT_TRUE(same.completed);
  EXPECT_TRUE(same.warnings.empty()) << same.warnings.front();

  // The same weights into a model of another class count: the predictors do not fit and are named.
  modeling::ModelConfig other = modeling::load_model_config((kRoot / "model.json").string());
  other.backbone.fpn_channels = 32;
  std::ofstream((kRoot / "narrow.json").string()) << other.to_json().dump(2);
  auto narrow = options("init-narrow", 1);
  narrow.model = (kRoot / "narrow.json").string();
  narrow.init_weights = (kRoot / "init-target" / "model.safetensors").string();
  const auto partial = train_detector(narrow);
  ASSERT_TRUE(partial.completed);
  ASSERT_EQ(partial.warnings.size(), 1u);
  EXPECT_NE(partial.warnings[0].find("backbone.fpn"), std::string::npos) << partial.warnings[0];

  auto foreign = options("init-foreign", 1);
  foreign.init_weights = (kRoot / "model.json").string();
  EXPECT_THROW(train_detector(foreign), InputError);
}

TEST_F(DetectorTrainingTest, BadInputIsReportedClearly) {
  auto opts = options("bad", 1);
  opts.loss.name = "nope";
  EXPECT_THROW(train_detector(opts), InputError);
  opts = options("bad", 1);
  opts.train_annotations = (kRoot / "missing.json").string();
  EXPECT_THROW(train_detector(opts), InputError);
  opts = options("bad", 1);
  opts.image_root = (kRoot / "no-images").string();
  EXPECT_THROW(train_detector(opts), InputError);
}

}  // namespace
}  // namespace counterscope::engine
