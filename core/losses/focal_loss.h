#pragma once
// FL, focal loss in the softmax form the report uses: L = mean over RoIs of −(1 − p_y)^γ log p_y.

#include "core/losses/classification_loss.h"

namespace counterscope::losses {

class FocalLoss final : public ClassificationLoss {
 public:
  explicit FocalLoss(const LossOptions& options) : m_gamma(options.focal_gamma) {}
  std::string name() const override { return "fl"; }
  torch::Tensor forward(const torch::Tensor& logits, const torch::Tensor& labels) override;

 private:
  double m_gamma;
};

}  // namespace counterscope::losses
