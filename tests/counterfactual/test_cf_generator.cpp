// The counterfactual generator on a tiny random-weight Mask R-CNN (64 px): code-map locality, map shapes,
// the generator file round trip with its model check, a training step that leaves the detector untouched,
// the optimising explainer (and its outside term), the refining explainer, the explanation files, and bad
// requests.

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/counterfactual/counterfactual_generator.h"
#include "core/counterfactual/counterfactual_trainer.h"
#include "core/counterfactual/explain_request.h"
#include "core/counterfactual/explainer.h"
#include "core/counterfactual/explanation_writer.h"
#include "core/counterfactual/generator_file.h"
#include "core/counterfactual/target_code_map.h"
#include "core/engine/checkpointer.h"
#include "core/util/error.h"
#include "tests/counterfactual/cf_test_support.h"

namespace counterscope::counterfactual {
namespace {

using testing::test_dir;
using testing::tiny_dataset;
using testing::tiny_model;

InstanceSet two_instances(std::int64_t second_label) {
  InstanceSet set;
  set.boxes = torch::tensor({4.f, 4.f, 20.f, 16.f, 30.f, 28.f, 60.f, 60.f}).view({2, 4});
  set.labels = torch::tensor({std::int64_t{1}, second_label}, torch::kLong);
  return set;
}

std::string message_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const InputError& error) {
    return error.what();
  }
  return "no error";
}

TEST(TargetCodeMap, SwappingOneLabelChangesOnlyThatInstancesRegion) {
  for (const CodeRegion region : {CodeRegion::box, CodeRegion::mask}) {
    torch::manual_seed(3);
    TargetCodeMap codes(5, 8, region);
    InstanceSet before = two_instances(2), after = two_instances(4);
    if (region == CodeRegion::mask) {
      // A triangle-ish mask for the second instance: its code must stay inside the mask, not the box.
      auto masks = torch::zeros({2, 64, 64}, torch::kUInt8);
      masks[0].slice(0, 4, 16).slice(1, 4, 20).fill_(1);
      for (int y = 28; y < 60; ++y) masks[1][y].slice(0, 30, 30 + (y - 28)).fill_(1);
      before.masks = masks;
      after.masks = masks;
    }
    // 64x64 image resized to 32x32, padded to 32x32: the level sizes of strides 1, 2, 4 and 8.
    const CodeFrame frame{{{64, 64}}, {{32, 32}}, {32, 32}};
    const std::vector<modeling::ImageSize> sizes = {{32, 32}, {16, 16}, {8, 8}, {4, 4}};
    torch::NoGradGuard no_grad;
    const auto a = codes->forward({before}, frame, sizes), b = codes->forward({after}, frame, sizes);
    const auto regions = codes->regions(after, {64, 64}, {32, 32}, {32, 32});
    for (std::size_t s = 0; s < sizes.size(); ++s) {
      const auto changed = (a[s] - b[s]).abs().sum(1)[0].gt(1e-6);  // [h, w]
      const auto coverage = torch::adaptive_avg_pool2d(regions[1].unsqueeze(0).unsqueeze(0),
                                                       {sizes[s].first, sizes[s].second})[0][0];
      EXPECT_GT(changed.sum().item<int>(), 0) << "level " << s;
      EXPECT_EQ(changed.logical_and(coverage.eq(0)).sum().item<int>(), 0) << "change outside the region, level " << s;
    }
    // Outside every instance the map is zero.
    EXPECT_EQ(a[0][0].select(1, 0).select(1, 31).abs().sum().item<float>(), 0.f);
    if (region == CodeRegion::mask) {
      // Inside the second box but outside its mask (upper right corner) nothing changed.
      EXPECT_LT((a[0] - b[0]).abs()[0].select(1, 16).select(1, 29).sum().item<float>(), 1e-6);
    }
  }
}

TEST(TargetCodeMap, MarkedChangesCoverOnlyTheSwappedInstance) {
  torch::manual_seed(4);
  TargetCodeMap codes(5, 8, CodeRegion::box, true);
  EXPECT_EQ(codes->channels(), 9);
  InstanceSet swapped = two_instances(4);
  const CodeFrame frame{{{64, 64}}, {{32, 32}}, {32, 32}};
  torch::NoGradGuard no_grad;
  // Without the current labels nothing is marked.
  EXPECT_EQ(codes->forward({swapped}, frame, {{32, 32}})[0][0][8].abs().sum().item<float>(), 0.f);
  swapped.current_labels = torch::tensor({std::int64_t{1}, std::int64_t{2}});
  const auto mark = codes->forward({swapped}, frame, {{32, 32}})[0][0][8];
  const auto second = codes->regions(swapped, {64, 64}, {32, 32}, {32, 32})[1];
  EXPECT_TRUE(torch::equal(mark, second)) << "the mark must be exactly the second instance's region";
  // The first 8 channels are the plain target code, as without marking.
  TargetCodeMap plain(5, 8, CodeRegion::box);
  plain->embedding()->weight.copy_(codes->embedding()->weight);
  EXPECT_TRUE(torch::allclose(codes->forward({swapped}, frame, {{32, 32}})[0].slice(1, 0, 8),
                              plain->forward({swapped}, frame, {{32, 32}})[0]));
}

TEST(CounterfactualGenerator, MapsComeBackAtTheOriginalSizes) {
  auto model = tiny_model();
  freeze_detector(*model);
  torch::manual_seed(5);
  CounterfactualGenerator generator(generator_shape_for(*model, GeneratorOptions{}));
  const std::vector<torch::Tensor> images = {torch::rand({3, 48, 80}), torch::rand({3, 64, 64})};
  InstanceSet first;
  first.boxes = torch::tensor({10.f, 5.f, 40.f, 30.f}).view({1, 4});
  first.labels = torch::tensor({3}, torch::kLong);
  const auto maps = generator->forward(*model, images, {first, two_instances(2)});
  ASSERT_EQ(maps.size(), 2u);
  EXPECT_EQ(maps[0].sizes(), (std::vector<std::int64_t>{3, 48, 80}));
  EXPECT_EQ(maps[1].sizes(), (std::vector<std::int64_t>{3, 64, 64}));
  EXPECT_TRUE(torch::isfinite(maps[0]).all().item<bool>());
  // The map is differentiable w.r.t. the generator's parameters.
  maps[0].abs().mean().backward();
  bool any_gradient = false;
  for (const auto& p : generator->parameters()) any_gradient = any_gradient || (p.grad().defined() && p.grad().abs().sum().item<float>() > 0);
  EXPECT_TRUE(any_gradient);
  for (const auto& p : model->parameters()) EXPECT_FALSE(p.grad().defined());
}

TEST(GeneratorFile, RoundTripAndModelCheck) {
  auto model = tiny_model();
  freeze_detector(*model);
  torch::manual_seed(6);
  GeneratorOptions options;
  options.code_dim = 6;
  CounterfactualGenerator generator(generator_shape_for(*model, options));
  const std::string path = test_dir("test_cf_generator") + "/generator.safetensors";
  save_generator(*generator, model->config(), path, {{"iterations", "0"}});
  auto loaded = load_generator(path, model->config());
  EXPECT_EQ(loaded->shape().options.code_dim, 6);
  const auto image = torch::rand({3, 64, 64});
  torch::NoGradGuard no_grad;
  const auto a = generator->forward(*model, {image}, {two_instances(3)})[0];
  const auto b = loaded->forward(*model, {image}, {two_instances(3)})[0];
  EXPECT_TRUE(torch::allclose(a, b));
  // A later training phase starts from the file: same options -> the same maps; other options -> refused.
  torch::manual_seed(7);
  CounterfactualGenerator fresh(generator_shape_for(*model, options));
  initialize_generator(*fresh, path, model->config());
  EXPECT_TRUE(torch::allclose(a, fresh->forward(*model, {image}, {two_instances(3)})[0]));
  GeneratorOptions marked = options;
  marked.mark_changes = true;
  CounterfactualGenerator other_options(generator_shape_for(*model, marked));
  EXPECT_NE(message_of([&] { initialize_generator(*other_options, path, model->config()); }).find("generator_options"),
            std::string::npos);

  modeling::ModelConfig more_classes = model->config();
  more_classes.num_classes = 9;
  EXPECT_NE(message_of([&] { load_generator(path, more_classes); }).find("classes"), std::string::npos);
  modeling::ModelConfig other = model->config();
  other.backbone.depth = 34;
  EXPECT_NE(message_of([&] { load_generator(path, other); }).find("another model"), std::string::npos);
  // The display name alone does not change the hash.
  modeling::ModelConfig renamed = model->config();
  renamed.name = "renamed";
  EXPECT_EQ(model_config_hash(renamed), model_config_hash(model->config()));
  std::ofstream(test_dir("test_cf_generator") + "/not_a_generator.safetensors") << "garbage";
  EXPECT_THROW(load_generator(test_dir("test_cf_generator") + "/not_a_generator.safetensors", model->config()), InputError);
}

TEST(CounterfactualTrainer, StepTrainsTheGeneratorAndLeavesTheDetectorFrozen) {
  const std::string dir = test_dir("test_cf_trainer");
  const data::Dataset dataset = tiny_dataset(dir);
  engine::DetectionDataOptions data_options;
  data_options.batch_size = 2;
  const engine::DetectionDataSource data(dataset, dir, data_options);
  auto model = tiny_model();
  std::map<std::string, torch::Tensor> before;
  for (const auto& item : model->named_parameters()) before[item.key()] = item.value().detach().clone();
  for (const auto& item : model->named_buffers()) before[item.key()] = item.value().detach().clone();

  TrainingOptions options;
  options.batch_size = 2;
  options.generator.mark_changes = true;  // the extended conditioning and the locality term train as well
  options.weights.map_outside = 1.0;
  CounterfactualTrainer trainer(model, data, options, 2);
  std::map<std::string, torch::Tensor> generator_before;
  for (const auto& item : trainer.generator()->named_parameters()) generator_before[item.key()] = item.value().detach().clone();
  std::vector<engine::StepResult> steps;
  struct Collect : engine::TrainerHook {
    std::vector<engine::StepResult>* out;
    void after_step(engine::TrainerBase&, const engine::StepResult& step) override { out->push_back(step); }
  };
  auto hook = std::make_shared<Collect>();
  hook->out = &steps;
  trainer.register_hook(hook);
  ASSERT_TRUE(trainer.train());
  ASSERT_EQ(steps.size(), 2u);
  for (const char* key :
       {"loss_adversarial", "loss_cycle", "loss_target", "map_l1", "map_outside", "loss_discriminator", "attained"}) {
    ASSERT_TRUE(steps[0].metrics.count(key)) << key;
    EXPECT_TRUE(std::isfinite(steps[0].metrics.at(key))) << key;
  }
  for (const auto& item : model->named_parameters())
    EXPECT_TRUE(torch::equal(item.value(), before[item.key()])) << "detector parameter changed: " << item.key();
  for (const auto& item : model->named_buffers())
    EXPECT_TRUE(torch::equal(item.value(), before[item.key()])) << "detector buffer changed: " << item.key();
  bool generator_changed = false;
  for (const auto& item : trainer.generator()->named_parameters())
    generator_changed = generator_changed || !torch::equal(item.value(), generator_before[item.key()]);
  EXPECT_TRUE(generator_changed);

  // Swapped labels differ from the originals in exactly one instance per image, never to background.
  const auto batch = data.batch(0);
  const auto swapped = trainer.swap_labels(batch, 0);
  for (std::size_t i = 0; i < batch.targets.size(); ++i) {
    EXPECT_EQ(swapped[i].labels.ne(batch.targets[i].labels).sum().item<int>(), 1);
    EXPECT_GE(swapped[i].labels.min().item<std::int64_t>(), 1);
    EXPECT_LT(swapped[i].labels.max().item<std::int64_t>(), 5);
  }
  // swap_share 1: every instance gets another label (same images, same first draw).
  TrainingOptions all = options;
  all.swap_share = 1.0;
  CounterfactualTrainer swap_all(tiny_model(), data, all, 2);
  const auto all_swapped = swap_all.swap_labels(batch, 0);
  for (std::size_t i = 0; i < batch.targets.size(); ++i) {
    EXPECT_EQ(all_swapped[i].labels.ne(batch.targets[i].labels).sum().item<std::int64_t>(),
              batch.targets[i].labels.numel());
    EXPECT_GE(all_swapped[i].labels.min().item<std::int64_t>(), 1);
    EXPECT_LT(all_swapped[i].labels.max().item<std::int64_t>(), 5);
  }

  // Checkpoint and resume restore the generator exactly.
  engine::Checkpointer checkpointer(dir + "/checkpoints", 2);
  checkpointer.save(trainer);
  CounterfactualTrainer resumed(tiny_model(), data, options, 2);
  ASSERT_TRUE(checkpointer.resume(resumed).has_value());
  EXPECT_EQ(resumed.iteration(), 2);
  const auto& a = trainer.generator()->named_parameters();
  const auto& b = resumed.generator()->named_parameters();
  for (const auto& item : a) EXPECT_TRUE(torch::equal(item.value(), b[item.key()])) << item.key();
}

class ExplainerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = test_dir("test_cf_explainer");
    dataset = tiny_dataset(dir);
  }
  DatasetExplainRequest request(std::int64_t image_id, std::int64_t annotation_id, std::int64_t target) const {
    return make_explain_request(dataset, data::CategoryLabels(dataset), dir, image_id, annotation_id, target);
  }
  /// A fixed number of big steps with light map penalties: on an untrained model the target score must move.
  static OptimizerExplainerOptions fixed_steps(std::int64_t steps) {
    OptimizerExplainerOptions options;
    options.max_steps = steps;
    options.learning_rate = 0.05;
    options.stop_when_attained = false;
    options.weights.map_l1 = 0.1;
    options.weights.map_l2 = 0.1;
    return options;
  }
  std::string dir;
  data::Dataset dataset;
};

TEST_F(ExplainerTest, OptimiserRaisesTheTargetScore) {
  const OptimizerExplainerOptions options = fixed_steps(12);
  OptimizingExplainer explainer(tiny_model(11), options);
  const auto asked = request(1, 12, 3);
  EXPECT_EQ(asked.request.instance, 1u);
  EXPECT_EQ(asked.request.target_label, 3);
  const Explanation e = explainer.explain(asked.request);
  EXPECT_EQ(e.measures.steps, 12);
  EXPECT_GT(e.measures.target_score_after, e.measures.target_score_before + 1e-3);
  EXPECT_NEAR(e.measures.score_gain, e.measures.target_score_after - e.measures.target_score_before, 1e-12);
  EXPECT_GT(e.measures.sparsity, 0.0);
  EXPECT_GE(e.measures.locality, 0.0);
  EXPECT_LE(e.measures.locality, 1.0);
  EXPECT_EQ(e.map.size(), asked.request.image.size());
  EXPECT_EQ(e.class_scores_before.size(), 5u);
  // X~ stays an image.
  double low, high;
  cv::minMaxLoc(e.counterfactual.reshape(1), &low, &high);
  EXPECT_GE(low, 0.0);
  EXPECT_LE(high, 1.0);
}

TEST_F(ExplainerTest, OutsideWeightKeepsTheOptimisedMapNearTheInstance) {
  OptimizerExplainerOptions options = fixed_steps(10);
  const auto asked = request(1, 12, 3);
  const Explanation free = OptimizingExplainer(tiny_model(11), options).explain(asked.request);
  options.weights.map_outside = 50.0;
  const Explanation local = OptimizingExplainer(tiny_model(11), options).explain(asked.request);
  // Same model, image, steps and start: only the outside term differs, and it moves |M| into the region.
  EXPECT_GT(local.measures.locality, free.measures.locality + 0.2)
      << "free " << free.measures.locality << ", local " << local.measures.locality;
}

TEST_F(ExplainerTest, RefiningStartsFromTheGeneratorsMapAndRaisesTheTargetScore) {
  auto model = tiny_model(11);
  torch::manual_seed(8);
  CounterfactualGenerator generator(generator_shape_for(*model, GeneratorOptions{}));
  const auto asked = request(1, 12, 3);
  const Explanation proposal = GeneratorExplainer(model, generator).explain(asked.request);

  OptimizerExplainerOptions options = fixed_steps(0);
  // No steps: exactly the generator's explanation (the refinement starts from its map).
  const Explanation unrefined = RefiningExplainer(model, generator, options).explain(asked.request);
  EXPECT_EQ(unrefined.method, "generator+optimize");
  EXPECT_EQ(unrefined.measures.steps, 0);
  EXPECT_EQ(cv::norm(unrefined.map, proposal.map, cv::NORM_INF), 0.0);

  options.max_steps = 8;
  const Explanation refined = RefiningExplainer(model, generator, options).explain(asked.request);
  EXPECT_EQ(refined.measures.steps, 8);
  EXPECT_GT(refined.measures.target_score_after, proposal.measures.target_score_after + 1e-3);
  EXPECT_NEAR(refined.measures.target_score_before, proposal.measures.target_score_before, 1e-6);
  // With stop_when_attained and the target reached by the generator's map alone, no step is taken.
  options.stop_when_attained = true;
  options.max_steps = 50;
  const Explanation stopped = RefiningExplainer(model, generator, options).explain(asked.request);
  if (proposal.measures.target_attained) {
    EXPECT_EQ(stopped.measures.steps, 0);
  } else {
    EXPECT_GT(stopped.measures.steps, 0);
  }
}

TEST_F(ExplainerTest, GeneratorExplanationIsWrittenWithAllFiles) {
  auto model = tiny_model();
  torch::manual_seed(8);
  CounterfactualGenerator generator(generator_shape_for(*model, GeneratorOptions{}));
  GeneratorExplainer explainer(model, generator);
  auto asked = request(2, 21, 1);
  // A made-up ground-truth difference: the NCC is then defined.
  asked.request.ground_truth_difference = cv::Mat(64, 64, CV_32FC3);
  cv::randu(asked.request.ground_truth_difference, cv::Scalar::all(-0.1), cv::Scalar::all(0.1));
  const Explanation e = explainer.explain(asked.request);
  EXPECT_EQ(e.method, "generator");
  // The explainer reuses the generator's backbone pass on X: its scores and detections must equal the
  // model's own, computed independently on X and on the X~ it returns.
  {
    torch::NoGradGuard no_grad;
    const auto image = image_to_tensor(asked.request.image, torch::kCPU);
    const auto counterfactual =
        (image + generator->forward(*model, {image}, {instance_set(asked.request, true)})[0]).clamp(0.0, 1.0);
    const auto& b = asked.request.instances[asked.request.instance].box;
    const auto box = torch::tensor({static_cast<float>(b[0]), static_cast<float>(b[1]), static_cast<float>(b[2]),
                                    static_cast<float>(b[3])}).view({1, 4});
    const auto direct = model->predict_on_rois({image, counterfactual}, {box, box}, false).class_probabilities;
    for (std::size_t c = 0; c < e.class_scores_after.size(); ++c) {
      EXPECT_NEAR(e.class_scores_before[c], direct[0][static_cast<std::int64_t>(c)].item<double>(), 1e-5) << c;
      EXPECT_NEAR(e.class_scores_after[c], direct[1][static_cast<std::int64_t>(c)].item<double>(), 1e-5) << c;
    }
    const auto detections = model->predict({counterfactual});
    EXPECT_EQ(e.predictions_after.size(), static_cast<std::size_t>(detections[0].scores.size(0)));
  }
  ASSERT_TRUE(e.measures.ncc.has_value());
  EXPECT_LE(std::abs(*e.measures.ncc), 1.0);
  const std::string out = dir + "/explanation";
  write_explanation(out, asked.request.image, e, asked.request.instances[asked.request.instance].box,
                    [](std::int64_t label) { return "class" + std::to_string(label); }, {{"image_id", 2}});
  for (const char* file : {"map.png", "counterfactual.png", "before.png", "after.png", "map.safetensors", "explanation.json"})
    EXPECT_TRUE(std::filesystem::exists(out + "/" + file)) << file;
  const auto json = nlohmann::json::parse(std::ifstream(out + "/explanation.json"));
  EXPECT_EQ(json["image_id"], 2);
  EXPECT_EQ(json["target"]["label"], 1);
  EXPECT_TRUE(json["measures"].contains("locality"));
  const cv::Mat heatmap = cv::imread(out + "/map.png");
  EXPECT_GT(heatmap.cols, 64);  // the legend sits beside the map
}

TEST_F(ExplainerTest, TwinExplainerAppliesTheGroundTruthDifference) {
  auto asked = request(2, 21, 1);
  // A difference that changes only a patch inside the instance's box, the way a twin redraws its object.
  cv::Mat difference(64, 64, CV_32FC3, cv::Scalar::all(0.0));
  const auto& box = asked.request.instances[asked.request.instance].box;
  const cv::Rect patch(static_cast<int>(box[0]) + 1, static_cast<int>(box[1]) + 1, 3, 3);
  difference(patch).setTo(cv::Scalar(0.2, -0.1, 0.05));
  TwinExplainer explainer(tiny_model());
  EXPECT_NE(message_of([&] { explainer.explain(asked.request); }).find("ground_truth_difference"), std::string::npos);

  cv::Mat image_float;
  asked.request.image.convertTo(image_float, CV_32FC3, 1.0 / 255.0);
  // Clamping X + M to an image may shorten M where X is near 0 or 1: the reference is the clamped difference.
  cv::Mat clamped = cv::min(cv::max(image_float + difference, 0.0), 1.0) - image_float;
  asked.request.ground_truth_difference = difference;
  const Explanation e = explainer.explain(asked.request);
  EXPECT_EQ(e.method, "twin");
  EXPECT_EQ(e.measures.steps, 0);
  EXPECT_LT(cv::norm(e.map, clamped, cv::NORM_INF), 1e-6);
  ASSERT_TRUE(e.measures.ncc.has_value());
  EXPECT_GT(*e.measures.ncc, 0.99);
  EXPECT_DOUBLE_EQ(e.measures.locality, 1.0);  // all of M lies in the instance's box
  EXPECT_EQ(e.measures.target_attained, e.top_label_after == 1);
}

TEST_F(ExplainerTest, BadRequestsAreClearErrors) {
  const data::CategoryLabels labels(dataset);
  EXPECT_NE(message_of([&] { request(1, 12, 2); }).find("already is this class"), std::string::npos);
  const std::string wrong_instance = message_of([&] { request(1, 21, 3); });
  EXPECT_NE(wrong_instance.find("11, 12"), std::string::npos) << wrong_instance;
  EXPECT_NE(message_of([&] { request(3, 31, 1); }).find("no (non-crowd) instances"), std::string::npos);
  EXPECT_NE(message_of([&] { request(99, 1, 1); }).find("no image"), std::string::npos);

  OptimizingExplainer explainer(tiny_model(), OptimizerExplainerOptions{});
  auto asked = request(1, 11, 2).request;
  asked.target_label = asked.instances[asked.instance].label;
  EXPECT_NE(message_of([&] { explainer.explain(asked); }).find("current class"), std::string::npos);
  asked.target_label = 7;
  EXPECT_NE(message_of([&] { explainer.explain(asked); }).find("target_label"), std::string::npos);
  asked.target_label = 2;
  asked.instance = 5;
  EXPECT_NE(message_of([&] { explainer.explain(asked); }).find("out of range"), std::string::npos);

  // A generator built for a model with other classes is refused.
  auto other = tiny_model(1, 7);
  CounterfactualGenerator foreign(generator_shape_for(*other, GeneratorOptions{}));
  EXPECT_THROW({ GeneratorExplainer refused(tiny_model(), foreign); }, InputError);
}

}  // namespace
}  // namespace counterscope::counterfactual
