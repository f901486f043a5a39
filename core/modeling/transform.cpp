#include "core/modeling/transform.h"

#include <algorithm>
#include <cmath>

#include "core/modeling/ops/paste_masks.h"

namespace counterscope::modeling {
namespace {

namespace F = torch::nn::functional;

}  // namespace

ImageSize GeneralizedRcnnTransform::resized_size(std::int64_t height, std::int64_t width,
                                                 std::int64_t min_size) const {
  // torchvision computes `size / tensor` in float32, which PyTorch evaluates as reciprocal(tensor) * size
  // (so 800 / 480 gives 1.66666675, not 1.66666663), then floors size * scale in double. Reproduced
  // exactly so that output sizes agree to the pixel.
  const float shorter = static_cast<float>(std::min(height, width));
  const float longer = static_cast<float>(std::max(height, width));
  const float inverse_shorter = 1.0f / shorter;
  const float inverse_longer = 1.0f / longer;
  const float scale = std::min(inverse_shorter * static_cast<float>(min_size),
                               inverse_longer * static_cast<float>(m_config.max_size));
  const double scale_d = static_cast<double>(scale);
  return {static_cast<std::int64_t>(std::floor(static_cast<double>(height) * scale_d)),
          static_cast<std::int64_t>(std::floor(static_cast<double>(width) * scale_d))};
}

torch::Tensor GeneralizedRcnnTransform::normalize(const torch::Tensor& image) const {
  const auto options = image.options();
  const auto mean = torch::tensor(std::vector<double>(m_config.image_mean.begin(), m_config.image_mean.end()),
                                  options.dtype(torch::kDouble)).to(options);
  const auto std = torch::tensor(std::vector<double>(m_config.image_std.begin(), m_config.image_std.end()),
                                 options.dtype(torch::kDouble)).to(options);
  return (image - mean.view({-1, 1, 1})) / std.view({-1, 1, 1});
}

torch::Tensor GeneralizedRcnnTransform::resize_image(const torch::Tensor& image, ImageSize size) const {
  return F::interpolate(image.unsqueeze(0), F::InterpolateFuncOptions()
                                                .size(std::vector<std::int64_t>{size.first, size.second})
                                                .mode(torch::kBilinear)
                                                .align_corners(false))
      .squeeze(0);
}

torch::Tensor GeneralizedRcnnTransform::resize_boxes(const torch::Tensor& boxes, ImageSize from, ImageSize to) {
  // Ratios as float32 divisions, like torchvision's resize_boxes.
  const float ratio_h = static_cast<float>(to.first) / static_cast<float>(from.first);
  const float ratio_w = static_cast<float>(to.second) / static_cast<float>(from.second);
  const auto coords = boxes.unbind(1);
  return torch::stack({coords[0] * ratio_w, coords[1] * ratio_h, coords[2] * ratio_w, coords[3] * ratio_h}, 1);
}

ImageList GeneralizedRcnnTransform::forward(const std::vector<torch::Tensor>& images, std::vector<Target>* targets,
                                            bool training) const {
  TORCH_CHECK(!images.empty(), "GeneralizedRcnnTransform: no images");
  TORCH_CHECK(targets == nullptr || targets->size() == images.size(), "GeneralizedRcnnTransform: ",
              images.size(), " images but ", targets ? targets->size() : 0, " targets");
  std::vector<torch::Tensor> resized;
  std::vector<ImageSize> sizes;
  for (std::size_t i = 0; i < images.size(); ++i) {
    const auto& image = images[i];
    TORCH_CHECK(image.dim() == 3 && image.size(0) == 3, "expected images of shape [3, H, W], got ",
                image.sizes());
    TORCH_CHECK(image.is_floating_point(), "expected floating-point images in [0, 1], got ", image.dtype());
    std::int64_t min_size = m_config.min_size.back();  // inference uses the last (largest) scale
    if (training) {
      // torchvision's torch_choice: an index drawn with the global generator.
      const auto count = static_cast<double>(m_config.min_size.size());
      const auto index = static_cast<std::size_t>(torch::empty({1}).uniform_(0.0, count).item<double>());
      min_size = m_config.min_size[std::min(index, m_config.min_size.size() - 1)];
    }
    const ImageSize original{image.size(1), image.size(2)};
    const ImageSize size = resized_size(original.first, original.second, min_size);
    resized.push_back(resize_image(normalize(image), size));
    sizes.push_back(size);
    if (targets != nullptr) {
      Target& target = (*targets)[i];
      if (target.boxes.defined()) target.boxes = resize_boxes(target.boxes, original, size);
      if (target.masks.defined() && target.masks.size(0) > 0) {
        target.masks = F::interpolate(target.masks.unsqueeze(1).to(torch::kFloat),
                                      F::InterpolateFuncOptions()
                                          .size(std::vector<std::int64_t>{size.first, size.second})
                                          .mode(torch::kNearest))
                           .squeeze(1)
                           .to(torch::kUInt8);
      } else if (target.masks.defined()) {
        target.masks = torch::zeros({0, size.first, size.second}, target.masks.options().dtype(torch::kUInt8));
      }
    }
  }
  std::int64_t max_h = 0, max_w = 0;
  for (const auto& size : sizes) {
    max_h = std::max(max_h, size.first);
    max_w = std::max(max_w, size.second);
  }
  const auto stride = static_cast<double>(m_config.size_divisible);
  max_h = static_cast<std::int64_t>(std::ceil(static_cast<double>(max_h) / stride) * stride);
  max_w = static_cast<std::int64_t>(std::ceil(static_cast<double>(max_w) / stride) * stride);
  // Padding with zeros through constant_pad_nd keeps the batch differentiable w.r.t. the input images
  // (the counterfactual generator backpropagates to the pixels).
  std::vector<torch::Tensor> padded;
  for (const auto& image : resized) {
    padded.push_back(torch::constant_pad_nd(image, {0, max_w - image.size(2), 0, max_h - image.size(1)}, 0));
  }
  return ImageList{torch::stack(padded), sizes};
}

void GeneralizedRcnnTransform::postprocess(std::vector<Detections>& detections,
                                           const std::vector<ImageSize>& resized_sizes,
                                           const std::vector<ImageSize>& original_sizes) const {
  for (std::size_t i = 0; i < detections.size(); ++i) {
    auto& result = detections[i];
    result.boxes = resize_boxes(result.boxes, resized_sizes[i], original_sizes[i]);
    if (result.masks.defined()) {
      result.masks =
          paste_masks_in_image(result.masks, result.boxes, original_sizes[i].first, original_sizes[i].second, 1);
    }
  }
}

}  // namespace counterscope::modeling
