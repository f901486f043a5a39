#pragma once
// Mask branch of the RoI heads: MaskRCNNHeads (3x3 conv + ReLU layers, "mask_head.<i>.0") and
// MaskRCNNPredictor ("conv5_mask" 2x2 transposed conv + ReLU, "mask_fcn_logits" 1x1), torchvision 0.14's
// names and initialisation.

#include <cstdint>
#include <vector>

#include <torch/torch.h>

namespace counterscope::modeling {

/// The conv stack: an nn::Sequential of ConvBlock(Conv2d + ReLU), so keys read "<i>.0.weight".
torch::nn::Sequential make_mask_rcnn_heads(std::int64_t in_channels, const std::vector<std::int64_t>& layers,
                                           std::int64_t dilation);

class MaskRcnnPredictorImpl : public torch::nn::Module {
 public:
  MaskRcnnPredictorImpl(std::int64_t in_channels, std::int64_t dim_reduced, std::int64_t num_classes);
  /// [K, C, M, M] -> mask logits [K, num_classes, 2M, 2M].
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::ConvTranspose2d m_conv5_mask{nullptr};
  torch::nn::Conv2d m_mask_fcn_logits{nullptr};
};
TORCH_MODULE(MaskRcnnPredictor);

}  // namespace counterscope::modeling
