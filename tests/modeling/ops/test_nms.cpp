// NMS and batched NMS against torchvision 0.14 (identical indices, ties included) and edge cases.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/modeling/ops/box_ops.h"
#include "core/modeling/ops/nms.h"
#include "core/util/error.h"
#include "tests/modeling/ops/ops_reference.h"

namespace counterscope::modeling {
namespace {

using testing::expect_identical;
using testing::OpsReference;

TEST(Nms, MatchesTorchvisionIncludingTies) {
  const OpsReference& ref = OpsReference::load("nms");
  for (const std::string name : {"ties", "unique", "degenerate", "identical"}) {
    const torch::Tensor keep =
        nms(ref.at(name + "_boxes"), ref.at(name + "_scores"), ref.scalar(name + "_threshold"));
    EXPECT_EQ(keep.scalar_type(), torch::kInt64);
    expect_identical(keep, ref.at(name + "_keep"), "nms case " + name);
  }
}

TEST(Nms, TensorOpPathMatchesTorchvision) {
  const OpsReference& ref = OpsReference::load("nms");
  for (const std::string name : {"ties", "unique", "degenerate", "identical"}) {
    const torch::Tensor keep =
        detail::nms_tensor_ops(ref.at(name + "_boxes"), ref.at(name + "_scores"), ref.scalar(name + "_threshold"));
    expect_identical(keep, ref.at(name + "_keep"), "tensor-op nms case " + name);
  }
}

TEST(Nms, BatchedMatchesTorchvisionOnBothStrategies) {
  const OpsReference& ref = OpsReference::load("nms");
  // 500 boxes: coordinate-offset path; 3000 boxes: per-category path.
  for (const std::string name : {"batched_small", "batched_large"}) {
    const torch::Tensor keep =
        batched_nms(ref.at(name + "_boxes"), ref.at(name + "_scores"), ref.at(name + "_idxs"), 0.5);
    expect_identical(keep, ref.at(name + "_keep"), name);
  }
}

TEST(Nms, KeptBoxesDoNotOverlapAboveThreshold) {
  torch::manual_seed(3);
  const torch::Tensor xy = torch::rand({200, 2}) * 50;
  const torch::Tensor boxes = torch::cat({xy, xy + torch::rand({200, 2}) * 20 + 1}, 1);
  const torch::Tensor scores = torch::rand({200});
  const torch::Tensor keep = nms(boxes, scores, 0.4);
  const torch::Tensor kept = boxes.index_select(0, keep);
  const torch::Tensor iou = box_iou(kept, kept) - torch::eye(keep.size(0));
  EXPECT_LE(iou.max().item<double>(), 0.4);
  // Sorted by decreasing score.
  const torch::Tensor kept_scores = scores.index_select(0, keep);
  EXPECT_TRUE((kept_scores.slice(0, 1) <= kept_scores.slice(0, 0, -1)).all().item<bool>());
  // Every suppressed box overlaps some kept box with a higher score by more than the threshold.
  torch::Tensor is_kept = torch::zeros({200}, torch::kBool).index_fill_(0, keep, true);
  const torch::Tensor overlaps = box_iou(boxes, kept) > 0.4;
  for (int64_t i = 0; i < 200; ++i) {
    if (is_kept[i].item<bool>()) continue;
    EXPECT_TRUE(overlaps[i].any().item<bool>()) << "box " << i << " suppressed without an overlapping kept box";
  }
}

TEST(Nms, EmptyInputs) {
  const torch::Tensor none = torch::zeros({0, 4});
  EXPECT_EQ(nms(none, torch::zeros({0}), 0.5).numel(), 0);
  EXPECT_EQ(batched_nms(none, torch::zeros({0}), torch::zeros({0}, torch::kInt64), 0.5).numel(), 0);
  EXPECT_EQ(nms(none, torch::zeros({0}), 0.5).scalar_type(), torch::kInt64);
}

TEST(Nms, BatchedKeepsOverlappingBoxesOfDifferentCategories) {
  const torch::Tensor boxes = torch::tensor({0.f, 0.f, 10.f, 10.f, 0.f, 0.f, 10.f, 10.f, 1.f, 1.f, 10.f, 10.f}).view({3, 4});
  const torch::Tensor scores = torch::tensor({0.9f, 0.8f, 0.7f});
  const torch::Tensor idxs = torch::tensor({0, 1, 0}, torch::kInt64);
  expect_identical(batched_nms(boxes, scores, idxs, 0.5), torch::tensor({0, 1}, torch::kInt64), "two categories");
  expect_identical(nms(boxes, scores, 0.5), torch::tensor({0}, torch::kInt64), "one category");
}

TEST(Nms, DoubleBoxesGiveTheSameResult) {
  const OpsReference& ref = OpsReference::load("nms");
  const torch::Tensor keep = nms(ref.at("unique_boxes").to(torch::kFloat64), ref.at("unique_scores").to(torch::kFloat64),
                                 ref.scalar("unique_threshold"));
  expect_identical(keep, ref.at("unique_keep"), "float64");
}

TEST(Nms, RejectsBadInputs) {
  EXPECT_THROW(nms(torch::zeros({3, 5}), torch::zeros({3}), 0.5), InputError);
  EXPECT_THROW(nms(torch::zeros({3, 4}), torch::zeros({2}), 0.5), InputError);
  EXPECT_THROW(nms(torch::zeros({3, 4}), torch::zeros({3}, torch::kFloat64), 0.5), InputError);
  EXPECT_THROW(batched_nms(torch::zeros({3, 4}), torch::zeros({3}), torch::zeros({3}), 0.5), InputError);
  try {
    nms(torch::zeros({3, 5}), torch::zeros({3}), 0.5);
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("[3, 5]"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace counterscope::modeling
