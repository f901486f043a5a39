#include "core/modeling/resnet.h"

#include <array>
#include <stdexcept>
#include <tuple>

#include <torch/version.h>

#include "core/util/error.h"

namespace counterscope::modeling {
namespace {

namespace nn = torch::nn;

nn::Conv2d conv(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride,
                std::int64_t padding) {
  nn::Conv2d layer(nn::Conv2dOptions(in, out, kernel).stride(stride).padding(padding).bias(false));
  // torchvision's ResNet initialisation (matters only when training from scratch).
  nn::init::kaiming_normal_(layer->weight, 0.0, torch::kFanOut, torch::kReLU);
  return layer;
}

nn::Sequential make_downsample(std::int64_t in, std::int64_t out, std::int64_t stride,
                               const std::string& norm) {
  if (stride == 1 && in == out) return nullptr;
  nn::Sequential downsample;
  downsample->push_back(conv(in, out, 1, stride, 0));
  downsample->push_back(make_norm_layer(norm, out));
  return downsample;
}

}  // namespace

FrozenBatchNorm2dImpl::FrozenBatchNorm2dImpl(std::int64_t num_features, double eps) : m_eps(eps) {
  m_weight = register_buffer("weight", torch::ones({num_features}));
  m_bias = register_buffer("bias", torch::zeros({num_features}));
  m_running_mean = register_buffer("running_mean", torch::zeros({num_features}));
  m_running_var = register_buffer("running_var", torch::ones({num_features}));
}

std::pair<torch::Tensor, torch::Tensor> FrozenBatchNorm2dImpl::scale_and_bias() const {
  // Same arithmetic order as torchvision, so results agree to the last bits.
  auto scale = m_weight * (m_running_var + m_eps).rsqrt();
  auto bias = m_bias - m_running_mean * scale;
  return {scale, bias};
}

torch::Tensor FrozenBatchNorm2dImpl::forward(const torch::Tensor& x) {
  const auto [scale, bias] = scale_and_bias();
  return x * scale.reshape({1, -1, 1, 1}) + bias.reshape({1, -1, 1, 1});
}

torch::Tensor conv_then_norm(nn::Conv2dImpl& conv, const std::shared_ptr<nn::Module>& norm, const torch::Tensor& x) {
  torch::Tensor scale, bias;
  if (const auto frozen = std::dynamic_pointer_cast<FrozenBatchNorm2dImpl>(norm)) {
    std::tie(scale, bias) = frozen->scale_and_bias();
  } else if (const auto batch = std::dynamic_pointer_cast<nn::BatchNorm2dImpl>(norm);
             batch && !batch->is_training() && batch->options.affine() && batch->options.track_running_stats()) {
    scale = batch->weight * (batch->running_var + batch->options.eps()).rsqrt();
    bias = batch->bias - batch->running_mean * scale;
  } else if (auto* batch_norm = norm->as<nn::BatchNorm2dImpl>()) {
    return batch_norm->forward(conv.forward(x));  // training: batch statistics, running averages updated
  } else {
    throw std::logic_error("conv_then_norm: unsupported normalisation layer " + norm->name());
  }
  if (conv.bias.defined()) bias = bias + conv.bias * scale;
  const auto& options = conv.options;
  // The padding option is a variant (sizes or a mode): c10's own before LibTorch 2.1, std::variant since.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1)
  const auto& padding = std::get<torch::ExpandingArray<2>>(options.padding());
#else
  const auto& padding = c10::get<torch::ExpandingArray<2>>(options.padding());
#endif
  return torch::conv2d(x, conv.weight * scale.reshape({-1, 1, 1, 1}), bias, options.stride(), padding,
                       options.dilation(), options.groups());
}

torch::nn::AnyModule make_norm_layer(const std::string& kind, std::int64_t channels) {
  if (kind == "frozen") return torch::nn::AnyModule(FrozenBatchNorm2d(channels));
  if (kind == "batch") return torch::nn::AnyModule(torch::nn::BatchNorm2d(channels));
  throw InputError("model config", "backbone.norm", quote_for_message(kind), "expected \"frozen\" or \"batch\"");
}

BasicBlockImpl::BasicBlockImpl(std::int64_t in_channels, std::int64_t planes, std::int64_t stride,
                               const std::string& norm) {
  m_conv1 = register_module("conv1", conv(in_channels, planes, 3, stride, 1));
  m_bn1 = make_norm_layer(norm, planes);
  register_module("bn1", m_bn1.ptr());
  m_conv2 = register_module("conv2", conv(planes, planes, 3, 1, 1));
  m_bn2 = make_norm_layer(norm, planes);
  register_module("bn2", m_bn2.ptr());
  m_downsample = make_downsample(in_channels, planes * expansion, stride, norm);
  if (m_downsample) register_module("downsample", m_downsample);
}

namespace {

// The shortcut of a block: x itself, or its 1x1 strided convolution and norm.
torch::Tensor shortcut(const nn::Sequential& downsample, const torch::Tensor& x) {
  if (!downsample) return x;
  return conv_then_norm(*downsample->ptr<nn::Conv2dImpl>(0), downsample->ptr(1), x);
}

}  // namespace

// In-place ReLU and residual addition as in torchvision (ReLU(inplace=True), out += identity): neither
// overwrites a tensor that autograd saved, and they save an allocation and a pass each.
torch::Tensor BasicBlockImpl::forward(const torch::Tensor& x) {
  auto out = conv_then_norm(*m_conv1, m_bn1.ptr(), x).relu_();
  out = conv_then_norm(*m_conv2, m_bn2.ptr(), out);
  return out.add_(shortcut(m_downsample, x)).relu_();
}

BottleneckImpl::BottleneckImpl(std::int64_t in_channels, std::int64_t planes, std::int64_t stride,
                               const std::string& norm) {
  m_conv1 = register_module("conv1", conv(in_channels, planes, 1, 1, 0));
  m_bn1 = make_norm_layer(norm, planes);
  register_module("bn1", m_bn1.ptr());
  m_conv2 = register_module("conv2", conv(planes, planes, 3, stride, 1));
  m_bn2 = make_norm_layer(norm, planes);
  register_module("bn2", m_bn2.ptr());
  m_conv3 = register_module("conv3", conv(planes, planes * expansion, 1, 1, 0));
  m_bn3 = make_norm_layer(norm, planes * expansion);
  register_module("bn3", m_bn3.ptr());
  m_downsample = make_downsample(in_channels, planes * expansion, stride, norm);
  if (m_downsample) register_module("downsample", m_downsample);
}

torch::Tensor BottleneckImpl::forward(const torch::Tensor& x) {
  auto out = conv_then_norm(*m_conv1, m_bn1.ptr(), x).relu_();
  out = conv_then_norm(*m_conv2, m_bn2.ptr(), out).relu_();
  out = conv_then_norm(*m_conv3, m_bn3.ptr(), out);
  return out.add_(shortcut(m_downsample, x)).relu_();
}

ResNetBodyImpl::ResNetBodyImpl(int depth, const std::string& norm) {
  std::array<int, 4> blocks{};
  bool bottleneck = false;
  switch (depth) {
    case 18: blocks = {2, 2, 2, 2}; break;
    case 34: blocks = {3, 4, 6, 3}; break;
    case 50: blocks = {3, 4, 6, 3}; bottleneck = true; break;
    case 101: blocks = {3, 4, 23, 3}; bottleneck = true; break;
    default:
      throw InputError("model config", "backbone.depth", std::to_string(depth), "expected 18, 34, 50 or 101");
  }
  m_conv1 = register_module("conv1", conv(3, 64, 7, 2, 3));
  m_bn1 = make_norm_layer(norm, 64);
  register_module("bn1", m_bn1.ptr());
  std::int64_t in_channels = 64;
  const std::int64_t expansion = bottleneck ? BottleneckImpl::expansion : BasicBlockImpl::expansion;
  for (int layer = 0; layer < 4; ++layer) {
    const std::int64_t planes = 64LL << layer;
    nn::Sequential blocks_of_layer;
    for (int block = 0; block < blocks[layer]; ++block) {
      const std::int64_t stride = (block == 0 && layer > 0) ? 2 : 1;
      if (bottleneck)
        blocks_of_layer->push_back(Bottleneck(in_channels, planes, stride, norm));
      else
        blocks_of_layer->push_back(BasicBlock(in_channels, planes, stride, norm));
      in_channels = planes * expansion;
    }
    m_layers.push_back(register_module("layer" + std::to_string(layer + 1), blocks_of_layer));
    m_out_channels.push_back(in_channels);
  }
}

std::vector<torch::Tensor> ResNetBodyImpl::forward(const torch::Tensor& x) {
  auto out = conv_then_norm(*m_conv1, m_bn1.ptr(), x).relu_();
  out = torch::max_pool2d(out, 3, 2, 1);
  std::vector<torch::Tensor> features;
  for (auto& layer : m_layers) {
    out = layer->forward(out);
    features.push_back(out);
  }
  return features;
}

void ResNetBodyImpl::freeze_layers(int trainable_layers) {
  if (trainable_layers < 0 || trainable_layers > 5)
    throw InputError("model config", "backbone.trainable_layers", std::to_string(trainable_layers),
                     "expected 0..5");
  std::vector<std::string> trained = {"layer4", "layer3", "layer2", "layer1", "conv1"};
  trained.resize(static_cast<std::size_t>(trainable_layers));
  if (trainable_layers == 5) trained.push_back("bn1");
  for (auto& item : named_parameters()) {
    bool keep = false;
    for (const auto& prefix : trained) keep = keep || item.key().rfind(prefix, 0) == 0;
    if (!keep) item.value().set_requires_grad(false);
  }
}

}  // namespace counterscope::modeling
