// Model-free parts of the counterfactual stage: loss terms against hand computations, explanation measures
// on hand-built maps, options parsing, and target-name resolution.

#include <cmath>
#include <cstring>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/counterfactual/counterfactual_losses.h"
#include "core/counterfactual/counterfactual_options.h"
#include "core/counterfactual/explain_request.h"
#include "core/counterfactual/explanation_measures.h"
#include "core/modeling/model_config.h"
#include "core/util/error.h"
#include "tests/counterfactual/cf_test_support.h"

namespace counterscope::counterfactual {
namespace {

TEST(CounterfactualLosses, MapTermsMatchHandComputation) {
  // M = [[1, -2], [0, 3]] in one channel and a second map of 2 zeros: L1 = mean(|1|,|-2|,0,|3|) = 1.5.
  const auto a = torch::tensor({1.f, -2.f, 0.f, 3.f}).view({1, 2, 2});
  const auto b = torch::zeros({1, 1, 2});
  EXPECT_NEAR(map_l1_loss({a}).item<double>(), 1.5, 1e-6);
  // rms = sqrt((1 + 4 + 0 + 9) / 4) = sqrt(3.5); mean with the all-zero map (rms ~ 1e-6).
  EXPECT_NEAR(map_l2_loss({a}).item<double>(), std::sqrt(3.5), 1e-5);
  EXPECT_NEAR(map_l2_loss({a, b}).item<double>(), std::sqrt(3.5) / 2, 1e-5);
  // The gradient of rms at M = 0 stays finite.
  auto zero = torch::zeros({1, 2, 2}, torch::requires_grad());
  map_l2_loss({zero}).backward();
  EXPECT_TRUE(torch::isfinite(zero.grad()).all().item<bool>());
}

TEST(CounterfactualLosses, CycleAndTotalVariation) {
  const auto x = torch::tensor({0.f, 0.5f, 1.f, 0.25f}).view({1, 2, 2});
  const auto reconstructed = torch::tensor({0.5f, 0.5f, 0.f, 0.25f}).view({1, 2, 2});
  EXPECT_NEAR(cycle_loss({reconstructed}, {x}).item<double>(), (0.5 + 0 + 1 + 0) / 4, 1e-6);
  // TV of [[0, .5], [1, .25]]: |dx| = .5 + .75, |dy| = 1 + .25 -> 2.5 (summed, not averaged).
  EXPECT_NEAR(total_variation_loss({x}).item<double>(), 2.5, 1e-6);
  // Two images: the mean of their sums.
  EXPECT_NEAR(total_variation_loss({x, torch::zeros({1, 3, 3})}).item<double>(), 1.25, 1e-6);
}

TEST(CounterfactualLosses, LeastSquaresGan) {
  const auto real = torch::tensor({1.f, 0.f});  // (0 + 1) / 2 = 0.5
  const auto fake = torch::tensor({0.5f, -1.f});  // (0.25 + 1) / 2 = 0.625
  EXPECT_NEAR(lsgan_discriminator_loss(real, fake).item<double>(), 0.5 * (0.5 + 0.625), 1e-6);
  EXPECT_NEAR(lsgan_generator_loss(fake).item<double>(), (0.25 + 4.0) / 2, 1e-6);
}

TEST(ExplanationMeasures, SparsityLocalityOnHandBuiltMap) {
  cv::Mat map(10, 10, CV_32FC3, cv::Scalar(0, 0, 0));
  map.at<cv::Vec3f>(5, 5) = cv::Vec3f(0.3f, -0.3f, 0.3f);  // |.| = 0.9 inside the box
  map.at<cv::Vec3f>(0, 0) = cv::Vec3f(0.1f, 0.f, 0.f);     // 0.1 far outside
  EXPECT_NEAR(map_sparsity(map), 1.0 / 300.0, 1e-7);
  // Box (4, 4)-(6, 6) enlarged 2x about (5, 5) is (3, 3)-(7, 7): holds pixel (5, 5), not (0, 0).
  EXPECT_NEAR(map_locality(map, {4, 4, 6, 6}), 0.9, 1e-6);
  // Enlarged 10x it covers the whole image.
  EXPECT_NEAR(map_locality(map, {4, 4, 6, 6}, 10.0), 1.0, 1e-6);
  EXPECT_EQ(map_locality(cv::Mat(4, 4, CV_32FC3, cv::Scalar::all(0)), {0, 0, 2, 2}), 0.0);
}

TEST(ExplanationMeasures, NormalisedCrossCorrelation) {
  cv::Mat a(4, 4, CV_32FC3), b;
  cv::randu(a, cv::Scalar::all(-1), cv::Scalar::all(1));
  EXPECT_NEAR(*normalized_cross_correlation(a, a), 1.0, 1e-9);
  b = a * -2.0 + cv::Scalar::all(0.5);
  EXPECT_NEAR(*normalized_cross_correlation(a, b), -1.0, 1e-9);
  // Hand-computed: x = (1, 2, 3) and y = (1, 3, 2) correlate at 0.5.
  cv::Mat x = (cv::Mat_<float>(1, 3) << 1, 2, 3), y = (cv::Mat_<float>(1, 3) << 1, 3, 2);
  EXPECT_NEAR(*normalized_cross_correlation(x, y), 0.5, 1e-9);
  EXPECT_FALSE(normalized_cross_correlation(a, cv::Mat(4, 4, CV_32FC3, cv::Scalar::all(0.2))).has_value());
  EXPECT_THROW(normalized_cross_correlation(a, cv::Mat(3, 4, CV_32FC3)), InputError);
}

TEST(ExplanationMeasures, SegmentationPixelDiff) {
  cv::Mat before(6, 6, CV_8U, cv::Scalar(0)), after(6, 6, CV_8U, cv::Scalar(0));
  before(cv::Rect(0, 0, 3, 2)).setTo(1);  // 6 pixels
  after(cv::Rect(1, 0, 3, 3)).setTo(1);   // 9 pixels, 4 shared
  const SegmentationDiff diff = segmentation_diff(before, after);
  EXPECT_EQ(diff.pixels_before, 6);
  EXPECT_EQ(diff.pixels_after, 9);
  EXPECT_EQ(diff.gained, 5);
  EXPECT_EQ(diff.lost, 2);
  EXPECT_THROW(segmentation_diff(before, cv::Mat(5, 6, CV_8U)), InputError);
}

TEST(CounterfactualLosses, OutsideTermCountsWhatLocalityLeavesOut) {
  torch::manual_seed(11);
  const auto map = torch::randn({3, 30, 40});
  const auto boxes = torch::tensor({5.f, 4.f, 15.f, 10.f, 20.f, 18.f, 38.f, 29.f}).view({2, 4});
  const auto region = enlarged_box_region(boxes, torch::tensor({true, false}), {30, 40});
  ASSERT_EQ(region.sizes(), (std::vector<std::int64_t>{30, 40}));
  // The locality measure's box enlarged 2x: x in [0, 20], y in [1, 13] by pixel centres.
  EXPECT_EQ(region.sum().item<float>(), 20.f * 12.f);
  cv::Mat mat(30, 40, CV_32FC3);
  const auto hwc = map.permute({1, 2, 0}).contiguous();
  std::memcpy(mat.data, hwc.data_ptr<float>(), sizeof(float) * hwc.numel());
  const double locality = map_locality(mat, {5, 4, 15, 10});
  const double outside = map_outside_loss({map}, {region}).item<double>();
  EXPECT_NEAR(outside, (1 - locality) * map.abs().mean().item<double>(), 1e-5);
  // No instance selected: everything is outside.
  const auto none = enlarged_box_region(boxes, torch::tensor({false, false}), {30, 40});
  EXPECT_NEAR(map_outside_loss({map}, {none}).item<double>(), map.abs().mean().item<double>(), 1e-6);
}

TEST(CounterfactualOptions, DefaultsAreLearsAndJsonRoundTrips) {
  const TrainingOptions defaults;
  EXPECT_DOUBLE_EQ(defaults.weights.target, 1.0);
  EXPECT_DOUBLE_EQ(defaults.weights.map_l1, 10.0);
  EXPECT_DOUBLE_EQ(defaults.weights.map_l2, 10.0);
  EXPECT_DOUBLE_EQ(defaults.weights.adversarial, 10.0);
  EXPECT_DOUBLE_EQ(defaults.weights.cycle, 1.0);
  EXPECT_DOUBLE_EQ(defaults.weights.discriminator, 5.0);
  EXPECT_DOUBLE_EQ(defaults.weights.total_variation, 5e-6);
  TrainingOptions custom;
  custom.target_loss = TargetLoss::mask;
  custom.generator.code_dim = 12;
  custom.generator.region = CodeRegion::box;
  custom.weights.cycle = 2.5;
  custom.generator.mark_changes = true;
  custom.weights.map_outside = 7.0;
  custom.swap_share = 0.5;
  EXPECT_FALSE(defaults.generator.mark_changes);
  EXPECT_DOUBLE_EQ(defaults.weights.map_outside, 0.0);
  const TrainingOptions parsed = TrainingOptions::from_json(custom.to_json(), "cf.json");
  EXPECT_EQ(parsed.target_loss, TargetLoss::mask);
  EXPECT_EQ(parsed.generator.code_dim, 12);
  EXPECT_EQ(parsed.generator.region, CodeRegion::box);
  EXPECT_DOUBLE_EQ(parsed.weights.cycle, 2.5);
  EXPECT_TRUE(parsed.generator.mark_changes);
  EXPECT_DOUBLE_EQ(parsed.weights.map_outside, 7.0);
  EXPECT_DOUBLE_EQ(parsed.swap_share, 0.5);
  EXPECT_DOUBLE_EQ(defaults.swap_share, 0.0);
}

TEST(CounterfactualOptions, ShippedDemoConfigsParse) {
  // The phases of packaging/train-demo-models.sh: every instance swapped, then half of them, then half of them
  // with a ten times stronger penalty on M outside the changed instances.
  const std::string dir = modeling::model_config_dir();
  auto read = [&dir](const std::string& name) {
    return TrainingOptions::from_json(nlohmann::json::parse(std::ifstream(dir + "/" + name)), name);
  };
  const auto warmup = read("counterfactual-demo-warmup.json");
  const auto mixed = read("counterfactual-demo.json");
  const auto local = read("counterfactual-demo-local.json");
  EXPECT_DOUBLE_EQ(warmup.swap_share, 1.0);
  EXPECT_DOUBLE_EQ(mixed.swap_share, 0.5);
  EXPECT_DOUBLE_EQ(local.swap_share, 0.5);
  EXPECT_DOUBLE_EQ(local.weights.map_outside, 10 * mixed.weights.map_outside);
  for (const auto* options : {&warmup, &mixed, &local}) {
    EXPECT_TRUE(options->generator.mark_changes);
    EXPECT_GT(options->weights.map_outside, 0.0);
  }
  // The phases train the same network: each phase's checkpoint must resume in the next.
  for (const auto* later : {&mixed, &local}) {
    EXPECT_EQ(warmup.generator.to_json(), later->generator.to_json());
    EXPECT_EQ(warmup.discriminator.to_json(), later->discriminator.to_json());
  }
}

TEST(CounterfactualOptions, BadValuesNameTheField) {
  auto message_of = [](const nlohmann::json& json) {
    try {
      TrainingOptions::from_json(json, "cf.json");
    } catch (const InputError& error) {
      return std::string(error.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message_of({{"weights", {{"cycel", 1}}}}).find("weights.cycel"), std::string::npos);
  EXPECT_NE(message_of({{"target_loss", "segm"}}).find("segm"), std::string::npos);
  EXPECT_NE(message_of({{"generator", {{"decoder_width", 6}}}}).find("generator.decoder_width"), std::string::npos);
  EXPECT_NE(message_of({{"weights", {{"map_l1", -1}}}}).find("weights.map_l1"), std::string::npos);
  EXPECT_NE(message_of({{"batch_size", "two"}}).find("batch_size"), std::string::npos);
  EXPECT_NE(message_of({{"swap_share", 1.5}}).find("swap_share"), std::string::npos);
}

TEST(TargetResolution, NamesSynonymsIdsAndSuggestions) {
  const data::Dataset dataset = testing::tiny_dataset(testing::test_dir("test_cf_measures"));
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(resolve_target_category(dataset, "sled"), 3);
  EXPECT_EQ(resolve_target_category(dataset, "Grass Patch"), 1);
  EXPECT_EQ(resolve_target_category(dataset, "sledge"), 4);
  EXPECT_EQ(resolve_target_category(dataset, "2"), 2);
  EXPECT_THROW(resolve_target_category(dataset, "99"), InputError);
  try {
    resolve_target_category(dataset, "snowbal");
    FAIL() << "no error";
  } catch (const InputError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("snowbal"), std::string::npos) << message;
    EXPECT_NE(message.find("did you mean: snowball"), std::string::npos) << message;
  }
}

TEST(TargetResolution, RandomPairsAreDeterministicAndNeverTheSameClass) {
  const data::Dataset dataset = testing::tiny_dataset(testing::test_dir("test_cf_measures"));
  const auto a = sample_explain_pairs(dataset, 20, 7), b = sample_explain_pairs(dataset, 20, 7);
  ASSERT_EQ(a.size(), 20u);
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].annotation_id, b[i].annotation_id);
    EXPECT_EQ(a[i].target_category_id, b[i].target_category_id);
    for (const auto& x : dataset.annotations)
      if (x.id == a[i].annotation_id) {
        EXPECT_NE(x.category_id, a[i].target_category_id);
        EXPECT_EQ(x.image_id, a[i].image_id);
      }
  }
}

}  // namespace
}  // namespace counterscope::counterfactual
