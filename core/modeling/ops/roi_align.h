#pragma once
// RoIAlign (He et al., Mask R-CNN) with the exact bilinear sampling of torchvision 0.14's roi_align
// kernels, differentiable with respect to the feature map.

#include <cstdint>

#include <torch/types.h>

namespace counterscope::modeling {

/// input [N,C,H,W]; rois [K,5] rows (batch index, x1, y1, x2, y2) in image coordinates, same dtype
/// and device as input. Each RoI is scaled by spatial_scale, cut into pooled_height x pooled_width
/// bins, and each bin averages sampling_ratio^2 bilinear samples (sampling_ratio <= 0: adaptive,
/// ceil(roi size / pooled size) per axis). aligned = true shifts by -0.5 pixel (Detectron2's
/// "ROIAlignV2"); aligned = false clamps RoI sizes to >= 1 like the original.
/// Returns [K,C,pooled_height,pooled_width]; gradients flow to `input` (not to `rois`).
/// CPU: dedicated forward/backward kernels parallel over RoIs (forward) and channels (backward).
/// Other devices: an equivalent formulation in tensor ops, differentiated by autograd.
torch::Tensor roi_align(const torch::Tensor& input, const torch::Tensor& rois, double spatial_scale,
                        int64_t pooled_height, int64_t pooled_width, int64_t sampling_ratio, bool aligned);

namespace detail {
/// The tensor-op formulation used off the CPU, exposed so that tests can check it against the kernel.
torch::Tensor roi_align_tensor_ops(const torch::Tensor& input, const torch::Tensor& rois, double spatial_scale,
                                   int64_t pooled_height, int64_t pooled_width, int64_t sampling_ratio,
                                   bool aligned);
}  // namespace detail

}  // namespace counterscope::modeling
