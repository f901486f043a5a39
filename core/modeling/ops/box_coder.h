#pragma once
// Box regression targets (R-CNN parameterisation) with torchvision's BoxCoder semantics:
// dx = wx * (gx - px) / pw, dy = wy * (gy - py) / ph, dw = ww * log(gw / pw), dh = wh * log(gh / ph).

#include <array>
#include <cmath>

#include <torch/types.h>

namespace counterscope::modeling {

class BoxCoder {
 public:
  /// weights: (wx, wy, ww, wh), e.g. (1,1,1,1) for the RPN and (10,10,5,5) for the box head.
  /// bbox_xform_clip: upper clamp of dw, dh before exp(), so huge predictions stay finite.
  explicit BoxCoder(std::array<double, 4> weights, double bbox_xform_clip = std::log(1000.0 / 16.0));

  /// Targets that turn `proposals` [N,4] into `reference_boxes` [N,4] (the ground truth): [N,4].
  torch::Tensor encode(const torch::Tensor& reference_boxes, const torch::Tensor& proposals) const;

  /// Applies rel_codes [N, K*4] to boxes [N,4]; returns [N,K,4] (K = 1 for class-agnostic codes).
  torch::Tensor decode(const torch::Tensor& rel_codes, const torch::Tensor& boxes) const;

  const std::array<double, 4>& weights() const { return m_weights; }
  double bbox_xform_clip() const { return m_bbox_xform_clip; }

 private:
  std::array<double, 4> m_weights;
  double m_bbox_xform_clip;
};

}  // namespace counterscope::modeling
