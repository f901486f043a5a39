#pragma once
// Region proposal network (torchvision's RPNHead + RegionProposalNetwork): objectness and box deltas for
// every anchor of every FPN level, top-n per level, clipping, small-box removal, per-level NMS, and in
// training the anchor losses (matcher 0.7/0.3 with low-quality matches, balanced sampling, BCE and
// smooth L1 with beta 1/9).

#include <cstdint>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "core/modeling/detection_types.h"
#include "core/modeling/model_config.h"
#include "core/modeling/ops/anchor_generator.h"
#include "core/modeling/ops/balanced_sampler.h"
#include "core/modeling/ops/box_coder.h"
#include "core/modeling/ops/matcher.h"

namespace counterscope::modeling {

/// The shared 3x3 conv + ReLU and the two 1x1 predictors ("conv.0.0", "cls_logits", "bbox_pred").
class RpnHeadImpl : public torch::nn::Module {
 public:
  RpnHeadImpl(std::int64_t in_channels, std::int64_t num_anchors);
  /// Per level: (objectness [N, A, H, W], box deltas [N, 4A, H, W]).
  std::pair<std::vector<torch::Tensor>, std::vector<torch::Tensor>> forward(
      const std::vector<torch::Tensor>& features);

 private:
  torch::nn::Conv2d m_conv{nullptr}, m_cls_logits{nullptr}, m_bbox_pred{nullptr};
};
TORCH_MODULE(RpnHead);

/// Proposals per image, and the RPN losses in training.
struct RpnOutput {
  std::vector<torch::Tensor> proposals;  ///< per image [P, 4] (detached)
  std::vector<torch::Tensor> scores;     ///< per image [P] objectness probabilities
  LossDict losses;                       ///< loss_objectness, loss_rpn_box_reg (training only)
};

class RegionProposalNetworkImpl : public torch::nn::Module {
 public:
  RegionProposalNetworkImpl(const RpnConfig& config, const AnchorConfig& anchors, std::int64_t in_channels);
  /// features: P2..P6; targets needed when `training` (losses computed).
  RpnOutput forward(const ImageList& images, const std::vector<torch::Tensor>& features,
                    const std::vector<Target>* targets, bool training);

  /// Foreground (1), background (0) or ignored (-1) label and matched ground-truth box of each anchor.
  std::pair<std::vector<torch::Tensor>, std::vector<torch::Tensor>> assign_targets_to_anchors(
      const std::vector<torch::Tensor>& anchors, const std::vector<Target>& targets) const;

 private:
  std::pair<std::vector<torch::Tensor>, std::vector<torch::Tensor>> filter_proposals(
      const torch::Tensor& proposals, const torch::Tensor& objectness, const std::vector<ImageSize>& image_sizes,
      const std::vector<std::int64_t>& anchors_per_level, bool training) const;
  LossDict compute_loss(const torch::Tensor& objectness, const torch::Tensor& deltas,
                        const std::vector<torch::Tensor>& labels,
                        const std::vector<torch::Tensor>& regression_targets) const;

  RpnConfig m_config;
  AnchorGenerator m_anchor_generator;
  RpnHead m_head{nullptr};
  BoxCoder m_box_coder;
  Matcher m_matcher;
  BalancedPositiveNegativeSampler m_sampler;
};
TORCH_MODULE(RegionProposalNetwork);

}  // namespace counterscope::modeling
