#include "core/losses/seesaw_loss.h"

#include "core/util/error.h"

namespace counterscope::losses {

SeesawLoss::SeesawLoss(const LossOptions& options)
    : m_p(options.seesaw_p), m_q(options.seesaw_q), m_eps(options.seesaw_eps),
      m_objectness(options.seesaw_objectness) {}

std::int64_t SeesawLoss::logit_count(std::int64_t num_classes) const {
  // C foreground logits + 2 objectness logits replace the single background logit.
  return m_objectness ? num_classes + 1 : num_classes;
}

torch::Tensor SeesawLoss::seesaw_cross_entropy_sum(const torch::Tensor& logits, const torch::Tensor& targets,
                                                   const torch::Tensor& counts) const {
  const std::int64_t columns = logits.size(1);
  const torch::Tensor one_hot = torch::one_hot(targets, columns).to(logits.dtype());
  torch::Tensor weights = torch::ones_like(logits);
  if (m_p > 0) {
    // ratio[i][j] = N_j / N_i; mitigate only where the true class i is the more frequent one.
    const torch::Tensor clamped = counts.clamp_min(1.0).to(logits.dtype());
    const torch::Tensor ratio = clamped.unsqueeze(0) / clamped.unsqueeze(1);
    const torch::Tensor mitigation = torch::where(ratio < 1.0, ratio.pow(m_p), torch::ones_like(ratio));
    weights = weights * mitigation.index_select(0, targets);
  }
  if (m_q > 0) {
    // Compensation uses the current scores but carries no gradient (as mmdetection detaches them).
    const torch::Tensor scores = torch::softmax(logits.detach(), 1);
    const torch::Tensor self_scores = scores.gather(1, targets.unsqueeze(1)).clamp_min(m_eps);
    const torch::Tensor relative = scores / self_scores;
    weights = weights * torch::where(relative > 1.0, relative.pow(m_q), torch::ones_like(relative));
  }
  const torch::Tensor adjusted = logits + weights.log() * (1.0 - one_hot);
  return -torch::log_softmax(adjusted, 1).gather(1, targets.unsqueeze(1)).sum();
}

torch::Tensor SeesawLoss::forward(const torch::Tensor& logits, const torch::Tensor& labels) {
  const std::int64_t num_classes = m_objectness ? logits.size(1) - 1 : logits.size(1);
  if (!m_counts.defined() || m_counts.size(0) != num_classes) {
    if (m_counts.defined())
      throw InputError("loss seesaw", "logits", std::to_string(logits.size(1)) + " columns",
                       "does not match the accumulated counts of " + std::to_string(m_counts.size(0)) + " classes");
    m_counts = torch::zeros({num_classes}, torch::kFloat64);
  }
  if (logits.size(0) == 0) return logits.sum() * 0.0;
  // Counts are updated before the loss, as mmdetection does, so the current batch already counts.
  m_counts += torch::bincount(labels.to(torch::kCPU), {}, num_classes).to(torch::kFloat64);
  const double roi_count = static_cast<double>(logits.size(0));
  const torch::Tensor counts = m_counts.to(logits.device());

  if (!m_objectness) return seesaw_cross_entropy_sum(logits, labels, counts) / roi_count;

  const torch::Tensor class_logits = logits.slice(1, 0, num_classes - 1);
  const torch::Tensor objectness_logits = logits.slice(1, num_classes - 1);
  const torch::Tensor foreground = labels > 0;
  torch::Tensor class_loss = class_logits.sum() * 0.0;
  if (foreground.any().item<bool>()) {
    class_loss = seesaw_cross_entropy_sum(class_logits.index({foreground}), labels.index({foreground}) - 1,
                                          counts.slice(0, 1));
  }
  const torch::Tensor objectness_targets = (labels == 0).to(torch::kLong);  // 0 = object, 1 = not object
  const torch::Tensor objectness_loss =
      -torch::log_softmax(objectness_logits, 1).gather(1, objectness_targets.unsqueeze(1)).sum();
  return (class_loss + objectness_loss) / roi_count;
}

torch::Tensor SeesawLoss::probabilities(const torch::Tensor& logits) const {
  if (!m_objectness) return torch::softmax(logits, -1);
  const std::int64_t foreground_classes = logits.size(1) - 2;
  const torch::Tensor class_scores = torch::softmax(logits.slice(1, 0, foreground_classes), -1);
  const torch::Tensor objectness = torch::softmax(logits.slice(1, foreground_classes), -1);
  return torch::cat({objectness.slice(1, 1, 2), class_scores * objectness.slice(1, 0, 1)}, 1);
}

LossState SeesawLoss::state() const {
  // Always the same key, empty before the first batch, so checkpoints have a fixed layout.
  return {{"seesaw.accumulated_counts", m_counts.defined() ? m_counts.clone() : torch::zeros({0}, torch::kFloat64)}};
}

void SeesawLoss::load_state(const LossState& state) {
  for (const auto& [name, tensor] : state) {
    if (name != "seesaw.accumulated_counts") continue;
    if (tensor.numel() == 0) break;
    if (tensor.dim() != 1)
      throw InputError("loss seesaw", name, "shape of " + std::to_string(tensor.dim()) + " dimensions",
                       "expected a vector of class counts");
    m_counts = tensor.to(torch::kCPU, torch::kFloat64).clone();
    return;
  }
  m_counts = torch::Tensor();
}

}  // namespace counterscope::losses
