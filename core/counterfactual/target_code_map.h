#pragma once
// Target conditioning T(X, t): a learned class embedding painted into every instance's region, one code map
// per resolution the generator works at. Where instances overlap, the codes are averaged by coverage; outside
// every instance the map is zero. Changing one instance's label therefore changes the map only inside that
// instance's region (its box or mask, resized to the level). Optionally one more channel marks the instances
// whose target label differs from the label they show now (GeneratorOptions::mark_changes).

#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "core/counterfactual/counterfactual_options.h"
#include "core/modeling/detection_types.h"

namespace counterscope::counterfactual {

/// The instances of one image and the labels they should carry (original image coordinates).
struct InstanceSet {
  torch::Tensor boxes;   ///< float [G, 4] x1, y1, x2, y2
  torch::Tensor labels;  ///< int64 [G], contiguous labels 1..num_classes-1
  torch::Tensor masks;   ///< optional [G, H, W] binary masks (uint8/bool/float); undefined = boxes only
  /// Optional int64 [G]: the labels the image shows now. An instance whose `labels` entry differs is marked
  /// as changed; undefined = nothing marked.
  torch::Tensor current_labels;
};

/// Where the images sit in the generator's frame: the model transform's padded batch.
struct CodeFrame {
  std::vector<modeling::ImageSize> original_sizes;  ///< (H, W) of each input image
  std::vector<modeling::ImageSize> resized_sizes;   ///< (h, w) of each image inside the padded batch
  modeling::ImageSize padded_size;                  ///< (Hp, Wp) of the batch
};

class TargetCodeMapImpl : public torch::nn::Module {
 public:
  TargetCodeMapImpl(std::int64_t num_classes, std::int64_t code_dim, CodeRegion region, bool mark_changes = false);

  /// Region weights [G, Hp, Wp] in {0, 1} of one image's instances in the padded frame: boxes (every pixel
  /// the box touches) or masks resized bilinearly and thresholded; an empty mask falls back to its box.
  torch::Tensor regions(const InstanceSet& instances, modeling::ImageSize original, modeling::ImageSize resized,
                        modeling::ImageSize padded) const;
  /// Code maps [N, channels(), h, w] for each of `sizes`: per pixel the coverage-weighted mean of the codes of
  /// the instances covering it (region weights area-pooled to the size), then, when marking changes, the
  /// coverage of the changed instances (at most 1).
  std::vector<torch::Tensor> forward(const std::vector<InstanceSet>& instances, const CodeFrame& frame,
                                     const std::vector<modeling::ImageSize>& sizes);

  std::int64_t code_dim() const { return m_code_dim; }
  /// Channels of each code map: code_dim, plus one when changes are marked.
  std::int64_t channels() const { return m_code_dim + (m_mark_changes ? 1 : 0); }
  std::int64_t num_classes() const { return m_num_classes; }
  torch::nn::Embedding embedding() const { return m_embedding; }

 private:
  std::int64_t m_num_classes, m_code_dim;
  CodeRegion m_region;
  bool m_mark_changes;
  torch::nn::Embedding m_embedding{nullptr};
};
TORCH_MODULE(TargetCodeMap);

}  // namespace counterscope::counterfactual
