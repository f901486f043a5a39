#pragma once
// The detections an evaluator has received, kept in arrival order and indexed by image. Arrival order
// matters: lvis-api breaks score ties by it, and takes the box-or-mask area rule from the first detection.

#include <cstdint>
#include <string>
#include <vector>

#include "core/data/lvis/dataset.h"
#include "core/data/lvis/results.h"

namespace counterscope::evaluation {

class DetectionStore {
 public:
  /// Forgets every detection.
  void clear();

  /// Validates and appends the detections of one image. Every detection must name `image_id` (or carry 0,
  /// taken as `image_id`). Throws InputError (naming `source` and the detection's position) on an unknown
  /// image or category id, a NaN or negative score, a non-finite box, a malformed RLE or one whose size
  /// differs from the image's.
  void add(const data::Dataset& dataset, std::int64_t image_id, std::vector<data::Detection> detections,
           const std::string& source);

  /// Validates and appends detections of any images, keeping their order (a results file). Messages name
  /// `source` and the detection's position in the store (its index in the file when the store was empty).
  void add_in_order(const data::Dataset& dataset, std::vector<data::Detection> detections,
                    const std::string& source);

  const std::vector<data::Detection>& detections() const { return m_detections; }
  /// Detection indexes of the dataset image at `image_index`, in arrival order (empty when none).
  const std::vector<std::uint32_t>& of_image(std::size_t image_index) const;
  /// Dataset image indexes in the order their first detection arrived.
  const std::vector<std::uint32_t>& image_arrival_order() const { return m_image_arrival_order; }
  std::size_t size() const { return m_detections.size(); }

 private:
  void append(std::size_t image_index, data::Detection detection);

  std::vector<data::Detection> m_detections;
  std::vector<std::vector<std::uint32_t>> m_by_image;
  std::vector<std::uint32_t> m_image_arrival_order;
};

}  // namespace counterscope::evaluation
