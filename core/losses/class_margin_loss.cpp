#include "core/losses/class_margin_loss.h"

#include "core/losses/class_counts.h"

namespace counterscope::losses {

ClassMarginLoss::ClassMarginLoss(const LossOptions& options)
    : m_counts(options.class_instance_counts), m_max_margin(options.cm_max_margin), m_scale(options.cm_scale) {}

torch::Tensor ClassMarginLoss::margins(std::int64_t num_classes) const {
  const torch::Tensor counts = clamped_class_counts(m_counts, num_classes, "cm");
  torch::Tensor raw = counts.pow(-0.25);
  raw[0] = 0.0;
  const double largest = num_classes > 1 ? raw.slice(0, 1).max().item<double>() : 1.0;
  return raw * (m_max_margin / largest);
}

torch::Tensor ClassMarginLoss::forward(const torch::Tensor& logits, const torch::Tensor& labels) {
  if (logits.size(0) == 0) return logits.sum() * 0.0;
  const torch::Tensor delta = margins(logits.size(1)).to(logits.options());
  const torch::Tensor true_margin = delta.index_select(0, labels) * m_scale;
  const torch::Tensor shifted =
      logits - torch::one_hot(labels, logits.size(1)).to(logits.dtype()) * true_margin.unsqueeze(1);
  return torch::nn::functional::cross_entropy(shifted, labels);
}

}  // namespace counterscope::losses
