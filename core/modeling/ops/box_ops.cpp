#include "core/modeling/ops/box_ops.h"

#include <string>

#include "core/modeling/ops/ops_checks.h"

namespace counterscope::modeling {

torch::Tensor box_area(const torch::Tensor& boxes) {
  ops_detail::check_boxes(boxes, "box_area", "boxes");
  // Integer boxes are widened first so that products cannot overflow (torchvision's _upcast).
  const torch::Tensor wide =
      boxes.is_floating_point() || boxes.scalar_type() == torch::kInt64 ? boxes : boxes.to(torch::kInt64);
  return (wide.select(1, 2) - wide.select(1, 0)) * (wide.select(1, 3) - wide.select(1, 1));
}

torch::Tensor box_iou(const torch::Tensor& boxes_a, const torch::Tensor& boxes_b) {
  ops_detail::check_boxes(boxes_a, "box_iou", "boxes_a");
  ops_detail::check_boxes(boxes_b, "box_iou", "boxes_b");
  const torch::Tensor area_a = box_area(boxes_a);
  const torch::Tensor area_b = box_area(boxes_b);
  using torch::indexing::None;
  using torch::indexing::Slice;
  const torch::Tensor left_top =
      torch::max(boxes_a.index({Slice(), None, Slice(None, 2)}), boxes_b.index({Slice(), Slice(None, 2)}));
  const torch::Tensor right_bottom =
      torch::min(boxes_a.index({Slice(), None, Slice(2, None)}), boxes_b.index({Slice(), Slice(2, None)}));
  torch::Tensor extent = right_bottom - left_top;
  if (!extent.is_floating_point() && extent.scalar_type() != torch::kInt64) extent = extent.to(torch::kInt64);
  const torch::Tensor wh = extent.clamp_min(0);
  const torch::Tensor intersection = wh.select(2, 0) * wh.select(2, 1);
  const torch::Tensor union_area = area_a.unsqueeze(1) + area_b - intersection;
  return intersection / union_area;
}

torch::Tensor clip_boxes_to_image(const torch::Tensor& boxes, int64_t height, int64_t width) {
  if (boxes.dim() < 1 || boxes.size(-1) != 4) {
    throw ops_detail::shape_error("clip_boxes_to_image", "boxes", boxes, "expected [..., 4]");
  }
  using torch::indexing::Ellipsis;
  using torch::indexing::None;
  using torch::indexing::Slice;
  const torch::Tensor xs = boxes.index({Ellipsis, Slice(0, None, 2)}).clamp(0, width);
  const torch::Tensor ys = boxes.index({Ellipsis, Slice(1, None, 2)}).clamp(0, height);
  return torch::stack({xs, ys}, boxes.dim()).reshape(boxes.sizes());
}

torch::Tensor remove_small_boxes(const torch::Tensor& boxes, double min_size) {
  ops_detail::check_boxes(boxes, "remove_small_boxes", "boxes");
  const torch::Tensor widths = boxes.select(1, 2) - boxes.select(1, 0);
  const torch::Tensor heights = boxes.select(1, 3) - boxes.select(1, 1);
  const torch::Tensor keep = (widths >= min_size).logical_and(heights >= min_size);
  return torch::where(keep)[0];
}

}  // namespace counterscope::modeling
