#pragma once
// ResNet bodies (18/34/50/101) for the detection backbone, with torchvision's module names
// (conv1, bn1, layer1.0.conv1, layer1.0.downsample.0, ...) so torchvision checkpoints load as is.

#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace counterscope::modeling {

/// BatchNorm2d whose statistics and affine parameters are buffers (torchvision's FrozenBatchNorm2d):
/// pretrained statistics are not disturbed by small detection batches.
class FrozenBatchNorm2dImpl : public torch::nn::Module {
 public:
  explicit FrozenBatchNorm2dImpl(std::int64_t num_features, double eps = 1e-5);
  torch::Tensor forward(const torch::Tensor& x);
  /// The per-channel affine map this layer applies: y = x * scale + bias.
  std::pair<torch::Tensor, torch::Tensor> scale_and_bias() const;

 private:
  double m_eps;
  torch::Tensor m_weight, m_bias, m_running_mean, m_running_var;
};
TORCH_MODULE(FrozenBatchNorm2d);

/// The normalisation layer of the body: "frozen" or "batch" (see BackboneConfig::norm).
torch::nn::AnyModule make_norm_layer(const std::string& kind, std::int64_t channels);

/// norm(conv(x)). When the normalisation is a fixed affine map (FrozenBatchNorm2d, or BatchNorm2d in eval
/// mode) it is folded into the convolution's weights instead: one pass over the activations instead of three,
/// equal up to float rounding, and still differentiable with respect to x (the generator backpropagates
/// through the frozen detector).
torch::Tensor conv_then_norm(torch::nn::Conv2dImpl& conv, const std::shared_ptr<torch::nn::Module>& norm,
                             const torch::Tensor& x);

/// ResNet-18/34 block: two 3x3 convolutions.
class BasicBlockImpl : public torch::nn::Module {
 public:
  static constexpr std::int64_t expansion = 1;
  BasicBlockImpl(std::int64_t in_channels, std::int64_t planes, std::int64_t stride, const std::string& norm);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Conv2d m_conv1{nullptr}, m_conv2{nullptr};
  torch::nn::AnyModule m_bn1, m_bn2;
  torch::nn::Sequential m_downsample{nullptr};
};
TORCH_MODULE(BasicBlock);

/// ResNet-50/101 block: 1x1, 3x3 (strided, "ResNet v1.5" as torchvision), 1x1.
class BottleneckImpl : public torch::nn::Module {
 public:
  static constexpr std::int64_t expansion = 4;
  BottleneckImpl(std::int64_t in_channels, std::int64_t planes, std::int64_t stride, const std::string& norm);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Conv2d m_conv1{nullptr}, m_conv2{nullptr}, m_conv3{nullptr};
  torch::nn::AnyModule m_bn1, m_bn2, m_bn3;
  torch::nn::Sequential m_downsample{nullptr};
};
TORCH_MODULE(Bottleneck);

/// The ResNet body without pooling head: returns the outputs of layer1..layer4 (C2..C5).
class ResNetBodyImpl : public torch::nn::Module {
 public:
  /// depth: 18, 34, 50 or 101; norm: "frozen" or "batch".
  ResNetBodyImpl(int depth, const std::string& norm);
  std::vector<torch::Tensor> forward(const torch::Tensor& x);
  /// Channels of C2..C5 (64..512 for 18/34, 256..2048 for 50/101).
  std::vector<std::int64_t> out_channels() const { return m_out_channels; }
  /// torchvision's trainable_layers: parameters outside the last `count` of (layer4, layer3, layer2,
  /// layer1, conv1 [+ bn1 when 5]) stop requiring gradients.
  void freeze_layers(int trainable_layers);

 private:
  torch::nn::Conv2d m_conv1{nullptr};
  torch::nn::AnyModule m_bn1;
  std::vector<torch::nn::Sequential> m_layers;
  std::vector<std::int64_t> m_out_channels;
};
TORCH_MODULE(ResNetBody);

}  // namespace counterscope::modeling
