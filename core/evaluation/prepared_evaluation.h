#pragma once
// The detections and ground truths that enter LVIS evaluation, after lvis-api's preparation
// (LVISResults + LVISEval._prepare): top detections per image by score, the area rule (box w*h when the
// first detection has a box, else mask area), the area > 0 filter of get_ann_ids, and the federated filter
// (a detection counts only for categories present in its image or listed in its neg_category_ids).
// Grouped by (image, category) pair, images sorted by id, so that workers can take categories or images.

#include <cstdint>
#include <string>
#include <vector>

#include "core/data/lvis/dataset.h"
#include "core/data/mask/rle.h"
#include "core/evaluation/detection_store.h"
#include "core/evaluation/lvis_eval_params.h"

namespace counterscope::evaluation {

struct PreparedDetection {
  std::uint32_t source = 0;  ///< index into DetectionStore::detections()
  std::uint32_t category_index = 0;
  double score = 0;
  double area = 0;    ///< as lvis-api takes it (see areas_from_boxes)
  data::BoxXywh box;  ///< the detection's box, or the box of its mask when it has none
};

/// The detections and ground truths of one category in one image.
struct ImageCategoryPair {
  std::uint32_t image_position = 0;  ///< index into PreparedEvaluation::images
  std::uint32_t category_index = 0;  ///< index into Dataset::categories
  std::uint32_t detection_begin = 0, detection_end = 0;  ///< range of PreparedEvaluation::detections
  std::uint32_t truth_begin = 0, truth_end = 0;          ///< range of PreparedEvaluation::ground_truths
  bool not_exhaustive = false;  ///< the category is in the image's not_exhaustive_category_ids

  std::uint32_t detection_count() const { return detection_end - detection_begin; }
  std::uint32_t truth_count() const { return truth_end - truth_begin; }
};

struct PreparedImage {
  std::uint32_t image_index = 0;  ///< index into Dataset::images
  std::uint32_t pair_begin = 0, pair_end = 0;
};

class PreparedEvaluation {
 public:
  /// Builds the evaluation input. `max_detections_per_image` < 0 keeps all.
  PreparedEvaluation(const data::Dataset& dataset, const DetectionStore& store, int max_detections_per_image);

  const data::Dataset& dataset() const { return *m_dataset; }
  const DetectionStore& store() const { return *m_store; }

  /// lvis-api's quirk: when the first detection (after the per-image limit) carries a box, every detection's
  /// area is its box's w*h — for segm too; otherwise the mask area.
  bool areas_from_boxes() const { return m_areas_from_boxes; }
  /// Whether any detection entered the evaluation input (before the federated filter).
  bool has_detections() const { return m_has_detections; }

  /// Every image of the dataset, sorted by id; detections within a pair sorted by score (stable).
  const std::vector<PreparedImage>& images() const { return m_images; }
  const std::vector<ImageCategoryPair>& pairs() const { return m_pairs; }
  const std::vector<PreparedDetection>& detections() const { return m_detections; }
  /// Annotation indexes (into Dataset::annotations), file order within a pair.
  const std::vector<std::uint32_t>& ground_truths() const { return m_ground_truths; }
  /// Pair indexes of each category (indexed like Dataset::categories), images in id order.
  const std::vector<std::vector<std::uint32_t>>& pairs_of_category() const { return m_pairs_of_category; }
  /// Dataset category indexes sorted by category id (lvis-api's cat_ids order).
  const std::vector<std::uint32_t>& categories_by_id() const { return m_categories_by_id; }

  /// The detection's mask for segm IoU: its RLE, or (results without masks) its box rasterised as the
  /// polygon lvis-api substitutes. `scratch` holds a rasterised mask when one is needed.
  const data::Rle& detection_mask(const PreparedDetection& detection, data::Rle& scratch) const;

  /// Detections of the store that were dropped, by reason (for reports).
  std::size_t dropped_by_limit() const { return m_dropped_by_limit; }
  std::size_t dropped_by_area() const { return m_dropped_by_area; }
  std::size_t dropped_by_federation() const { return m_dropped_by_federation; }

 private:
  void decide_area_rule(int max_detections_per_image);
  std::vector<std::uint32_t> limited_detections(std::size_t image_index, int max_detections_per_image) const;

  const data::Dataset* m_dataset;
  const DetectionStore* m_store;
  bool m_areas_from_boxes = true;
  bool m_has_detections = false;
  std::vector<PreparedImage> m_images;
  std::vector<ImageCategoryPair> m_pairs;
  std::vector<PreparedDetection> m_detections;
  std::vector<std::uint32_t> m_ground_truths;
  std::vector<std::vector<std::uint32_t>> m_pairs_of_category;
  std::vector<std::uint32_t> m_categories_by_id;
  std::size_t m_dropped_by_limit = 0, m_dropped_by_area = 0, m_dropped_by_federation = 0;
};

}  // namespace counterscope::evaluation
