#pragma once
// SS, seesaw loss, in mmdetection's formulation (Wang et al., CVPR 2021):
//   σ̂_i = e^{z_i} / (e^{z_i} + Σ_{j≠i} S_ij e^{z_j}),  S_ij = M_ij · C_ij
//   M_ij = (N_j / N_i)^p if N_i > N_j else 1   (mitigation: a frequent true class i stops pushing rare j down)
//   C_ij = (σ_j / σ_i)^q if σ_j > σ_i else 1   (compensation: a misclassified j is penalised again)
// N counts the sampled RoIs per class, accumulated online across iterations (so it is checkpoint state).
//
// With objectness (the default, as mmdetection), the predictor emits C + 2 logits laid out as
// [class 1 .. class C, object, not-object]: seesaw cross-entropy on the class logits of foreground RoIs
// plus a two-way cross-entropy on the objectness logits of all RoIs, both divided by the RoI count.
// Inference: p(class k) = softmax(classes)_k · p(object), p(background) = p(not-object).
// Without objectness, seesaw cross-entropy runs over [background, classes] for all RoIs.

#include "core/losses/classification_loss.h"

namespace counterscope::losses {

class SeesawLoss final : public ClassificationLoss {
 public:
  explicit SeesawLoss(const LossOptions& options);
  std::string name() const override { return "seesaw"; }
  std::int64_t logit_count(std::int64_t num_classes) const override;
  torch::Tensor forward(const torch::Tensor& logits, const torch::Tensor& labels) override;
  torch::Tensor probabilities(const torch::Tensor& logits) const override;
  LossState state() const override;
  void load_state(const LossState& state) override;

  /// Accumulated RoI counts per contiguous label (index 0 = background); empty before the first batch.
  const torch::Tensor& accumulated_counts() const { return m_counts; }

 private:
  /// Seesaw cross-entropy (summed, not averaged) of `logits` [N, K] against `targets` in [0, K),
  /// with `counts` [K] the accumulated sample counts of those K columns.
  torch::Tensor seesaw_cross_entropy_sum(const torch::Tensor& logits, const torch::Tensor& targets,
                                         const torch::Tensor& counts) const;

  double m_p, m_q, m_eps;
  bool m_objectness;
  torch::Tensor m_counts;  // float64 [num_classes]
};

}  // namespace counterscope::losses
