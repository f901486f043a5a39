#pragma once
// Box branch of the RoI heads: TwoMLPHead ("fc6", "fc7") and FastRCNNPredictor ("cls_score", "bbox_pred"),
// torchvision's names. The classifier is linear (torchvision) or cosine (normalised features and weights,
// times a scale, as the normalised-linear classifier of seesaw / LDAM setups).

#include <cstdint>

#include <torch/torch.h>

namespace counterscope::modeling {

class TwoMlpHeadImpl : public torch::nn::Module {
 public:
  TwoMlpHeadImpl(std::int64_t in_features, std::int64_t representation_size);
  /// [K, C, P, P] pooled features -> [K, representation_size].
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Linear m_fc6{nullptr}, m_fc7{nullptr};
};
TORCH_MODULE(TwoMlpHead);

class FastRcnnPredictorImpl : public torch::nn::Module {
 public:
  /// logit_count: columns of cls_score (the classification loss decides, usually num_classes);
  /// num_classes: classes including background, bbox_pred has 4 per class. cosine_scale > 0 selects the
  /// cosine classifier (cls_score then has no bias).
  FastRcnnPredictorImpl(std::int64_t in_features, std::int64_t logit_count, std::int64_t num_classes,
                        double cosine_scale = 0.0);
  /// Returns (class logits [K, logit_count], box regression [K, 4 * num_classes]).
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& x);

 private:
  torch::nn::Linear m_cls_score{nullptr}, m_bbox_pred{nullptr};
  double m_cosine_scale;
};
TORCH_MODULE(FastRcnnPredictor);

}  // namespace counterscope::modeling
