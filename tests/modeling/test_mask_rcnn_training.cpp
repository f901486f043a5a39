// Training forward of Mask R-CNN: the five named losses, backward, frozen parameters, and a few SGD steps on
// a tiny batch that lower the loss. Also the explicit-RoI entry point's gradient back to the image.

#include <map>
#include <string>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/modeling/mask_rcnn.h"
#include "core/util/error.h"

namespace counterscope::modeling {
namespace {

// A small network so that the test runs in seconds on two cores: ResNet-18, 32-channel FPN, narrow heads.
ModelConfig small_config() {
  ModelConfig config;
  config.name = "test-small";
  config.num_classes = 3;
  config.backbone.depth = 18;
  config.backbone.fpn_channels = 32;
  config.backbone.trainable_layers = 3;
  // From scratch, trainable BatchNorm (the tiny preset's choice) keeps the un-normalised body stable.
  config.backbone.norm = "batch";
  config.anchors.sizes = {{16}, {32}, {64}, {128}, {256}};
  config.rpn.pre_nms_top_n_train = 300;
  config.rpn.post_nms_top_n_train = 100;
  config.rpn.pre_nms_top_n_test = 200;
  config.rpn.post_nms_top_n_test = 50;
  config.rpn.batch_size_per_image = 64;
  config.roi.batch_size_per_image = 32;
  config.roi.box_head_width = 64;
  config.roi.mask_head_layers = {32};
  config.roi.mask_predictor_channels = 32;
  config.transform.min_size = {128};
  config.transform.max_size = 128;
  return config;
}

// Two 128x128 images with rectangles of classes 1 and 2 on a dark background.
void make_batch(std::vector<torch::Tensor>& images, std::vector<Target>& targets) {
  const std::vector<std::vector<std::array<int, 5>>> objects = {{{10, 20, 60, 90, 1}, {70, 10, 120, 50, 2}},
                                                                {{30, 30, 100, 110, 2}}};
  for (const auto& image_objects : objects) {
    auto image = torch::full({3, 128, 128}, 0.1);
    Target target;
    std::vector<float> boxes;
    std::vector<std::int64_t> labels;
    auto masks = torch::zeros({static_cast<std::int64_t>(image_objects.size()), 128, 128}, torch::kUInt8);
    for (std::size_t k = 0; k < image_objects.size(); ++k) {
      const auto [x1, y1, x2, y2, label] = image_objects[k];
      using torch::indexing::Slice;
      image.index_put_({label - 1, Slice(y1, y2), Slice(x1, x2)}, 0.9);
      masks.index_put_({static_cast<std::int64_t>(k), Slice(y1, y2), Slice(x1, x2)}, 1);
      boxes.insert(boxes.end(), {float(x1), float(y1), float(x2), float(y2)});
      labels.push_back(label);
    }
    target.boxes = torch::tensor(boxes).view({-1, 4});
    target.labels = torch::tensor(labels);
    target.masks = masks;
    images.push_back(image);
    targets.push_back(target);
  }
}

double total(const LossDict& losses) {
  double sum = 0;
  for (const auto& [name, value] : losses) sum += value.item<double>();
  return sum;
}

TEST(MaskRcnnTraining, LossesAreFiniteAndBackwardSkipsFrozenLayers) {
  torch::manual_seed(0);
  MaskRcnn model(small_config());
  model->train();
  std::vector<torch::Tensor> images;
  std::vector<Target> targets;
  make_batch(images, targets);

  // torchvision's trainable_layers = 3: the stem (conv1, bn1) and layer1 stay frozen.
  std::map<std::string, torch::Tensor> frozen;
  for (const auto& item : model->named_parameters()) {
    const bool should_freeze = item.key().rfind("backbone.body.conv1", 0) == 0 ||
                               item.key().rfind("backbone.body.bn1", 0) == 0 ||
                               item.key().rfind("backbone.body.layer1", 0) == 0;
    EXPECT_EQ(item.value().requires_grad(), !should_freeze) << item.key();
    if (should_freeze) frozen[item.key()] = item.value().detach().clone();
  }
  ASSERT_FALSE(frozen.empty());

  torch::optim::SGD optimizer(model->parameters(), torch::optim::SGDOptions(0.01).momentum(0.9));
  double first = 0, last = 0;
  for (int step = 0; step < 12; ++step) {
    const LossDict losses = model->forward_train(images, targets);
    ASSERT_EQ(losses.size(), 5u);
    for (const char* name : {"loss_objectness", "loss_rpn_box_reg", "loss_classifier", "loss_box_reg", "loss_mask"}) {
      ASSERT_TRUE(losses.count(name)) << name;
      ASSERT_TRUE(std::isfinite(losses.at(name).item<double>())) << name;
    }
    torch::Tensor sum = torch::zeros({});
    for (const auto& [name, value] : losses) sum = sum + value;
    optimizer.zero_grad();
    sum.backward();
    if (step == 0) {
      const auto& fc6 = model->named_parameters()["roi_heads.box_head.fc6.weight"];
      ASSERT_TRUE(fc6.grad().defined());
      EXPECT_GT(fc6.grad().abs().sum().item<double>(), 0.0);
      first = total(losses);
    }
    optimizer.step();
    last = total(losses);
  }
  EXPECT_LT(last, 0.8 * first) << "first " << first << ", last " << last;
  for (const auto& [name, before] : frozen) EXPECT_TRUE(torch::equal(before, model->named_parameters()[name])) << name;
}

TEST(MaskRcnnTraining, ImageWithoutObjectsAndBadTargets) {
  torch::manual_seed(1);
  MaskRcnn model(small_config());
  model->train();
  Target empty{torch::zeros({0, 4}), torch::zeros({0}, torch::kInt64), torch::zeros({0, 96, 80}, torch::kUInt8)};
  const auto losses = model->forward_train({torch::rand({3, 96, 80})}, {empty});
  for (const auto& [name, value] : losses) EXPECT_TRUE(std::isfinite(value.item<double>())) << name;
  EXPECT_EQ(losses.at("loss_rpn_box_reg").item<double>(), 0.0);
  EXPECT_EQ(losses.at("loss_mask").item<double>(), 0.0);

  Target degenerate{torch::tensor({10.f, 10.f, 10.f, 30.f}).view({1, 4}), torch::tensor({std::int64_t{1}}),
                    torch::zeros({1, 64, 64}, torch::kUInt8)};
  EXPECT_THROW(model->forward_train({torch::rand({3, 64, 64})}, {degenerate}), InputError);
  Target bad_label{torch::tensor({10.f, 10.f, 20.f, 30.f}).view({1, 4}), torch::tensor({std::int64_t{3}}),
                   torch::zeros({1, 64, 64}, torch::kUInt8)};
  EXPECT_THROW(model->forward_train({torch::rand({3, 64, 64})}, {bad_label}), InputError);
  Target bad_mask{torch::tensor({10.f, 10.f, 20.f, 30.f}).view({1, 4}), torch::tensor({std::int64_t{1}}),
                  torch::zeros({1, 32, 64}, torch::kUInt8)};
  EXPECT_THROW(model->forward_train({torch::rand({3, 64, 64})}, {bad_mask}), InputError);
}

TEST(MaskRcnnTraining, RoiLossesReachTheInputImage) {
  torch::manual_seed(2);
  MaskRcnn model(small_config());
  model->eval();
  std::vector<torch::Tensor> images;
  std::vector<Target> targets;
  make_batch(images, targets);
  auto image = images[0].clone().requires_grad_(true);
  const LossDict losses = model->losses_on_rois({image}, {targets[0]});
  ASSERT_EQ(losses.size(), 3u);
  for (const char* name : {"loss_classifier", "loss_box_reg", "loss_mask"}) {
    ASSERT_TRUE(losses.count(name)) << name;
    image.mutable_grad() = torch::Tensor();
    losses.at(name).backward({}, true);
    ASSERT_TRUE(image.grad().defined()) << name;
    EXPECT_GT(image.grad().abs().sum().item<double>(), 0.0) << name;
  }
  const auto predictions = model->predict_on_rois({image}, {targets[0].boxes});
  EXPECT_EQ(predictions.class_logits.sizes(), (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(predictions.class_probabilities.sizes(), (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(predictions.box_regression.sizes(), (std::vector<std::int64_t>{2, 12}));
  EXPECT_EQ(predictions.mask_logits.sizes(), (std::vector<std::int64_t>{2, 3, 28, 28}));
  EXPECT_TRUE(torch::allclose(predictions.class_probabilities.sum(1), torch::ones({2})));
}

}  // namespace
}  // namespace counterscope::modeling
