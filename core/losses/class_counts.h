#pragma once
// Helpers shared by the frequency-aware losses (CM, LR).

#include <string>
#include <vector>

#include <torch/torch.h>

namespace counterscope::losses {

/// Checks that `counts` has one entry per class (background included, index 0) and returns them as a
/// double tensor with zero counts raised to 1 — a class never seen in training is treated as seen once,
/// which gives it the largest margin / weight instead of an infinite one.
torch::Tensor clamped_class_counts(const std::vector<double>& counts, std::int64_t num_classes,
                                   const std::string& loss_name);

}  // namespace counterscope::losses
