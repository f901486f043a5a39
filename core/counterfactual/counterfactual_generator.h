#pragma once
// The counterfactual-map generator G: the frozen Mask R-CNN backbone (ResNet-FPN, levels P2..P6) encodes X,
// target code maps T(X, t) are concatenated to every level, and a U-Net decoder (upsample x2, skip
// concatenation of the next level's (feature, code map), conv3x3 + GroupNorm + LeakyReLU) climbs from P6 to
// stride 4 and then to full resolution, where a linear 1x1 convolution gives the map M with 3 channels.
//
// Spaces: the generator takes and returns images in the model's input space, RGB in [0, 1], at the original
// image size. Normalisation (mean/std) and resizing happen only inside the Mask R-CNN transform that feeds
// the encoder; the decoder's output is cropped to the resized image and resized back (bilinear) to the
// original size, so M is in RGB [0, 1] units and X~ = X + M can be fed to the detector as is.

#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "core/counterfactual/counterfactual_options.h"
#include "core/counterfactual/target_code_map.h"
#include "core/modeling/mask_rcnn.h"

namespace counterscope::counterfactual {

/// What a generator is built for: its options and the detector's class count, feature width and levels.
struct GeneratorShape {
  GeneratorOptions options;
  std::int64_t num_classes = 0;       ///< classes of the detector, background included
  std::int64_t feature_channels = 0;  ///< FPN channels of the detector
  std::int64_t levels = 5;            ///< FPN levels (P2..P6)
};

/// One conv3x3 + GroupNorm + LeakyReLU stage of the decoder.
class DecoderBlockImpl : public torch::nn::Module {
 public:
  DecoderBlockImpl(std::int64_t in_channels, std::int64_t out_channels, double leaky_slope);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Conv2d m_conv{nullptr};
  torch::nn::GroupNorm m_norm{nullptr};
  double m_slope;
};
TORCH_MODULE(DecoderBlock);

class CounterfactualGeneratorImpl : public torch::nn::Module {
 public:
  explicit CounterfactualGeneratorImpl(GeneratorShape shape);

  /// M for each image under the labels of `instances` (one set per image): float [3, H, W] at each image's
  /// original size. Differentiable w.r.t. the generator's parameters and the images (through the frozen
  /// backbone), which the cycle loss needs. `backbone_out`, when given, receives the frozen backbone's
  /// output on the images (the explainer reuses it for the predictions on X).
  std::vector<torch::Tensor> forward(modeling::MaskRcnnImpl& model, const std::vector<torch::Tensor>& images,
                                     const std::vector<InstanceSet>& instances,
                                     modeling::BackboneOutput* backbone_out = nullptr);
  /// The decoder alone: FPN features (finest first) and code maps for every level plus stride 2 and 1;
  /// returns [N, 3, Hp, Wp] in the padded frame.
  torch::Tensor decode(const std::vector<torch::Tensor>& features, const std::vector<torch::Tensor>& codes);

  const GeneratorShape& shape() const { return m_shape; }
  TargetCodeMap code_map() const { return m_code_map; }

 private:
  GeneratorShape m_shape;
  TargetCodeMap m_code_map{nullptr};
  torch::nn::ModuleList m_level_blocks{nullptr};  // coarsest first
  DecoderBlock m_half_block{nullptr}, m_full_block{nullptr};
  torch::nn::Conv2d m_output{nullptr};
};
TORCH_MODULE(CounterfactualGenerator);

/// Freezes the detector for counterfactual work: eval mode (frozen batch statistics) and no gradients for
/// any of its parameters, so only the generator (or the map) is optimised.
void freeze_detector(modeling::MaskRcnnImpl& model);

/// A generator shaped for `model`.
GeneratorShape generator_shape_for(const modeling::MaskRcnnImpl& model, const GeneratorOptions& options);

}  // namespace counterscope::counterfactual
