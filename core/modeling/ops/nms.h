#pragma once
// Non-maximum suppression with the semantics of torchvision 0.14's CPU kernel: boxes are visited by
// decreasing score (stable sort, so equal scores keep their input order), and a box is suppressed when
// its IoU with a kept box is strictly greater than iou_threshold.

#include <torch/types.h>

namespace counterscope::modeling {

/// boxes [N,4] (x1,y1,x2,y2), scores [N] of the same floating dtype. Returns the int64 indices of the
/// kept boxes, sorted by decreasing score. Works on any device (CPU kernel; other devices compute the
/// overlap matrix with tensor ops and sweep it on the host).
torch::Tensor nms(const torch::Tensor& boxes, const torch::Tensor& scores, double iou_threshold);

/// NMS done independently per category `idxs` [N] (int64): boxes of different categories never
/// suppress each other. Returns the int64 indices of the kept boxes, sorted by decreasing score.
/// Like torchvision, small inputs use the coordinate-offset trick (one nms on shifted boxes) and large
/// inputs (> 1000 boxes on CPU, > 5000 elsewhere) a per-category pass, so results match it exactly.
torch::Tensor batched_nms(const torch::Tensor& boxes, const torch::Tensor& scores, const torch::Tensor& idxs,
                          double iou_threshold);

namespace detail {
/// The off-CPU formulation (device overlap matrix + host sweep), exposed so tests can run it on the CPU.
torch::Tensor nms_tensor_ops(const torch::Tensor& boxes, const torch::Tensor& scores, double iou_threshold);
}  // namespace detail

}  // namespace counterscope::modeling
