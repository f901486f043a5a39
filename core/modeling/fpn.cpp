#include "core/modeling/fpn.h"

namespace counterscope::modeling {
namespace {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

// A conv with bias, initialised as torchvision's FPN (kaiming_uniform_ a=1, zero bias), wrapped so that its
// parameters are named "<i>.0.weight" like torchvision's Conv2dNormActivation.
ConvBlock wrapped_conv(std::int64_t in, std::int64_t out, std::int64_t kernel) {
  nn::Conv2d conv(nn::Conv2dOptions(in, out, kernel).padding(kernel / 2).bias(true));
  nn::init::kaiming_uniform_(conv->weight, 1.0);
  nn::init::zeros_(conv->bias);
  return ConvBlock(conv, false);
}

}  // namespace

FeaturePyramidNetworkImpl::FeaturePyramidNetworkImpl(const std::vector<std::int64_t>& in_channels,
                                                     std::int64_t out_channels) {
  for (auto channels : in_channels) {
    auto inner = wrapped_conv(channels, out_channels, 1);
    auto layer = wrapped_conv(out_channels, out_channels, 3);
    m_inner_blocks->push_back(inner);
    m_layer_blocks->push_back(layer);
    m_inner.push_back(inner->conv());
    m_layer.push_back(layer->conv());
  }
  register_module("inner_blocks", m_inner_blocks);
  register_module("layer_blocks", m_layer_blocks);
}

std::vector<torch::Tensor> FeaturePyramidNetworkImpl::forward(const std::vector<torch::Tensor>& features) {
  const std::size_t levels = m_inner.size();
  TORCH_CHECK(features.size() == levels, "FPN expects ", levels, " feature maps, got ", features.size());
  std::vector<torch::Tensor> results(levels);
  auto last_inner = m_inner[levels - 1]->forward(features[levels - 1]);
  results[levels - 1] = m_layer[levels - 1]->forward(last_inner);
  for (std::size_t i = levels - 1; i-- > 0;) {
    auto lateral = m_inner[i]->forward(features[i]);
    auto top_down = F::interpolate(
        last_inner, F::InterpolateFuncOptions()
                        .size(std::vector<std::int64_t>{lateral.size(-2), lateral.size(-1)})
                        .mode(torch::kNearest));
    last_inner = lateral + top_down;
    results[i] = m_layer[i]->forward(last_inner);
  }
  results.push_back(torch::max_pool2d(results.back(), 1, 2, 0));
  return results;
}

BackboneWithFpnImpl::BackboneWithFpnImpl(const BackboneConfig& config)
    : m_out_channels(config.fpn_channels) {
  m_body = register_module("body", ResNetBody(config.depth, config.norm));
  m_body->freeze_layers(config.trainable_layers);
  m_fpn = register_module("fpn", FeaturePyramidNetwork(m_body->out_channels(), config.fpn_channels));
}

std::vector<torch::Tensor> BackboneWithFpnImpl::forward(const torch::Tensor& images) {
  return m_fpn->forward(m_body->forward(images));
}

}  // namespace counterscope::modeling
