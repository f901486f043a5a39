#pragma once
// Tensor-level inputs and outputs of the Mask R-CNN modules (the torch-free result type for the app and
// CLI is in predictor.h).

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

namespace counterscope::modeling {

/// (height, width) of one image.
using ImageSize = std::pair<std::int64_t, std::int64_t>;

/// A padded batch of normalised images and the size of each image inside it.
struct ImageList {
  torch::Tensor tensors;               ///< [N, 3, H, W], H and W multiples of size_divisible
  std::vector<ImageSize> image_sizes;  ///< size of each resized image before padding
};

/// Ground truth of one image, in the image's pixel coordinates.
struct Target {
  torch::Tensor boxes;   ///< float [G, 4] x1, y1, x2, y2
  torch::Tensor labels;  ///< int64 [G], contiguous labels 1..num_classes-1
  torch::Tensor masks;   ///< uint8 (or float/bool) [G, H, W] binary masks
};

/// Detections of one image.
struct Detections {
  torch::Tensor boxes;   ///< float [D, 4] in the original image's coordinates
  torch::Tensor labels;  ///< int64 [D]
  torch::Tensor scores;  ///< float [D]
  torch::Tensor masks;   ///< float [D, 1, H, W] mask probabilities pasted into the image
};

/// Named training losses (loss_objectness, loss_rpn_box_reg, loss_classifier, loss_box_reg, loss_mask).
using LossDict = std::map<std::string, torch::Tensor>;

}  // namespace counterscope::modeling
