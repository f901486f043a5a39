#include "core/losses/focal_loss.h"

namespace counterscope::losses {

torch::Tensor FocalLoss::forward(const torch::Tensor& logits, const torch::Tensor& labels) {
  if (logits.size(0) == 0) return logits.sum() * 0.0;
  const torch::Tensor log_p = torch::log_softmax(logits, 1).gather(1, labels.unsqueeze(1)).squeeze(1);
  // (1 - p)^γ from log p keeps precision when p is close to 1.
  const torch::Tensor modulating = (-torch::expm1(log_p)).clamp_min(0.0).pow(m_gamma);
  return (-modulating * log_p).mean();
}

}  // namespace counterscope::losses
