#pragma once
// Pastes per-box mask probabilities back into the image (torchvision's paste_masks_in_image): each
// M x M mask is padded by `padding` zero pixels, its box is enlarged by the same ratio and rounded to
// integers, the mask is resized bilinearly (align_corners = false) to the box and written into a
// zero image, clipped to the image.

#include <cstdint>

#include <torch/types.h>

namespace counterscope::modeling {

/// masks [N,1,M,M] probabilities; boxes [N,4] in image coordinates; returns [N,1,height,width].
/// CPU: only the part of each resized mask that falls inside the image is computed, masks in parallel.
torch::Tensor paste_masks_in_image(const torch::Tensor& masks, const torch::Tensor& boxes, int64_t height,
                                   int64_t width, int64_t padding = 1);

namespace detail {
/// The off-CPU formulation (per-mask interpolate + copy), exposed so tests can run it on the CPU.
torch::Tensor paste_masks_in_image_tensor_ops(const torch::Tensor& masks, const torch::Tensor& boxes, int64_t height,
                                              int64_t width, int64_t padding = 1);
}  // namespace detail

}  // namespace counterscope::modeling
