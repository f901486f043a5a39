#include "core/modeling/ops/multi_scale_roi_align.h"

#include <algorithm>
#include <cmath>

#include "core/modeling/ops/box_ops.h"
#include "core/modeling/ops/ops_checks.h"
#include "core/modeling/ops/roi_align.h"

namespace counterscope::modeling {

namespace {

constexpr const char* k_op = "MultiScaleRoIAlign";

std::vector<std::string> numbered_levels(int64_t num_levels) {
  ops_detail::check_positive(num_levels, k_op, "num_levels");
  std::vector<std::string> names;
  for (int64_t level = 0; level < num_levels; ++level) names.push_back(std::to_string(level));
  return names;
}

/// [sum K_i, 5] rows (image index, x1, y1, x2, y2), torchvision's _convert_to_roi_format.
torch::Tensor to_roi_format(const std::vector<torch::Tensor>& boxes_per_image) {
  std::vector<torch::Tensor> rows;
  rows.reserve(boxes_per_image.size());
  for (size_t image = 0; image < boxes_per_image.size(); ++image) {
    const torch::Tensor& boxes = boxes_per_image[image];
    const torch::Tensor ids = torch::full({boxes.size(0), 1}, static_cast<double>(image), boxes.options());
    rows.push_back(torch::cat({ids, boxes}, 1));
  }
  return torch::cat(rows, 0);
}

}  // namespace

MultiScaleRoIAlign::MultiScaleRoIAlign(std::vector<std::string> featmap_names, int64_t output_size,
                                       int64_t sampling_ratio, double canonical_scale, int64_t canonical_level,
                                       double eps)
    : m_featmap_names(std::move(featmap_names)),
      m_output_size(output_size),
      m_sampling_ratio(sampling_ratio),
      m_canonical_scale(canonical_scale),
      m_canonical_level(canonical_level),
      m_eps(eps) {
  if (m_featmap_names.empty()) throw InputError(k_op, "featmap_names", "[]", "needs at least one level");
  ops_detail::check_positive(output_size, k_op, "output_size");
  if (!(canonical_scale > 0.0)) {
    throw InputError(k_op, "canonical_scale", std::to_string(canonical_scale), "must be > 0");
  }
}

MultiScaleRoIAlign::MultiScaleRoIAlign(int64_t num_levels, int64_t output_size, int64_t sampling_ratio,
                                       double canonical_scale, int64_t canonical_level, double eps)
    : MultiScaleRoIAlign(numbered_levels(num_levels), output_size, sampling_ratio, canonical_scale,
                         canonical_level, eps) {}

std::vector<double> MultiScaleRoIAlign::infer_scales(const std::vector<torch::Tensor>& features,
                                                     const std::vector<std::pair<int64_t, int64_t>>& image_sizes) const {
  if (image_sizes.empty()) throw InputError(k_op, "image_sizes", "[]", "needs the size of every image");
  if (static_cast<int64_t>(features.size()) < num_levels()) {
    throw InputError(k_op, "features", std::to_string(features.size()) + " maps",
                     "expected at least " + std::to_string(num_levels()) + " levels");
  }
  // The scale is inferred from the largest image, as 2^round(log2(feature height / image height)).
  int64_t max_height = 0;
  for (const auto& size : image_sizes) max_height = std::max(max_height, size.first);
  std::vector<double> scales;
  for (int64_t level = 0; level < num_levels(); ++level) {
    const torch::Tensor& feature = features[level];
    if (!feature.defined() || feature.dim() != 4) {
      throw ops_detail::shape_error(k_op, "features[" + std::to_string(level) + "]", feature,
                                    "expected [B, C, H, W]");
    }
    const double approx_scale = static_cast<double>(feature.size(2)) / static_cast<double>(max_height);
    // torchvision takes log2 of the ratio as a float32 tensor; so do we, for identical rounding.
    const float log_scale = std::nearbyint(std::log2(static_cast<float>(approx_scale)));
    scales.push_back(std::pow(2.0, static_cast<double>(log_scale)));
  }
  return scales;
}

torch::Tensor MultiScaleRoIAlign::assign_levels(const std::vector<torch::Tensor>& boxes_per_image,
                                                const std::vector<double>& scales) const {
  // k_min, k_max from the finest and coarsest scales (-log2 taken in float32 like torchvision).
  const auto level_of = [](double scale) {
    return static_cast<int64_t>(-std::log2(static_cast<float>(scale)));
  };
  const int64_t k_min = level_of(scales.front());
  const int64_t k_max = level_of(scales.back());
  std::vector<torch::Tensor> areas;
  for (const torch::Tensor& boxes : boxes_per_image) areas.push_back(box_area(boxes));
  const torch::Tensor sizes = torch::sqrt(torch::cat(areas));
  const torch::Tensor eps = torch::full({}, m_eps, sizes.options());
  const torch::Tensor target = torch::floor(m_canonical_level + torch::log2(sizes / m_canonical_scale) + eps);
  return target.clamp(k_min, k_max).to(torch::kInt64) - k_min;
}

torch::Tensor MultiScaleRoIAlign::forward(const std::vector<torch::Tensor>& features,
                                          const std::vector<torch::Tensor>& boxes_per_image,
                                          const std::vector<std::pair<int64_t, int64_t>>& image_sizes) const {
  const std::vector<double> scales = infer_scales(features, image_sizes);
  if (boxes_per_image.empty()) throw InputError(k_op, "boxes_per_image", "[]", "needs one tensor per image");
  for (size_t image = 0; image < boxes_per_image.size(); ++image) {
    ops_detail::check_boxes(boxes_per_image[image], k_op, "boxes_per_image[" + std::to_string(image) + "]");
  }
  const torch::Tensor rois = to_roi_format(boxes_per_image);
  if (num_levels() == 1) {
    return roi_align(features[0], rois, scales[0], m_output_size, m_output_size, m_sampling_ratio, false);
  }
  const torch::Tensor levels = assign_levels(boxes_per_image, scales);
  const torch::Tensor& first = features[0];
  torch::Tensor result = torch::zeros({rois.size(0), first.size(1), m_output_size, m_output_size}, first.options());
  for (int64_t level = 0; level < num_levels(); ++level) {
    const torch::Tensor in_level = torch::where(levels == level)[0];
    if (in_level.numel() == 0) continue;
    const torch::Tensor pooled = roi_align(features[level], rois.index_select(0, in_level), scales[level],
                                           m_output_size, m_output_size, m_sampling_ratio, false);
    // Out of place, so that gradients reach every level's feature map.
    result = result.index_copy(0, in_level, pooled.to(result.scalar_type()));
  }
  return result;
}

}  // namespace counterscope::modeling
