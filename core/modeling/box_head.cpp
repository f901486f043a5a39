#include "core/modeling/box_head.h"

namespace counterscope::modeling {

namespace nn = torch::nn;

TwoMlpHeadImpl::TwoMlpHeadImpl(std::int64_t in_features, std::int64_t representation_size) {
  m_fc6 = register_module("fc6", nn::Linear(in_features, representation_size));
  m_fc7 = register_module("fc7", nn::Linear(representation_size, representation_size));
}

torch::Tensor TwoMlpHeadImpl::forward(const torch::Tensor& x) {
  return m_fc7->forward(m_fc6->forward(x.flatten(1)).relu_()).relu_();
}

FastRcnnPredictorImpl::FastRcnnPredictorImpl(std::int64_t in_features, std::int64_t logit_count,
                                             std::int64_t num_classes, double cosine_scale)
    : m_cosine_scale(cosine_scale) {
  m_cls_score = register_module(
      "cls_score", nn::Linear(nn::LinearOptions(in_features, logit_count).bias(cosine_scale <= 0.0)));
  m_bbox_pred = register_module("bbox_pred", nn::Linear(in_features, num_classes * 4));
}

std::pair<torch::Tensor, torch::Tensor> FastRcnnPredictorImpl::forward(const torch::Tensor& x_in) {
  const auto x = x_in.flatten(1);
  torch::Tensor logits;
  if (m_cosine_scale > 0.0) {
    // The eps keeps all-zero (fully ReLU-suppressed) features finite.
    const auto features = x / (x.norm(2, 1, true) + 1e-6);
    const auto weights = m_cls_score->weight / (m_cls_score->weight.norm(2, 1, true) + 1e-6);
    logits = m_cosine_scale * torch::mm(features, weights.t());
  } else {
    logits = m_cls_score->forward(x);
  }
  return {logits, m_bbox_pred->forward(x)};
}

}  // namespace counterscope::modeling
