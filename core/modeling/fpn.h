#pragma once
// Feature pyramid network on a ResNet body (torchvision's BackboneWithFPN with LastLevelMaxPool):
// levels P2..P5 ("0".."3") plus P6 ("pool", a stride-2 max-pool of P5). Module names follow
// torchvision 0.14 (fpn.inner_blocks.0.0, fpn.layer_blocks.0.0: Conv2dNormActivation wrappers).

#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "core/modeling/conv_block.h"
#include "core/modeling/model_config.h"
#include "core/modeling/resnet.h"

namespace counterscope::modeling {

class FeaturePyramidNetworkImpl : public torch::nn::Module {
 public:
  FeaturePyramidNetworkImpl(const std::vector<std::int64_t>& in_channels, std::int64_t out_channels);
  /// C2..C5 -> P2..P6 (the last by max-pooling P5 with kernel 1, stride 2).
  std::vector<torch::Tensor> forward(const std::vector<torch::Tensor>& features);

 private:
  torch::nn::ModuleList m_inner_blocks, m_layer_blocks;
  std::vector<torch::nn::Conv2d> m_inner, m_layer;
};
TORCH_MODULE(FeaturePyramidNetwork);

/// backbone.body (ResNet) + backbone.fpn.
class BackboneWithFpnImpl : public torch::nn::Module {
 public:
  explicit BackboneWithFpnImpl(const BackboneConfig& config);
  /// Normalised, batched images [N,3,H,W] -> five feature maps, strides 4, 8, 16, 32, 64.
  std::vector<torch::Tensor> forward(const torch::Tensor& images);
  std::int64_t out_channels() const { return m_out_channels; }
  ResNetBody body() const { return m_body; }

 private:
  ResNetBody m_body{nullptr};
  FeaturePyramidNetwork m_fpn{nullptr};
  std::int64_t m_out_channels;
};
TORCH_MODULE(BackboneWithFpn);

}  // namespace counterscope::modeling
