#pragma once
// Training batches for the detector: images decoded from the dataset's image root, ground truth turned into
// modeling::Target (boxes x1y1x2y2, contiguous labels, binary masks), horizontal flips, epoch orders from
// plain shuffling or repeat-factor sampling. batch(i) is a pure function of the iteration i and the seed,
// so background prefetching and resuming give exactly the batches of an uninterrupted run.

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/data/category_labels.h"
#include "core/data/lvis/dataset.h"
#include "core/modeling/detection_types.h"

namespace counterscope::engine {

struct DetectionBatch {
  std::vector<torch::Tensor> images;          ///< float [3, H, W] RGB in [0, 1]
  std::vector<modeling::Target> targets;
  std::vector<std::int64_t> image_ids;
};

struct DetectionDataOptions {
  std::int64_t batch_size = 4;     ///< images per iteration
  bool horizontal_flip = true;     ///< flip each image with probability 1/2
  std::uint64_t seed = 0;          ///< seeds epoch orders and flips
};

/// Image indexes (positions in Dataset::images) of one epoch, before shuffling; called with the epoch number
/// and a seed for that epoch (repeat-factor sampling rounds stochastically with it). Images without usable
/// annotations in its result are dropped.
using EpochSampler = std::function<std::vector<std::uint32_t>(std::int64_t epoch, std::uint64_t epoch_seed)>;

class DetectionDataSource {
 public:
  /// Keeps a reference to `dataset`, which must outlive the source. Images without a usable (non-crowd,
  /// non-degenerate) annotation are left out, as detectron2 and torchvision's references do. Throws
  /// InputError when nothing is left. With no `sampler`, every usable image once per epoch.
  DetectionDataSource(const data::Dataset& dataset, std::string image_root, DetectionDataOptions options,
                      EpochSampler sampler = {});

  DetectionBatch batch(std::int64_t iteration) const;
  /// One training sample (image position in Dataset::images), optionally flipped.
  void load_sample(std::uint32_t image_index, bool flip, DetectionBatch& into) const;

  const std::vector<std::uint32_t>& usable_images() const { return m_usable; }
  const data::CategoryLabels& labels() const { return m_labels; }

 private:
  /// The image index of the s-th sample of the whole run.
  std::uint32_t sample_image(std::int64_t sample) const;

  const data::Dataset& m_dataset;
  std::string m_image_root;
  DetectionDataOptions m_options;
  EpochSampler m_sampler;
  data::CategoryLabels m_labels;
  std::vector<std::uint32_t> m_usable;
  std::vector<char> m_is_usable;  // by image position
  mutable std::mutex m_epochs_mutex;
  mutable std::vector<std::vector<std::uint32_t>> m_epochs;  // shuffled orders, computed on demand
  mutable std::vector<std::int64_t> m_epoch_starts;           // first sample of each epoch
};

/// A non-crowd annotation whose box is at least one pixel each way: what training learns from.
bool usable_for_training(const data::Annotation& annotation);

/// 64-bit mix of a seed and an index (splitmix64), for per-sample random decisions independent of order.
std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t index);

}  // namespace counterscope::engine
