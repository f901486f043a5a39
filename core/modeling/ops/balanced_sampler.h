#pragma once
// Samples a fixed-size, class-balanced minibatch of predictions per image (torchvision's
// BalancedPositiveNegativeSampler). Draws with torch::randperm on the global generator, so
// torch::manual_seed makes it reproducible (and identical to torchvision with the same seed).

#include <cstdint>
#include <utility>
#include <vector>

#include <torch/types.h>

namespace counterscope::modeling {

class BalancedPositiveNegativeSampler {
 public:
  /// batch_size_per_image: predictions sampled per image; positive_fraction: at most this share of
  /// them positive (the rest is filled with negatives).
  BalancedPositiveNegativeSampler(int64_t batch_size_per_image, double positive_fraction);

  /// matched_idxs: per image [P] int64 labels, >= 1 positive, 0 negative, < 0 ignored.
  /// Returns (positive masks, negative masks), per image [P] uint8 with 1 on sampled entries.
  std::pair<std::vector<torch::Tensor>, std::vector<torch::Tensor>> operator()(
      const std::vector<torch::Tensor>& matched_idxs) const;

  int64_t batch_size_per_image() const { return m_batch_size_per_image; }
  double positive_fraction() const { return m_positive_fraction; }

 private:
  int64_t m_batch_size_per_image;
  double m_positive_fraction;
};

}  // namespace counterscope::modeling
