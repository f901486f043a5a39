#include "core/counterfactual/counterfactual_generator.h"

#include <algorithm>
#include <numeric>

#include "core/util/error.h"

namespace counterscope::counterfactual {
namespace F = torch::nn::functional;
namespace {

std::int64_t group_count(std::int64_t channels) {
  // Groups of (at least) 4 channels normalise well even at P6, where a level may be 1x1 pixel.
  return std::gcd(channels, std::max<std::int64_t>(1, std::min<std::int64_t>(8, channels / 4)));
}

torch::Tensor upsample_to(const torch::Tensor& x, modeling::ImageSize size) {
  return F::interpolate(x, F::InterpolateFuncOptions()
                               .size(std::vector<std::int64_t>{size.first, size.second})
                               .mode(torch::kBilinear)
                               .align_corners(false));
}

}  // namespace

DecoderBlockImpl::DecoderBlockImpl(std::int64_t in_channels, std::int64_t out_channels, double leaky_slope)
    : m_slope(leaky_slope) {
  m_conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, 3).padding(1)));
  m_norm = register_module("norm", torch::nn::GroupNorm(group_count(out_channels), out_channels));
}

torch::Tensor DecoderBlockImpl::forward(const torch::Tensor& x) {
  return F::leaky_relu(m_norm->forward(m_conv->forward(x)), F::LeakyReLUFuncOptions().negative_slope(m_slope));
}

CounterfactualGeneratorImpl::CounterfactualGeneratorImpl(GeneratorShape shape) : m_shape(std::move(shape)) {
  const GeneratorOptions& o = m_shape.options;
  if (m_shape.levels < 1)
    throw InputError("generator", "levels", std::to_string(m_shape.levels), "needs at least one feature level");
  if (m_shape.feature_channels < 1)
    throw InputError("generator", "feature_channels", std::to_string(m_shape.feature_channels), "must be positive");
  m_code_map = register_module("code_map", TargetCodeMap(m_shape.num_classes, o.code_dim, o.region, o.mark_changes));
  const std::int64_t code_channels = m_code_map->channels();
  const std::int64_t width = o.decoder_width, skip = m_shape.feature_channels + code_channels;
  m_level_blocks = register_module("levels", torch::nn::ModuleList());
  m_level_blocks->push_back(DecoderBlock(skip, width, o.leaky_slope));
  for (std::int64_t level = 1; level < m_shape.levels; ++level)
    m_level_blocks->push_back(DecoderBlock(width + skip, width, o.leaky_slope));
  m_half_block = register_module("half", DecoderBlock(width + code_channels, width / 2, o.leaky_slope));
  m_full_block = register_module("full", DecoderBlock(width / 2 + code_channels, width / 4, o.leaky_slope));
  m_output = register_module("output", torch::nn::Conv2d(torch::nn::Conv2dOptions(width / 4, 3, 1)));
  // Start near M = 0 (X~ = X): the map should grow only where the losses ask for it.
  torch::NoGradGuard no_grad;
  m_output->weight.mul_(0.1);
  m_output->bias.zero_();
}

torch::Tensor CounterfactualGeneratorImpl::decode(const std::vector<torch::Tensor>& features,
                                                  const std::vector<torch::Tensor>& codes) {
  const auto levels = static_cast<std::size_t>(m_shape.levels);
  TORCH_CHECK(features.size() == levels && codes.size() == levels + 2, "generator decode: ", features.size(),
              " feature levels and ", codes.size(), " code maps for ", levels, " levels");
  torch::Tensor x;
  for (std::size_t step = 0; step < levels; ++step) {
    const std::size_t level = levels - 1 - step;  // coarsest first
    const auto& feature = features[level];
    const modeling::ImageSize size{feature.size(2), feature.size(3)};
    std::vector<torch::Tensor> parts;
    if (x.defined()) parts.push_back(upsample_to(x, size));
    parts.push_back(feature);
    parts.push_back(codes[level]);
    x = m_level_blocks[step]->as<DecoderBlockImpl>()->forward(torch::cat(parts, 1));
  }
  const auto& half_code = codes[levels], &full_code = codes[levels + 1];
  x = m_half_block->forward(torch::cat({upsample_to(x, {half_code.size(2), half_code.size(3)}), half_code}, 1));
  x = m_full_block->forward(torch::cat({upsample_to(x, {full_code.size(2), full_code.size(3)}), full_code}, 1));
  return m_output->forward(x);
}

std::vector<torch::Tensor> CounterfactualGeneratorImpl::forward(modeling::MaskRcnnImpl& model,
                                                                const std::vector<torch::Tensor>& images,
                                                                const std::vector<InstanceSet>& instances,
                                                                modeling::BackboneOutput* backbone_out) {
  TORCH_CHECK(images.size() == instances.size(), "generator: ", images.size(), " images but ", instances.size(),
              " instance sets");
  const modeling::BackboneOutput backbone = model.extract_features(images);
  TORCH_CHECK(static_cast<std::int64_t>(backbone.features.size()) == m_shape.levels, "generator built for ",
              m_shape.levels, " levels, the model gives ", backbone.features.size());
  const auto& batch = backbone.images.tensors;
  CodeFrame frame{backbone.original_sizes, backbone.images.image_sizes, {batch.size(2), batch.size(3)}};
  std::vector<modeling::ImageSize> sizes;
  for (const auto& feature : backbone.features) sizes.emplace_back(feature.size(2), feature.size(3));
  sizes.emplace_back((frame.padded_size.first + 1) / 2, (frame.padded_size.second + 1) / 2);
  sizes.push_back(frame.padded_size);
  const auto codes = m_code_map->forward(instances, frame, sizes);
  const torch::Tensor maps = decode(backbone.features, codes);

  std::vector<torch::Tensor> out;
  if (backbone_out) *backbone_out = backbone;
  for (std::size_t i = 0; i < images.size(); ++i) {
    const auto [h, w] = frame.resized_sizes[i];
    const auto crop = maps[static_cast<std::int64_t>(i)].slice(1, 0, h).slice(2, 0, w).unsqueeze(0);
    out.push_back(upsample_to(crop, frame.original_sizes[i]).squeeze(0));
  }
  return out;
}

void freeze_detector(modeling::MaskRcnnImpl& model) {
  model.eval();
  for (auto& parameter : model.parameters()) parameter.set_requires_grad(false);
}

GeneratorShape generator_shape_for(const modeling::MaskRcnnImpl& model, const GeneratorOptions& options) {
  GeneratorShape shape;
  shape.options = options;
  shape.num_classes = model.config().num_classes;
  shape.feature_channels = model.config().backbone.fpn_channels;
  shape.levels = static_cast<std::int64_t>(model.config().anchors.sizes.size());
  return shape;
}

}  // namespace counterscope::counterfactual
