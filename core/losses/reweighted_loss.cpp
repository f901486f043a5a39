#include "core/losses/reweighted_loss.h"

#include "core/losses/class_counts.h"

namespace counterscope::losses {

ReweightedLoss::ReweightedLoss(const LossOptions& options)
    : m_counts(options.class_instance_counts),
      m_effective_number(options.lr_weighting == "effective_number"),
      m_beta(options.lr_beta) {}

torch::Tensor ReweightedLoss::class_weights(std::int64_t num_classes) const {
  const torch::Tensor counts = clamped_class_counts(m_counts, num_classes, "lr");
  torch::Tensor weights = m_effective_number
                              ? (1.0 - m_beta) / (1.0 - torch::pow(torch::full_like(counts, m_beta), counts))
                              : 1.0 / counts;
  if (num_classes > 1) {
    torch::Tensor foreground = weights.slice(0, 1);
    foreground.div_(foreground.mean());
  }
  weights[0] = 1.0;
  return weights;
}

torch::Tensor ReweightedLoss::forward(const torch::Tensor& logits, const torch::Tensor& labels) {
  if (logits.size(0) == 0) return logits.sum() * 0.0;
  const torch::Tensor weights = class_weights(logits.size(1)).to(logits.options());
  const torch::Tensor nll = -torch::log_softmax(logits, 1).gather(1, labels.unsqueeze(1)).squeeze(1);
  return (weights.index_select(0, labels) * nll).mean();
}

}  // namespace counterscope::losses
