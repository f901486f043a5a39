#include "core/modeling/ops/box_coder.h"

#include <string>

#include "core/modeling/ops/ops_checks.h"

namespace counterscope::modeling {

BoxCoder::BoxCoder(std::array<double, 4> weights, double bbox_xform_clip)
    : m_weights(weights), m_bbox_xform_clip(bbox_xform_clip) {
  const char* names[4] = {"weights[0]", "weights[1]", "weights[2]", "weights[3]"};
  for (size_t i = 0; i < 4; ++i) {
    if (!(weights[i] > 0.0)) throw InputError("BoxCoder", names[i], std::to_string(weights[i]), "must be > 0");
  }
}

torch::Tensor BoxCoder::encode(const torch::Tensor& reference_boxes, const torch::Tensor& proposals) const {
  ops_detail::check_boxes(reference_boxes, "BoxCoder::encode", "reference_boxes");
  ops_detail::check_boxes(proposals, "BoxCoder::encode", "proposals");
  if (reference_boxes.size(0) != proposals.size(0)) {
    throw ops_detail::shape_error("BoxCoder::encode", "proposals", proposals,
                                  "expected as many rows as reference_boxes (" +
                                      ops_detail::describe(reference_boxes) + ")");
  }
  // torchvision holds the weights as a tensor of the boxes' dtype.
  const torch::Tensor weights =
      torch::tensor({m_weights[0], m_weights[1], m_weights[2], m_weights[3]}, torch::kFloat64)
          .to(reference_boxes.options());
  auto column = [](const torch::Tensor& boxes, int64_t i) { return boxes.select(1, i).unsqueeze(1); };
  const torch::Tensor ex_widths = column(proposals, 2) - column(proposals, 0);
  const torch::Tensor ex_heights = column(proposals, 3) - column(proposals, 1);
  const torch::Tensor ex_ctr_x = column(proposals, 0) + 0.5 * ex_widths;
  const torch::Tensor ex_ctr_y = column(proposals, 1) + 0.5 * ex_heights;
  const torch::Tensor gt_widths = column(reference_boxes, 2) - column(reference_boxes, 0);
  const torch::Tensor gt_heights = column(reference_boxes, 3) - column(reference_boxes, 1);
  const torch::Tensor gt_ctr_x = column(reference_boxes, 0) + 0.5 * gt_widths;
  const torch::Tensor gt_ctr_y = column(reference_boxes, 1) + 0.5 * gt_heights;
  const torch::Tensor dx = weights[0] * (gt_ctr_x - ex_ctr_x) / ex_widths;
  const torch::Tensor dy = weights[1] * (gt_ctr_y - ex_ctr_y) / ex_heights;
  const torch::Tensor dw = weights[2] * torch::log(gt_widths / ex_widths);
  const torch::Tensor dh = weights[3] * torch::log(gt_heights / ex_heights);
  return torch::cat({dx, dy, dw, dh}, 1);
}

torch::Tensor BoxCoder::decode(const torch::Tensor& rel_codes, const torch::Tensor& boxes) const {
  ops_detail::check_boxes(boxes, "BoxCoder::decode", "boxes");
  const int64_t count = boxes.size(0);
  if (!rel_codes.defined() || rel_codes.numel() % 4 != 0 || (count > 0 && rel_codes.numel() % (4 * count) != 0) ||
      (count == 0 && rel_codes.numel() != 0)) {
    throw ops_detail::shape_error("BoxCoder::decode", "rel_codes", rel_codes,
                                  "expected [N, K*4] with N = " + std::to_string(count) + " (boxes)");
  }
  if (count == 0) {
    const int64_t per_box = rel_codes.dim() == 2 && rel_codes.size(1) > 0 ? rel_codes.size(1) / 4 : 1;
    return torch::zeros({0, per_box, 4}, rel_codes.options());
  }
  const torch::Tensor codes = rel_codes.reshape({count, -1});
  const torch::Tensor reference = boxes.to(codes.scalar_type());
  const torch::Tensor widths = (reference.select(1, 2) - reference.select(1, 0)).unsqueeze(1);
  const torch::Tensor heights = (reference.select(1, 3) - reference.select(1, 1)).unsqueeze(1);
  const torch::Tensor ctr_x = reference.select(1, 0).unsqueeze(1) + 0.5 * widths;
  const torch::Tensor ctr_y = reference.select(1, 1).unsqueeze(1) + 0.5 * heights;
  using torch::indexing::None;
  using torch::indexing::Slice;
  const torch::Tensor dx = codes.index({Slice(), Slice(0, None, 4)}) / m_weights[0];
  const torch::Tensor dy = codes.index({Slice(), Slice(1, None, 4)}) / m_weights[1];
  // Clamped so that exp() of a wild prediction stays finite.
  const torch::Tensor dw = (codes.index({Slice(), Slice(2, None, 4)}) / m_weights[2]).clamp_max(m_bbox_xform_clip);
  const torch::Tensor dh = (codes.index({Slice(), Slice(3, None, 4)}) / m_weights[3]).clamp_max(m_bbox_xform_clip);
  const torch::Tensor pred_ctr_x = dx * widths + ctr_x;
  const torch::Tensor pred_ctr_y = dy * heights + ctr_y;
  const torch::Tensor pred_w = torch::exp(dw) * widths;
  const torch::Tensor pred_h = torch::exp(dh) * heights;
  const torch::Tensor half_w = 0.5 * pred_w;
  const torch::Tensor half_h = 0.5 * pred_h;
  return torch::stack({pred_ctr_x - half_w, pred_ctr_y - half_h, pred_ctr_x + half_w, pred_ctr_y + half_h}, 2);
}

}  // namespace counterscope::modeling
