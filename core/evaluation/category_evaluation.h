#pragma once
// Evaluates one category over all its images: IoUs and matching per (image, category) pair, then lvis-api's
// accumulation into precision at the 101 recall points and recall, per area range and IoU threshold.
// Categories are independent, so workers take one category at a time.

#include <array>
#include <cstdint>
#include <vector>

#include "core/evaluation/detection_matching.h"
#include "core/evaluation/lvis_eval_params.h"
#include "core/evaluation/pair_matching.h"
#include "core/evaluation/prepared_evaluation.h"

namespace counterscope::evaluation {

struct CategoryCurves {
  /// Whether the category has ground truth in the area range (lvis-api leaves it at -1 otherwise).
  std::array<bool, area_range_count> defined{};
  /// precision[a][t * R + r], filled when defined[a].
  std::array<std::vector<double>, area_range_count> precision;
  /// recall[a][t], filled when defined[a].
  std::array<std::vector<double>, area_range_count> recall;
  std::uint32_t truth_count = 0;      ///< ground truths in range "all"
  std::uint32_t detection_count = 0;  ///< detections evaluated
};

/// Reuses its buffers across categories; one per worker thread.
class CategoryEvaluator {
 public:
  /// With `record`, also writes the category's matches at IoU 0.50, area "all", into it (its arrays sized to
  /// the prepared detections; categories write disjoint entries, so workers may share it).
  CategoryCurves evaluate(const PreparedEvaluation& prepared, std::uint32_t category_index, IouType iou_type,
                          SameCategoryMatches* record = nullptr);

 private:
  std::vector<double> m_ious;
  MatchScratch m_match_scratch;
  PairAreaMatch m_match;
  std::vector<double> m_scores;
  std::vector<std::uint8_t> m_flags;  // [detection][area][threshold]
  std::vector<std::uint32_t> m_order;
  std::vector<std::uint8_t> m_true_positive, m_false_positive;  // [area][threshold][rank]
  std::vector<std::uint8_t> m_tp_view, m_fp_view;
  std::vector<double> m_precision_scratch;
  std::vector<std::int32_t> m_recorded;
};

}  // namespace counterscope::evaluation
