// Module shapes and torchvision parameter names on small tensors (golden values that need no Python).

#include <map>
#include <string>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/modeling/mask_rcnn.h"
#include "core/modeling/transform.h"

namespace counterscope::modeling {
namespace {

using Shape = std::vector<std::int64_t>;

std::map<std::string, Shape> state_shapes(torch::nn::Module& module) {
  std::map<std::string, Shape> shapes;
  for (const auto& item : module.named_parameters()) shapes[item.key()] = item.value().sizes().vec();
  for (const auto& item : module.named_buffers()) shapes[item.key()] = item.value().sizes().vec();
  return shapes;
}

TEST(MaskRcnnModules, TorchvisionR50KeyNamesAndShapes) {
  MaskRcnn model(ModelConfig{});
  const auto shapes = state_shapes(*model);
  // torchvision's maskrcnn_resnet50_fpn has 360 tensors; 53 of them are BatchNorm counters that
  // FrozenBatchNorm2d does not have.
  EXPECT_EQ(shapes.size(), 307u);
  const std::map<std::string, Shape> expected = {
      {"backbone.body.conv1.weight", {64, 3, 7, 7}},
      {"backbone.body.bn1.running_var", {64}},
      {"backbone.body.layer1.0.downsample.0.weight", {256, 64, 1, 1}},
      {"backbone.body.layer1.0.downsample.1.weight", {256}},
      {"backbone.body.layer3.5.conv3.weight", {1024, 256, 1, 1}},
      {"backbone.body.layer4.2.bn3.bias", {2048}},
      {"backbone.fpn.inner_blocks.0.0.weight", {256, 256, 1, 1}},
      {"backbone.fpn.inner_blocks.3.0.weight", {256, 2048, 1, 1}},
      {"backbone.fpn.layer_blocks.2.0.bias", {256}},
      {"rpn.head.conv.0.0.weight", {256, 256, 3, 3}},
      {"rpn.head.cls_logits.weight", {3, 256, 1, 1}},
      {"rpn.head.bbox_pred.weight", {12, 256, 1, 1}},
      {"roi_heads.box_head.fc6.weight", {1024, 12544}},
      {"roi_heads.box_head.fc7.bias", {1024}},
      {"roi_heads.box_predictor.cls_score.weight", {91, 1024}},
      {"roi_heads.box_predictor.bbox_pred.weight", {364, 1024}},
      {"roi_heads.mask_head.0.0.weight", {256, 256, 3, 3}},
      {"roi_heads.mask_head.3.0.bias", {256}},
      {"roi_heads.mask_predictor.conv5_mask.weight", {256, 256, 2, 2}},
      {"roi_heads.mask_predictor.mask_fcn_logits.weight", {91, 256, 1, 1}},
  };
  for (const auto& [name, shape] : expected) {
    ASSERT_TRUE(shapes.count(name)) << name;
    EXPECT_EQ(shapes.at(name), shape) << name;
  }
  EXPECT_FALSE(shapes.count("backbone.body.fc.weight"));
}

TEST(MaskRcnnModules, ResNetBodiesAndPyramidShapes) {
  torch::NoGradGuard no_grad;
  const auto x = torch::rand({1, 3, 64, 96});
  for (int depth : {18, 34, 50, 101}) {
    ResNetBody body(depth, "frozen");
    const auto c = body->forward(x);
    const std::int64_t width = depth < 50 ? 64 : 256;
    ASSERT_EQ(c.size(), 4u);
    for (std::size_t i = 0; i < 4; ++i)
      EXPECT_EQ(c[i].sizes().vec(), (Shape{1, width << i, 16 >> i, 24 >> i})) << depth << " level " << i;
  }
  BackboneConfig config;
  config.depth = 18;
  config.fpn_channels = 16;
  BackboneWithFpn backbone(config);
  const auto p = backbone->forward(x);
  ASSERT_EQ(p.size(), 5u);
  const std::vector<Shape> expected = {{1, 16, 16, 24}, {1, 16, 8, 12}, {1, 16, 4, 6}, {1, 16, 2, 3}, {1, 16, 1, 2}};
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(p[i].sizes().vec(), expected[i]) << i;
  // P6 is a stride-2 subsampling of P5.
  EXPECT_TRUE(torch::equal(p[4], p[3].index({torch::indexing::Slice(), torch::indexing::Slice(),
                                             torch::indexing::Slice(0, 2, 2), torch::indexing::Slice(0, 3, 2)})));
}

TEST(MaskRcnnModules, FrozenBatchNormMatchesBatchNormInEval) {
  torch::manual_seed(3);
  FrozenBatchNorm2d frozen(8);
  torch::nn::BatchNorm2d batch(8);
  for (auto* name : {"weight", "bias", "running_mean", "running_var"}) {
    auto value = torch::rand({8}) + 0.5;
    frozen->named_buffers()[name].copy_(value);
    torch::NoGradGuard no_grad;
    if (batch->named_parameters().contains(name))
      batch->named_parameters()[name].copy_(value);
    else
      batch->named_buffers()[name].copy_(value);
  }
  batch->eval();
  const auto x = torch::randn({2, 8, 5, 5});
  EXPECT_TRUE(torch::allclose(frozen->forward(x), batch->forward(x), 1e-5, 1e-6));
}

TEST(MaskRcnnModules, TransformResizesLikeTorchvision) {
  GeneralizedRcnnTransform transform(TransformConfig{});
  // Shorter side to 800 unless the longer would exceed 1333; floor(size * float32 scale), values from
  // torchvision 0.14 (427 x 640 gives 799 rows there too).
  EXPECT_EQ(transform.resized_size(480, 640, 800), (ImageSize{800, 1066}));
  EXPECT_EQ(transform.resized_size(427, 640, 800), (ImageSize{799, 1199}));
  EXPECT_EQ(transform.resized_size(300, 1000, 800), (ImageSize{399, 1333}));
  EXPECT_EQ(transform.resized_size(1, 1, 800), (ImageSize{800, 800}));
  const auto batch = transform.forward({torch::rand({3, 50, 70}), torch::rand({3, 60, 40})}, nullptr, false);
  EXPECT_EQ(batch.image_sizes[0], (ImageSize{800, 1120}));
  EXPECT_EQ(batch.image_sizes[1], (ImageSize{1200, 800}));
  EXPECT_EQ(batch.tensors.sizes().vec(), (Shape{2, 3, 1216, 1120}));
  // Padding is zero and the image area is the normalised image.
  EXPECT_EQ(batch.tensors[1].index({torch::indexing::Slice(), torch::indexing::Slice(1200)}).abs().max().item<float>(), 0.f);
  const auto boxes = GeneralizedRcnnTransform::resize_boxes(torch::tensor({{10.f, 20.f, 30.f, 40.f}}), {100, 200}, {50, 400});
  EXPECT_TRUE(torch::equal(boxes, torch::tensor({{20.f, 10.f, 60.f, 20.f}})));
}

TEST(MaskRcnnModules, InferenceOutputsAreConsistent) {
  torch::manual_seed(4);
  ModelConfig config;
  config.num_classes = 4;
  config.backbone.depth = 18;
  config.backbone.fpn_channels = 16;
  config.roi.box_head_width = 32;
  config.roi.mask_head_layers = {16};
  config.roi.mask_predictor_channels = 16;
  config.transform.min_size = {96};
  config.transform.max_size = 128;
  config.score_thresh = 0.0;
  config.detections_per_img = 7;
  MaskRcnn model(config);
  model->eval();
  torch::NoGradGuard no_grad;
  const auto detections = model->predict({torch::rand({3, 60, 80}), torch::rand({3, 40, 30})});
  ASSERT_EQ(detections.size(), 2u);
  const std::vector<ImageSize> sizes = {{60, 80}, {40, 30}};
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& d = detections[i];
    const auto n = d.boxes.size(0);
    EXPECT_LE(n, 7);
    EXPECT_EQ(d.scores.sizes().vec(), (Shape{n}));
    EXPECT_EQ(d.labels.sizes().vec(), (Shape{n}));
    EXPECT_EQ(d.masks.sizes().vec(), (Shape{n, 1, sizes[i].first, sizes[i].second}));
    if (n == 0) continue;
    EXPECT_GE(d.labels.min().item<std::int64_t>(), 1);
    EXPECT_LT(d.labels.max().item<std::int64_t>(), 4);
    EXPECT_GE(d.boxes.min().item<float>(), 0.f);
    EXPECT_LE(d.boxes.select(1, 2).max().item<float>(), float(sizes[i].second));
    EXPECT_LE(d.boxes.select(1, 3).max().item<float>(), float(sizes[i].first));
    // Sorted by decreasing score.
    EXPECT_TRUE(torch::equal(std::get<0>(d.scores.sort(0, true)), d.scores));
    EXPECT_GE(d.masks.min().item<float>(), 0.f);
    EXPECT_LE(d.masks.max().item<float>(), 1.f);
  }
}

}  // namespace
}  // namespace counterscope::modeling
