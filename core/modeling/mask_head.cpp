#include "core/modeling/mask_head.h"

#include "core/modeling/conv_block.h"

namespace counterscope::modeling {

namespace nn = torch::nn;

torch::nn::Sequential make_mask_rcnn_heads(std::int64_t in_channels, const std::vector<std::int64_t>& layers,
                                           std::int64_t dilation) {
  nn::Sequential heads;
  std::int64_t channels = in_channels;
  for (auto out_channels : layers) {
    nn::Conv2d conv(nn::Conv2dOptions(channels, out_channels, 3).padding(dilation).dilation(dilation));
    nn::init::kaiming_normal_(conv->weight, 0.0, torch::kFanOut, torch::kReLU);
    nn::init::zeros_(conv->bias);
    heads->push_back(ConvBlock(conv, true));
    channels = out_channels;
  }
  return heads;
}

MaskRcnnPredictorImpl::MaskRcnnPredictorImpl(std::int64_t in_channels, std::int64_t dim_reduced,
                                             std::int64_t num_classes) {
  m_conv5_mask = register_module(
      "conv5_mask", nn::ConvTranspose2d(nn::ConvTranspose2dOptions(in_channels, dim_reduced, 2).stride(2)));
  m_mask_fcn_logits = register_module("mask_fcn_logits", nn::Conv2d(nn::Conv2dOptions(dim_reduced, num_classes, 1)));
  for (auto& item : named_parameters()) {
    if (item.key().find("weight") != std::string::npos)
      nn::init::kaiming_normal_(item.value(), 0.0, torch::kFanOut, torch::kReLU);
    else
      nn::init::zeros_(item.value());
  }
}

torch::Tensor MaskRcnnPredictorImpl::forward(const torch::Tensor& x) {
  return m_mask_fcn_logits->forward(m_conv5_mask->forward(x).relu_());
}

}  // namespace counterscope::modeling
