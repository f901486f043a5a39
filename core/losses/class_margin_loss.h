#pragma once
// CM, class-aware margin (LDAM): the true class's logit is lowered by s·Δ_y before softmax cross-entropy,
// Δ_j = C / N_j^{1/4} with C chosen so that the largest margin is `max_margin`. Rare classes get larger
// margins. Expects the logits of a cosine classifier already multiplied by the scale s (the model's
// classifier "cosine" with scale = cm_scale). Background gets no margin: its "count" is not a class frequency.

#include "core/losses/classification_loss.h"

namespace counterscope::losses {

class ClassMarginLoss final : public ClassificationLoss {
 public:
  explicit ClassMarginLoss(const LossOptions& options);
  std::string name() const override { return "cm"; }
  torch::Tensor forward(const torch::Tensor& logits, const torch::Tensor& labels) override;
  /// Δ_j per class (index 0 = background = 0), for inspection and tests.
  torch::Tensor margins(std::int64_t num_classes) const;

 private:
  std::vector<double> m_counts;
  double m_max_margin;
  double m_scale;
};

}  // namespace counterscope::losses
