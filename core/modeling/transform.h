#pragma once
// GeneralizedRCNNTransform: normalises images, resizes them (shorter side to min_size, longer side capped
// at max_size; bilinear, as torchvision 0.14 with recompute_scale_factor), pads them into one batch whose
// sides are multiples of size_divisible, and maps detections back to the original image sizes.

#include <optional>
#include <vector>

#include <torch/torch.h>

#include "core/modeling/detection_types.h"
#include "core/modeling/model_config.h"

namespace counterscope::modeling {

class GeneralizedRcnnTransform {
 public:
  explicit GeneralizedRcnnTransform(TransformConfig config) : m_config(std::move(config)) {}

  /// images: float [3, H, W] RGB in [0, 1], any sizes. In training one min_size is drawn at random per
  /// image (torch's global generator) and targets (boxes, masks) are resized along.
  ImageList forward(const std::vector<torch::Tensor>& images, std::vector<Target>* targets, bool training) const;

  /// Output size of an image of (height, width) resized for `min_size` (torchvision's float32 arithmetic).
  ImageSize resized_size(std::int64_t height, std::int64_t width, std::int64_t min_size) const;
  /// Resizes a normalised [3, H, W] image (differentiable).
  torch::Tensor resize_image(const torch::Tensor& image, ImageSize size) const;
  torch::Tensor normalize(const torch::Tensor& image) const;

  /// Scales boxes [N, 4] from `from` to `to` image sizes.
  static torch::Tensor resize_boxes(const torch::Tensor& boxes, ImageSize from, ImageSize to);
  /// Rescales boxes to the original sizes and pastes the [N,1,M,M] mask probabilities into them.
  void postprocess(std::vector<Detections>& detections, const std::vector<ImageSize>& resized_sizes,
                   const std::vector<ImageSize>& original_sizes) const;

  const TransformConfig& config() const { return m_config; }

 private:
  TransformConfig m_config;
};

}  // namespace counterscope::modeling
