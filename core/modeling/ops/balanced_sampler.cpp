#include "core/modeling/ops/balanced_sampler.h"

#include <algorithm>
#include <string>

#include "core/modeling/ops/ops_checks.h"

namespace counterscope::modeling {

BalancedPositiveNegativeSampler::BalancedPositiveNegativeSampler(int64_t batch_size_per_image,
                                                                 double positive_fraction)
    : m_batch_size_per_image(batch_size_per_image), m_positive_fraction(positive_fraction) {
  ops_detail::check_positive(batch_size_per_image, "BalancedPositiveNegativeSampler", "batch_size_per_image");
  if (!(positive_fraction >= 0.0 && positive_fraction <= 1.0)) {
    throw InputError("BalancedPositiveNegativeSampler", "positive_fraction", std::to_string(positive_fraction),
                     "must be in [0, 1]");
  }
}

std::pair<std::vector<torch::Tensor>, std::vector<torch::Tensor>> BalancedPositiveNegativeSampler::operator()(
    const std::vector<torch::Tensor>& matched_idxs) const {
  std::vector<torch::Tensor> positive_masks, negative_masks;
  positive_masks.reserve(matched_idxs.size());
  negative_masks.reserve(matched_idxs.size());
  for (size_t image = 0; image < matched_idxs.size(); ++image) {
    const torch::Tensor& labels = matched_idxs[image];
    if (!labels.defined() || labels.dim() != 1) {
      throw ops_detail::shape_error("BalancedPositiveNegativeSampler", "matched_idxs[" + std::to_string(image) + "]",
                                    labels, "expected labels [P]");
    }
    const torch::Tensor positive = torch::where(labels >= 1)[0];
    const torch::Tensor negative = torch::where(labels == 0)[0];
    // int() of the product, as torchvision, so 512 * 0.25 gives exactly 128.
    const int64_t wanted_positive = static_cast<int64_t>(static_cast<double>(m_batch_size_per_image) * m_positive_fraction);
    const int64_t num_positive = std::min(positive.numel(), wanted_positive);
    const int64_t num_negative = std::min(negative.numel(), m_batch_size_per_image - num_positive);
    // Two randperm draws in this order, like torchvision, so a shared seed gives the same sample.
    const torch::Tensor perm_positive =
        torch::randperm(positive.numel(), positive.options()).narrow(0, 0, num_positive);
    const torch::Tensor perm_negative =
        torch::randperm(negative.numel(), negative.options()).narrow(0, 0, num_negative);
    torch::Tensor positive_mask = torch::zeros_like(labels, labels.options().dtype(torch::kUInt8));
    torch::Tensor negative_mask = torch::zeros_like(labels, labels.options().dtype(torch::kUInt8));
    positive_mask.index_fill_(0, positive.index_select(0, perm_positive), 1);
    negative_mask.index_fill_(0, negative.index_select(0, perm_negative), 1);
    positive_masks.push_back(positive_mask);
    negative_masks.push_back(negative_mask);
  }
  return {positive_masks, negative_masks};
}

}  // namespace counterscope::modeling
