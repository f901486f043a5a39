#pragma once
// Anchors over a feature pyramid, torchvision's AnchorGenerator: per level, base anchors of every
// (size, aspect ratio) centred on 0 and rounded, shifted by the level's stride over its grid.

#include <cstdint>
#include <utility>
#include <vector>

#include <torch/types.h>

namespace counterscope::modeling {

class AnchorGenerator {
 public:
  /// sizes[l], aspect_ratios[l]: anchor sizes (sqrt of area, pixels) and ratios h/w of level l; both
  /// lists need one entry per level (InputError otherwise). E.g. sizes {{32},{64},{128},{256},{512}}
  /// and ratios {{0.5,1,2}} x 5 for Mask R-CNN with FPN.
  AnchorGenerator(std::vector<std::vector<double>> sizes, std::vector<std::vector<double>> aspect_ratios);

  /// Anchors per location of level `level` (= sizes * ratios).
  int64_t num_anchors_per_location(size_t level) const;
  size_t num_levels() const { return m_sizes.size(); }

  /// image_sizes: (height, width) of each image of the batch (only their count matters, as in
  /// torchvision); padded_height/width: the batch tensor's spatial size (strides are padded size //
  /// grid size); feature_maps: per level [B,C,H_l,W_l]. Returns per image [sum_l H_l*W_l*A_l, 4]
  /// (dtype/device of the feature maps), ordered level, row, column, anchor.
  std::vector<torch::Tensor> operator()(const std::vector<std::pair<int64_t, int64_t>>& image_sizes,
                                        int64_t padded_height, int64_t padded_width,
                                        const std::vector<torch::Tensor>& feature_maps) const;

  /// Rounded base anchors [A_l, 4] of level `level`, centred on (0, 0).
  torch::Tensor base_anchors(size_t level, const torch::TensorOptions& options) const;

 private:
  std::vector<std::vector<double>> m_sizes;
  std::vector<std::vector<double>> m_aspect_ratios;
};

}  // namespace counterscope::modeling
