#pragma once
// The unconditional PatchGAN-style discriminator of counterfactual training: 4x4 stride-2 convolutions with
// LeakyReLU (GroupNorm after the first), then a 3x3 stride-1 convolution giving one realism score per patch.
// It sees images only (no labels), trained with the least-squares GAN loss.

#include <torch/torch.h>

#include "core/counterfactual/counterfactual_options.h"

namespace counterscope::counterfactual {

class PatchDiscriminatorImpl : public torch::nn::Module {
 public:
  explicit PatchDiscriminatorImpl(DiscriminatorOptions options);
  /// images [N, 3, H, W] RGB in [0, 1] -> patch scores [N, 1, h, w] (real ~ 1, generated ~ 0).
  torch::Tensor forward(const torch::Tensor& images);
  const DiscriminatorOptions& options() const { return m_options; }

 private:
  DiscriminatorOptions m_options;
  torch::nn::Sequential m_layers{nullptr};
};
TORCH_MODULE(PatchDiscriminator);

}  // namespace counterscope::counterfactual
