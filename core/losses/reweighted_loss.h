#pragma once
// LR, loss re-weighting: L = mean over RoIs of −w_y log p_y with w from the inverse class frequency or the
// effective number of samples (1−β)/(1−β^{N_j}), normalised to mean 1 over the foreground classes;
// background keeps weight 1 so the foreground/background balance of the sampler is unchanged.

#include "core/losses/classification_loss.h"

namespace counterscope::losses {

class ReweightedLoss final : public ClassificationLoss {
 public:
  explicit ReweightedLoss(const LossOptions& options);
  std::string name() const override { return "lr"; }
  torch::Tensor forward(const torch::Tensor& logits, const torch::Tensor& labels) override;
  /// w_j per class (index 0 = background = 1).
  torch::Tensor class_weights(std::int64_t num_classes) const;

 private:
  std::vector<double> m_counts;
  bool m_effective_number;
  double m_beta;
};

}  // namespace counterscope::losses
