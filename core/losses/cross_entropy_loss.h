#pragma once
// CE: plain softmax cross-entropy over [background, classes] — the report's "r50" baseline.

#include "core/losses/classification_loss.h"

namespace counterscope::losses {

class CrossEntropyLoss final : public ClassificationLoss {
 public:
  std::string name() const override { return "ce"; }
  torch::Tensor forward(const torch::Tensor& logits, const torch::Tensor& labels) override;
};

}  // namespace counterscope::losses
