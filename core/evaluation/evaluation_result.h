#pragma once
// What an LVIS evaluation produces, as plain data the CLI and the application can print, plot and export:
// lvis-api's 13 summary metrics, per-category AP, and precision-recall curves per category and per
// frequency group. Undefined values are -1, as lvis-api reports them.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/data/lvis/dataset.h"
#include "core/evaluation/lvis_eval_params.h"

namespace counterscope::evaluation {

/// lvis-api's summary (LVISEval.results); -1 = undefined.
struct LvisMetrics {
  double ap = -1, ap50 = -1, ap75 = -1;
  double ap_small = -1, ap_medium = -1, ap_large = -1;
  double ap_rare = -1, ap_common = -1, ap_frequent = -1;
  double ar = -1, ar_small = -1, ar_medium = -1, ar_large = -1;

  /// The metrics under lvis-api's keys, in its order: AP, AP50, AP75, APs, APm, APl, APr, APc, APf,
  /// AR@N, ARs@N, ARm@N, ARl@N with N = the per-image detection limit.
  std::vector<std::pair<std::string, double>> named(int max_detections_per_image) const;
};

/// One category's results (area "all" unless named otherwise); -1 = undefined (no ground truth).
struct CategoryEvaluation {
  std::int64_t category_id = 0;
  std::string name;
  data::Frequency frequency = data::Frequency::unknown;
  std::uint32_t truth_count = 0;      ///< ground truths evaluated (area > 0)
  std::uint32_t detection_count = 0;  ///< detections evaluated (after the limit and the federated filter)
  double ap = -1, ap50 = -1, ap75 = -1;
  double ap_small = -1, ap_medium = -1, ap_large = -1;
  double ar = -1;
};

/// Precision at the 101 recall points 0, 0.01, ..., 1 (interpolated as lvis-api does). Empty when undefined.
struct PrecisionRecallCurve {
  std::vector<double> recall;
  std::vector<double> precision;
  bool empty() const { return precision.empty(); }
};

struct EvaluationResult {
  IouType iou_type = IouType::bbox;
  int max_detections_per_image = 300;
  LvisMetrics metrics;
  /// Every category of the dataset, sorted by id.
  std::vector<CategoryEvaluation> categories;
  /// Area "all" precision of each category: precision[(k * T + t) * R + r] for category k (as in
  /// `categories`), IoU threshold t, recall point r; -1 for undefined categories.
  std::vector<double> precision;

  std::size_t detection_count = 0;             ///< detections received
  std::size_t evaluated_detection_count = 0;   ///< detections that entered evaluation
  std::size_t dropped_by_limit = 0;            ///< beyond the per-image limit
  std::size_t dropped_by_area = 0;             ///< area <= 0 (lvis-api's get_ann_ids filter)
  std::size_t dropped_by_federation = 0;       ///< category neither in the image nor in its negatives
  bool areas_from_boxes = true;                ///< lvis-api's box-area quirk applied
  std::vector<std::string> warnings;

  /// The curve of category `k` (index into `categories`) at IoU threshold index `iou_index`, or averaged
  /// over the 10 thresholds when none. Empty for an undefined category.
  PrecisionRecallCurve category_curve(std::size_t k, std::optional<std::size_t> iou_index = std::nullopt) const;
  /// The mean curve of the defined categories of a frequency group (unknown = all categories).
  PrecisionRecallCurve frequency_curve(data::Frequency frequency,
                                       std::optional<std::size_t> iou_index = std::nullopt) const;
  /// Index into `categories` of a category id.
  std::optional<std::size_t> category_position(std::int64_t category_id) const;
};

}  // namespace counterscope::evaluation
