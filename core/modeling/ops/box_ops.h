#pragma once
// Elementary operations on axis-aligned boxes [N,4] in (x1, y1, x2, y2) pixel coordinates, with
// torchvision.ops.boxes semantics (areas are (x2-x1)*(y2-y1), no +1 convention).

#include <cstdint>

#include <torch/types.h>

namespace counterscope::modeling {

/// Area of each box: [N,4] -> [N].
torch::Tensor box_area(const torch::Tensor& boxes);

/// Pairwise intersection-over-union: [N,4] x [M,4] -> [N,M] (float32 boxes are computed in float32).
torch::Tensor box_iou(const torch::Tensor& boxes_a, const torch::Tensor& boxes_b);

/// Clamps x to [0, width] and y to [0, height]. Accepts [..., 4]; returns the same shape.
torch::Tensor clip_boxes_to_image(const torch::Tensor& boxes, int64_t height, int64_t width);

/// Indices (int64, increasing) of the boxes whose width AND height are >= min_size.
torch::Tensor remove_small_boxes(const torch::Tensor& boxes, double min_size);

}  // namespace counterscope::modeling
