#pragma once
// Multi-level RoIAlign over a feature pyramid (torchvision.ops.MultiScaleRoIAlign): each box is pooled
// from the level chosen by the FPN paper's heuristic (eq. 1), level = floor(canonical_level +
// log2(sqrt(area) / canonical_scale) + eps), clamped to the available levels; each level's scale is
// inferred from its size relative to the largest image size (rounded to a power of two).

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <torch/types.h>

namespace counterscope::modeling {

class MultiScaleRoIAlign {
 public:
  /// `featmap_names`: the pyramid levels pooled from, finest first ("0","1","2","3" in torchvision's
  /// FPN); forward() receives the feature maps in that order and ignores any extra trailing ones
  /// (e.g. the "pool" level). output_size: the pooled height and width.
  MultiScaleRoIAlign(std::vector<std::string> featmap_names, int64_t output_size, int64_t sampling_ratio,
                     double canonical_scale = 224.0, int64_t canonical_level = 4, double eps = 1e-6);
  /// Same with unnamed levels: the first `num_levels` feature maps are used.
  MultiScaleRoIAlign(int64_t num_levels, int64_t output_size, int64_t sampling_ratio,
                     double canonical_scale = 224.0, int64_t canonical_level = 4, double eps = 1e-6);

  /// features: per level [B,C,H_l,W_l] (finest first); boxes_per_image: B tensors [K_i,4] in image
  /// coordinates; image_sizes: (height, width) of each image before padding.
  /// Returns [sum K_i, C, output_size, output_size], rows in the order of the concatenated boxes.
  torch::Tensor forward(const std::vector<torch::Tensor>& features,
                        const std::vector<torch::Tensor>& boxes_per_image,
                        const std::vector<std::pair<int64_t, int64_t>>& image_sizes) const;

  /// Scale of each used level relative to the images (e.g. 1/4, 1/8, 1/16, 1/32).
  std::vector<double> infer_scales(const std::vector<torch::Tensor>& features,
                                   const std::vector<std::pair<int64_t, int64_t>>& image_sizes) const;

  /// Index (int64, 0 = finest used level) of the level each box is pooled from, for the given scales.
  torch::Tensor assign_levels(const std::vector<torch::Tensor>& boxes_per_image,
                              const std::vector<double>& scales) const;

  const std::vector<std::string>& featmap_names() const { return m_featmap_names; }
  int64_t num_levels() const { return static_cast<int64_t>(m_featmap_names.size()); }
  int64_t output_size() const { return m_output_size; }
  int64_t sampling_ratio() const { return m_sampling_ratio; }

 private:
  std::vector<std::string> m_featmap_names;
  int64_t m_output_size;
  int64_t m_sampling_ratio;
  double m_canonical_scale;
  int64_t m_canonical_level;
  double m_eps;
};

}  // namespace counterscope::modeling
