#include "core/modeling/ops/anchor_generator.h"

#include <string>

#include "core/modeling/ops/ops_checks.h"

namespace counterscope::modeling {

AnchorGenerator::AnchorGenerator(std::vector<std::vector<double>> sizes,
                                 std::vector<std::vector<double>> aspect_ratios)
    : m_sizes(std::move(sizes)), m_aspect_ratios(std::move(aspect_ratios)) {
  if (m_sizes.size() != m_aspect_ratios.size()) {
    throw InputError("AnchorGenerator", "aspect_ratios", std::to_string(m_aspect_ratios.size()) + " levels",
                     "needs one entry per level of sizes (" + std::to_string(m_sizes.size()) + ")");
  }
  for (size_t level = 0; level < m_sizes.size(); ++level) {
    if (m_sizes[level].empty() || m_aspect_ratios[level].empty()) {
      throw InputError("AnchorGenerator", "level " + std::to_string(level), "empty", "needs sizes and aspect ratios");
    }
    for (double ratio : m_aspect_ratios[level]) {
      if (!(ratio > 0.0)) {
        throw InputError("AnchorGenerator", "aspect_ratios[" + std::to_string(level) + "]", std::to_string(ratio),
                         "must be > 0");
      }
    }
  }
}

int64_t AnchorGenerator::num_anchors_per_location(size_t level) const {
  if (level >= m_sizes.size()) {
    throw InputError("AnchorGenerator", "level", std::to_string(level),
                     "only " + std::to_string(m_sizes.size()) + " levels");
  }
  return static_cast<int64_t>(m_sizes[level].size() * m_aspect_ratios[level].size());
}

torch::Tensor AnchorGenerator::base_anchors(size_t level, const torch::TensorOptions& options) const {
  num_anchors_per_location(level);  // range check
  // Computed in the feature maps' dtype, as torchvision does, so that the rounding below matches it.
  const torch::Tensor scales = torch::tensor(m_sizes[level], torch::kFloat64).to(options);
  const torch::Tensor ratios = torch::tensor(m_aspect_ratios[level], torch::kFloat64).to(options);
  const torch::Tensor h_ratios = torch::sqrt(ratios);
  const torch::Tensor w_ratios = 1 / h_ratios;
  const torch::Tensor ws = (w_ratios.unsqueeze(1) * scales.unsqueeze(0)).view(-1);
  const torch::Tensor hs = (h_ratios.unsqueeze(1) * scales.unsqueeze(0)).view(-1);
  return (torch::stack({-ws, -hs, ws, hs}, 1) / 2).round();
}

std::vector<torch::Tensor> AnchorGenerator::operator()(const std::vector<std::pair<int64_t, int64_t>>& image_sizes,
                                                       int64_t padded_height, int64_t padded_width,
                                                       const std::vector<torch::Tensor>& feature_maps) const {
  if (feature_maps.size() != m_sizes.size()) {
    throw InputError("AnchorGenerator", "feature_maps", std::to_string(feature_maps.size()) + " levels",
                     "expected one per anchor level (" + std::to_string(m_sizes.size()) + ")");
  }
  std::vector<torch::Tensor> per_level;
  per_level.reserve(feature_maps.size());
  for (size_t level = 0; level < feature_maps.size(); ++level) {
    const torch::Tensor& feature_map = feature_maps[level];
    if (!feature_map.defined() || feature_map.dim() < 2 || feature_map.size(-1) == 0 || feature_map.size(-2) == 0) {
      throw ops_detail::shape_error("AnchorGenerator", "feature_maps[" + std::to_string(level) + "]", feature_map,
                                    "expected a non-empty [B, C, H, W] map");
    }
    const torch::TensorOptions options = feature_maps.front().options();
    const int64_t grid_height = feature_map.size(-2);
    const int64_t grid_width = feature_map.size(-1);
    // Integer strides from the padded batch size, like torchvision (image_size // grid_size).
    const int64_t stride_height = padded_height / grid_height;
    const int64_t stride_width = padded_width / grid_width;
    const auto index_options = options.dtype(torch::kInt64);
    const torch::Tensor shifts_x = torch::arange(grid_width, index_options) * stride_width;
    const torch::Tensor shifts_y = torch::arange(grid_height, index_options) * stride_height;
    const std::vector<torch::Tensor> mesh = torch::meshgrid({shifts_y, shifts_x}, "ij");
    const torch::Tensor shift_y = mesh[0].reshape(-1);
    const torch::Tensor shift_x = mesh[1].reshape(-1);
    const torch::Tensor shifts = torch::stack({shift_x, shift_y, shift_x, shift_y}, 1);
    const torch::Tensor cell_anchors = base_anchors(level, options);
    per_level.push_back((shifts.view({-1, 1, 4}) + cell_anchors.view({1, -1, 4})).reshape({-1, 4}));
  }
  const torch::Tensor anchors = torch::cat(per_level);
  // Every image of a padded batch gets the same anchors (own copies: callers may edit them in place).
  std::vector<torch::Tensor> per_image;
  per_image.reserve(image_sizes.size());
  for (size_t image = 0; image < image_sizes.size(); ++image) per_image.push_back(image == 0 ? anchors : anchors.clone());
  return per_image;
}

}  // namespace counterscope::modeling
