#include "core/evaluation/image_quality/inception_v3.h"

#include <set>
#include <utility>

#include "core/modeling/weights/apply_state_dict.h"
#include "core/modeling/weights/checkpoint.h"
#include "core/util/error.h"

namespace counterscope::evaluation {

namespace F = torch::nn::functional;

const char* to_string(InceptionVariant variant) {
  return variant == InceptionVariant::pytorch_fid ? "pytorch-fid" : "torchvision";
}

std::optional<InceptionVariant> inception_variant_from_name(const std::string& name) {
  if (name == "torchvision") return InceptionVariant::torchvision;
  if (name == "pytorch-fid" || name == "pytorch_fid") return InceptionVariant::pytorch_fid;
  return std::nullopt;
}

namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

BasicConv2d stem_conv(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride = 1,
                      std::int64_t padding = 0) {
  return BasicConv2d(in, out, std::vector<std::int64_t>{kernel, kernel}, std::vector<std::int64_t>{stride, stride},
                     std::vector<std::int64_t>{padding, padding});
}

// pytorch-fid replaces the Mixed blocks' pooling; torchvision keeps avg_pool2d with padding counted.
InceptionPooling mixed_pooling(InceptionVariant variant) {
  return variant == InceptionVariant::pytorch_fid ? InceptionPooling::average_excluding_padding
                                                  : InceptionPooling::average_including_padding;
}

InceptionPooling last_block_pooling(InceptionVariant variant) {
  return variant == InceptionVariant::pytorch_fid ? InceptionPooling::max
                                                  : InceptionPooling::average_including_padding;
}

torch::Tensor max_pool_3x3_stride_2(const torch::Tensor& x) {
  return F::max_pool2d(x, F::MaxPool2dFuncOptions(3).stride(2));
}

}  // namespace

InceptionV3Impl::InceptionV3Impl(InceptionV3Options options)
    : m_options(options),
      m_conv2d_1a_3x3(register_module("Conv2d_1a_3x3", stem_conv(3, 32, 3, 2))),
      m_conv2d_2a_3x3(register_module("Conv2d_2a_3x3", stem_conv(32, 32, 3))),
      m_conv2d_2b_3x3(register_module("Conv2d_2b_3x3", stem_conv(32, 64, 3, 1, 1))),
      m_conv2d_3b_1x1(register_module("Conv2d_3b_1x1", stem_conv(64, 80, 1))),
      m_conv2d_4a_3x3(register_module("Conv2d_4a_3x3", stem_conv(80, 192, 3))),
      m_mixed_5b(register_module("Mixed_5b", InceptionA(192, 32, mixed_pooling(options.variant)))),
      m_mixed_5c(register_module("Mixed_5c", InceptionA(256, 64, mixed_pooling(options.variant)))),
      m_mixed_5d(register_module("Mixed_5d", InceptionA(288, 64, mixed_pooling(options.variant)))),
      m_mixed_6a(register_module("Mixed_6a", InceptionB(288))),
      m_mixed_6b(register_module("Mixed_6b", InceptionC(768, 128, mixed_pooling(options.variant)))),
      m_mixed_6c(register_module("Mixed_6c", InceptionC(768, 160, mixed_pooling(options.variant)))),
      m_mixed_6d(register_module("Mixed_6d", InceptionC(768, 160, mixed_pooling(options.variant)))),
      m_mixed_6e(register_module("Mixed_6e", InceptionC(768, 192, mixed_pooling(options.variant)))),
      m_mixed_7a(nullptr),
      m_mixed_7b(nullptr),
      m_mixed_7c(nullptr) {
  if (options.num_classes < 1) throw Error("Inception-v3: num_classes must be positive");
  // Registered in torchvision's order, so that named_parameters() lists the keys as state_dict() does.
  if (options.aux_logits)
    m_aux_logits = register_module("AuxLogits", InceptionAux(768, options.num_classes));
  m_mixed_7a = register_module("Mixed_7a", InceptionD(768));
  m_mixed_7b = register_module("Mixed_7b", InceptionE(1280, mixed_pooling(options.variant)));
  m_mixed_7c = register_module("Mixed_7c", InceptionE(2048, last_block_pooling(options.variant)));
  m_fc = register_module("fc", torch::nn::Linear(kInceptionFeatureSize, options.num_classes));
}

torch::Tensor InceptionV3Impl::preprocess(const torch::Tensor& images) const {
  if (images.dim() != 4 || images.size(1) != 3)
    throw Error("Inception-v3: expected RGB images [N, 3, H, W], got " + c10::str(images.sizes()));
  auto x = F::interpolate(images.to(torch::kFloat), F::InterpolateFuncOptions()
                                                        .size(std::vector<std::int64_t>{kInceptionInputSize,
                                                                                        kInceptionInputSize})
                                                        .mode(torch::kBilinear)
                                                        .align_corners(false));
  if (m_options.variant == InceptionVariant::pytorch_fid) return 2 * x - 1;
  // torchvision.transforms.Normalize with the ImageNet statistics torchvision's weights document.
  const auto mean = torch::tensor({0.485f, 0.456f, 0.406f}).view({1, 3, 1, 1});
  const auto std = torch::tensor({0.229f, 0.224f, 0.225f}).view({1, 3, 1, 1});
  return (x - mean) / std;
}

torch::Tensor InceptionV3Impl::transform_input(const torch::Tensor& x) const {
  // torchvision's Inception3._transform_input, channel by channel with its constants.
  auto x0 = x.select(1, 0).unsqueeze(1) * (0.229 / 0.5) + (0.485 - 0.5) / 0.5;
  auto x1 = x.select(1, 1).unsqueeze(1) * (0.224 / 0.5) + (0.456 - 0.5) / 0.5;
  auto x2 = x.select(1, 2).unsqueeze(1) * (0.225 / 0.5) + (0.406 - 0.5) / 0.5;
  return torch::cat({x0, x1, x2}, 1);
}

InceptionOutput InceptionV3Impl::forward(const torch::Tensor& input) {
  auto x = input;
  if (m_options.variant == InceptionVariant::torchvision && m_options.transform_input) x = transform_input(x);
  x = m_conv2d_2b_3x3->forward(m_conv2d_2a_3x3->forward(m_conv2d_1a_3x3->forward(x)));
  x = max_pool_3x3_stride_2(x);
  x = max_pool_3x3_stride_2(m_conv2d_4a_3x3->forward(m_conv2d_3b_1x1->forward(x)));
  x = m_mixed_5d->forward(m_mixed_5c->forward(m_mixed_5b->forward(x)));
  x = m_mixed_6a->forward(x);
  x = m_mixed_6e->forward(m_mixed_6d->forward(m_mixed_6c->forward(m_mixed_6b->forward(x))));
  x = m_mixed_7c->forward(m_mixed_7b->forward(m_mixed_7a->forward(x)));
  // Dropout before fc is the identity in eval mode; the auxiliary head only runs in training.
  auto pool = F::adaptive_avg_pool2d(x, F::AdaptiveAvgPool2dFuncOptions(1)).flatten(1);
  return InceptionOutput{pool, m_fc->forward(pool)};
}

InceptionV3Options inception_options_from_state_dict(const modeling::StateDict& state, const std::string& source,
                                                    std::optional<InceptionVariant> variant) {
  for (const char* key : {"Conv2d_1a_3x3.conv.weight", "Mixed_5b.branch1x1.conv.weight",
                          "Mixed_7c.branch_pool.conv.weight"}) {
    if (!state.contains(key))
      throw InputError(source, key, "",
                       "missing: not an Inception-v3 state dict with torchvision's parameter names "
                       "(expected torchvision's inception_v3 or pytorch-fid's FID Inception weights)");
  }
  const at::Tensor* fc = state.find("fc.weight");
  if (fc == nullptr) throw InputError(source, "fc.weight", "", "missing: not an Inception-v3 state dict");
  if (fc->dim() != 2 || fc->size(1) != kInceptionFeatureSize || fc->size(0) < 1)
    throw InputError(source, "fc.weight", c10::str(fc->sizes()), "expected [num_classes, 2048]");
  InceptionV3Options options;
  options.num_classes = fc->size(0);
  options.aux_logits = state.contains("AuxLogits.fc.weight");
  if (variant) {
    options.variant = *variant;
  } else if (options.num_classes == 1008) {
    options.variant = InceptionVariant::pytorch_fid;
  } else if (options.num_classes == 1000) {
    options.variant = InceptionVariant::torchvision;
  } else {
    throw InputError(source, "fc.weight", c10::str(fc->sizes()),
                     "neither 1000 classes (torchvision) nor 1008 (pytorch-fid): name the variant explicitly");
  }
  return options;
}

InceptionV3 load_inception_v3(const std::string& path, std::optional<InceptionVariant> variant) {
  const modeling::StateDict state = modeling::load_state_dict(path);
  InceptionV3 model(inception_options_from_state_dict(state, path, variant));
  // BatchNorm's num_batches_tracked counts training steps only: files saved from a model built with
  // BatchNorm2d carry it, files converted from TensorFlow (pytorch-fid's) may not. It never affects inference.
  std::set<std::string> own;
  for (const auto& item : model->named_buffers()) own.insert(item.key());
  modeling::StateDict filtered;
  for (const auto& entry : state) {
    if (ends_with(entry.name, "num_batches_tracked") && !own.count(entry.name)) continue;
    filtered.insert(entry.name, entry.tensor);
  }
  for (const auto& item : model->named_buffers())
    if (ends_with(item.key(), "num_batches_tracked") && !filtered.contains(item.key()))
      filtered.insert(item.key(), item.value().clone());
  modeling::ApplyStateDictOptions options;
  options.source = path;
  modeling::apply_state_dict(*model, filtered, options);
  model->eval();
  return model;
}

}  // namespace counterscope::evaluation
