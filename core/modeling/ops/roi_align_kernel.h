#pragma once
// CPU kernels of RoIAlign (internal to counterscope_modeling_ops). They reproduce torchvision 0.14's
// roi_align_kernel arithmetic step by step (same float operations in the same order), so forward
// results are bit-identical and gradients accumulate in the same order per feature-map location.

#include <cstdint>

#include <torch/types.h>

namespace counterscope::modeling::ops_detail {

/// The pooling parameters shared by forward and backward.
struct RoiAlignParams {
  double spatial_scale = 1.0;
  int64_t pooled_height = 1;
  int64_t pooled_width = 1;
  int64_t sampling_ratio = 0;
  bool aligned = false;
};

/// input [N,C,H,W] and rois [K,5] on the CPU, same floating dtype. Returns [K,C,ph,pw].
torch::Tensor roi_align_forward_cpu(const torch::Tensor& input, const torch::Tensor& rois,
                                    const RoiAlignParams& params);

/// Gradient of the input [N,C,H,W] (= input_sizes) for grad_output [K,C,ph,pw].
torch::Tensor roi_align_backward_cpu(const torch::Tensor& grad_output, const torch::Tensor& rois,
                                     torch::IntArrayRef input_sizes, const RoiAlignParams& params);

}  // namespace counterscope::modeling::ops_detail
