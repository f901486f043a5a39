// Box ops, box coder, matcher, sampler, anchors, multi-scale RoIAlign and mask pasting against
// torchvision 0.14, plus edge cases.

#include <cmath>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/modeling/ops/anchor_generator.h"
#include "core/modeling/ops/balanced_sampler.h"
#include "core/modeling/ops/box_coder.h"
#include "core/modeling/ops/box_ops.h"
#include "core/modeling/ops/matcher.h"
#include "core/modeling/ops/multi_scale_roi_align.h"
#include "core/modeling/ops/paste_masks.h"
#include "core/util/error.h"
#include "tests/modeling/ops/ops_reference.h"

namespace counterscope::modeling {
namespace {

using testing::expect_identical;
using testing::max_abs_difference;
using testing::OpsReference;

const OpsReference& reference() { return OpsReference::load("detection"); }

TEST(BoxOps, MatchTorchvision) {
  const OpsReference& ref = reference();
  // The degenerate box gives IoU 0 with every box.
  EXPECT_LE(max_abs_difference(box_iou(ref.at("iou_a"), ref.at("iou_b")), ref.at("iou")), 1e-7);
  EXPECT_TRUE(clip_boxes_to_image(ref.at("clip_boxes"), 60, 90).equal(ref.at("clipped")));
  expect_identical(remove_small_boxes(ref.at("small_boxes"), 1.5), ref.at("kept_small"), "remove_small_boxes");
}

TEST(BoxOps, EdgeCases) {
  EXPECT_EQ(box_iou(torch::zeros({0, 4}), torch::ones({3, 4})).sizes(), (torch::IntArrayRef{0, 3}));
  EXPECT_EQ(box_area(torch::tensor({1.f, 2.f, 4.f, 6.f}).view({1, 4})).item<float>(), 12.f);
  // clip keeps the shape of [N, K, 4] per-class boxes.
  const torch::Tensor per_class = torch::tensor({-5.f, 3.f, 100.f, 7.f}).view({1, 1, 4}).repeat({2, 3, 1});
  const torch::Tensor clipped = clip_boxes_to_image(per_class, 10, 50);
  EXPECT_EQ(clipped.sizes(), per_class.sizes());
  EXPECT_TRUE(clipped[1][2].equal(torch::tensor({0.f, 3.f, 50.f, 7.f})));
  EXPECT_EQ(remove_small_boxes(torch::zeros({0, 4}), 1.0).numel(), 0);
  EXPECT_THROW(box_iou(torch::zeros({2, 3}), torch::zeros({2, 4})), InputError);
}

TEST(BoxCoder, MatchesTorchvision) {
  const OpsReference& ref = reference();
  const std::pair<std::string, std::array<double, 4>> settings[] = {{"rcnn", {10, 10, 5, 5}}, {"rpn", {1, 1, 1, 1}}};
  for (const auto& [name, weights] : settings) {
    const BoxCoder coder(weights);
    EXPECT_LE(max_abs_difference(coder.encode(ref.at("coder_reference"), ref.at("coder_proposals")),
                                 ref.at("coder_" + name + "_encoded")), 1e-6) << name;
    const torch::Tensor decoded = coder.decode(ref.at("coder_codes"), ref.at("coder_proposals"));
    EXPECT_EQ(decoded.sizes(), (torch::IntArrayRef{50, 3, 4}));
    // Values reach ~1e4 where the clamp binds: compare relative to magnitude.
    const torch::Tensor expected = ref.at("coder_" + name + "_decoded");
    EXPECT_TRUE(torch::allclose(decoded, expected, 1e-6, 1e-4)) << name;
  }
}

TEST(BoxCoder, DecodeInvertsEncode) {
  const OpsReference& ref = reference();
  const BoxCoder coder({10, 10, 5, 5});
  const torch::Tensor codes = coder.encode(ref.at("coder_reference"), ref.at("coder_proposals"));
  const torch::Tensor decoded = coder.decode(codes, ref.at("coder_proposals")).squeeze(1);
  EXPECT_LE(max_abs_difference(decoded, ref.at("coder_reference")), 1e-3);
  EXPECT_EQ(coder.decode(torch::zeros({0, 8}), torch::zeros({0, 4})).sizes(), (torch::IntArrayRef{0, 2, 4}));
  EXPECT_THROW(coder.decode(torch::zeros({3, 6}), torch::zeros({3, 4})), InputError);
  EXPECT_THROW(BoxCoder({1, 0, 1, 1}), InputError);
}

TEST(Matcher, MatchesTorchvisionWithAndWithoutLowQualityMatches) {
  const OpsReference& ref = reference();
  expect_identical(Matcher(0.7, 0.3, true)(ref.at("match_quality")), ref.at("matches_low_quality"), "low quality");
  expect_identical(Matcher(0.5, 0.5, false)(ref.at("match_quality")), ref.at("matches_plain"), "plain");
}

TEST(Matcher, EdgeCases) {
  EXPECT_THROW(Matcher(0.3, 0.7, false), InputError);
  EXPECT_THROW(Matcher(0.7, 0.3, true)(torch::zeros({0, 5})), InputError);
  EXPECT_THROW(Matcher(0.7, 0.3, true)(torch::zeros({2, 0})), InputError);
  // A ground truth whose best prediction is below `low` still gets it with low-quality matches.
  const torch::Tensor quality = torch::tensor({0.1f, 0.2f, 0.05f}).view({1, 3});
  expect_identical(Matcher(0.7, 0.3, true)(quality), torch::tensor({-1, 0, -1}), "rescued");
  expect_identical(Matcher(0.7, 0.3, false)(quality), torch::tensor({-1, -1, -1}), "not rescued");
}

TEST(BalancedSampler, MatchesTorchvisionWithTheSameSeed) {
  const OpsReference& ref = reference();
  torch::manual_seed(1234);
  const auto [positives, negatives] =
      BalancedPositiveNegativeSampler(256, 0.25)({ref.at("sampler_labels0"), ref.at("sampler_labels1")});
  ASSERT_EQ(positives.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(positives[i].scalar_type(), torch::kUInt8);
    expect_identical(positives[i], ref.at("sampler_pos" + std::to_string(i)), "positives");
    expect_identical(negatives[i], ref.at("sampler_neg" + std::to_string(i)), "negatives");
  }
  // At most 64 positives, 256 in all, only where the labels allow.
  EXPECT_EQ(positives[0].sum().item<int64_t>(), 64);
  EXPECT_EQ((positives[0] + negatives[0]).sum().item<int64_t>(), 256);
  EXPECT_TRUE((ref.at("sampler_labels0").index({positives[0].to(torch::kBool)}) >= 1).all().item<bool>());
  EXPECT_TRUE((ref.at("sampler_labels0").index({negatives[0].to(torch::kBool)}) == 0).all().item<bool>());
}

TEST(AnchorGenerator, MatchesTorchvision) {
  const OpsReference& ref = reference();
  std::vector<std::vector<double>> sizes = {{32}, {64}, {128}, {256}, {512}};
  const AnchorGenerator fpn(sizes, std::vector<std::vector<double>>(5, {0.5, 1.0, 2.0}));
  std::vector<torch::Tensor> maps;
  for (int64_t stride : {4, 8, 16, 32, 64}) maps.push_back(torch::zeros({2, 4, 224 / stride, 320 / stride}));
  const std::vector<torch::Tensor> anchors = fpn({{200, 300}, {224, 310}}, 224, 320, maps);
  ASSERT_EQ(anchors.size(), 2u);
  EXPECT_TRUE(anchors[0].equal(ref.at("anchors_fpn")));
  EXPECT_TRUE(anchors[1].equal(ref.at("anchors_fpn")));
  EXPECT_EQ(fpn.num_anchors_per_location(3), 3);

  const AnchorGenerator single({{32, 64, 128}}, {{0.5, 1.0, 2.0}});
  const auto one = single({{100, 130}}, 100, 130, {torch::zeros({1, 4, 13, 17})});
  EXPECT_TRUE(one[0].equal(ref.at("anchors_single")));
  EXPECT_EQ(single.num_anchors_per_location(0), 9);
  EXPECT_THROW(AnchorGenerator({{32}}, {{1.0}, {1.0}}), InputError);
  EXPECT_THROW(single({{100, 130}}, 100, 130, {}), InputError);
}

TEST(MultiScaleRoIAlign, MatchesTorchvisionLevelsAndOutput) {
  const OpsReference& ref = reference();
  const MultiScaleRoIAlign pooler({"0", "1", "2", "3"}, 7, 2);
  std::vector<torch::Tensor> features;
  for (int i = 0; i < 4; ++i) features.push_back(ref.at("msra_level" + std::to_string(i)));
  features.push_back(ref.at("msra_pool"));  // extra trailing level: ignored
  const std::vector<torch::Tensor> boxes = {ref.at("msra_boxes0"), ref.at("msra_boxes1")};
  const std::vector<std::pair<int64_t, int64_t>> sizes = {{200, 300}, {180, 310}};
  const std::vector<double> scales = pooler.infer_scales(features, sizes);
  const torch::Tensor expected_scales = ref.at("msra_scales");
  ASSERT_EQ(static_cast<int64_t>(scales.size()), expected_scales.numel());
  for (size_t i = 0; i < scales.size(); ++i) EXPECT_EQ(scales[i], expected_scales[i].item<double>());
  const torch::Tensor levels = pooler.assign_levels(boxes, scales);
  expect_identical(levels, ref.at("msra_assigned"), "levels");
  // The boxes span all four levels, so every branch is exercised.
  EXPECT_EQ(std::get<0>(torch::_unique(levels)).numel(), 4);
  EXPECT_LE(max_abs_difference(pooler.forward(features, boxes, sizes), ref.at("msra_output")), 1e-5);
}

TEST(MultiScaleRoIAlign, EdgeCasesAndGradients) {
  const MultiScaleRoIAlign pooler(2, 3, 2);
  std::vector<torch::Tensor> features = {torch::randn({1, 2, 64, 64}).set_requires_grad(true),
                                         torch::randn({1, 2, 32, 32}).set_requires_grad(true)};
  const std::vector<std::pair<int64_t, int64_t>> sizes = {{256, 256}};
  EXPECT_EQ(pooler.forward(features, {torch::zeros({0, 4})}, sizes).sizes(), (torch::IntArrayRef{0, 2, 3, 3}));
  // A small box (level 2) and a large one (sqrt(area) 200: level 3); both levels receive gradient.
  const torch::Tensor boxes = torch::tensor({1.f, 1.f, 9.f, 9.f, 0.f, 0.f, 200.f, 200.f}).view({2, 4});
  expect_identical(pooler.assign_levels({boxes}, pooler.infer_scales(features, sizes)), torch::tensor({0, 1}),
                   "levels");
  const torch::Tensor pooled = pooler.forward(features, {boxes}, sizes);
  pooled.sum().backward();
  EXPECT_GT(features[0].grad().abs().sum().item<double>(), 0.0);
  EXPECT_GT(features[1].grad().abs().sum().item<double>(), 0.0);
  EXPECT_THROW(pooler.forward({features[0]}, {boxes}, sizes), InputError);
  EXPECT_THROW(pooler.forward(features, {boxes}, {}), InputError);
}

TEST(PasteMasks, MatchesTorchvision) {
  const OpsReference& ref = reference();
  const torch::Tensor pasted = paste_masks_in_image(ref.at("paste_masks"), ref.at("paste_boxes"), 60, 80);
  const torch::Tensor expected = ref.at("pasted");
  EXPECT_LE(max_abs_difference(pasted, expected), 1e-5);
  expect_identical(pasted >= 0.5, expected >= 0.5, "thresholded masks");
  // The fully covering box shows that the paste really fills the image.
  EXPECT_GT((pasted[9] > 0).sum().item<int64_t>(), 60 * 80 / 2);
}

TEST(PasteMasks, TensorOpPathMatchesTorchvision) {
  const OpsReference& ref = reference();
  const torch::Tensor pasted =
      detail::paste_masks_in_image_tensor_ops(ref.at("paste_masks"), ref.at("paste_boxes"), 60, 80);
  EXPECT_LE(max_abs_difference(pasted, ref.at("pasted")), 1e-6);
}

TEST(PasteMasks, EdgeCases) {
  const torch::Tensor none = paste_masks_in_image(torch::zeros({0, 1, 28, 28}), torch::zeros({0, 4}), 30, 40);
  EXPECT_EQ(none.sizes(), (torch::IntArrayRef{0, 1, 30, 40}));
  // A box entirely outside the image pastes nothing.
  const torch::Tensor outside = paste_masks_in_image(torch::ones({1, 1, 14, 14}),
                                                     torch::tensor({50.f, 50.f, 70.f, 70.f}).view({1, 4}), 30, 40);
  EXPECT_EQ(outside.abs().sum().item<double>(), 0.0);
  EXPECT_THROW(paste_masks_in_image(torch::zeros({2, 1, 28, 28}), torch::zeros({1, 4}), 30, 40), InputError);
  EXPECT_THROW(paste_masks_in_image(torch::zeros({2, 28, 28}), torch::zeros({2, 4}), 30, 40), InputError);
}

}  // namespace
}  // namespace counterscope::modeling
