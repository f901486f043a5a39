#include "core/counterfactual/patch_discriminator.h"

#include <algorithm>
#include <numeric>

namespace counterscope::counterfactual {

PatchDiscriminatorImpl::PatchDiscriminatorImpl(DiscriminatorOptions options) : m_options(options) {
  namespace nn = torch::nn;
  m_layers = register_module("layers", nn::Sequential());
  std::int64_t in = 3, out = m_options.width;
  for (std::int64_t layer = 0; layer < m_options.layers; ++layer) {
    m_layers->push_back(nn::Conv2d(nn::Conv2dOptions(in, out, 4).stride(2).padding(1)));
    if (layer > 0) m_layers->push_back(nn::GroupNorm(std::gcd(out, std::int64_t{8}), out));
    m_layers->push_back(nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2)));
    in = out;
    out = std::min<std::int64_t>(out * 2, m_options.width * 8);
  }
  m_layers->push_back(nn::Conv2d(nn::Conv2dOptions(in, 1, 3).stride(1).padding(1)));
}

torch::Tensor PatchDiscriminatorImpl::forward(const torch::Tensor& images) {
  // Centre the input: the generator's images are in [0, 1].
  return m_layers->forward(images * 2.0 - 1.0);
}

}  // namespace counterscope::counterfactual
