#include "core/evaluation/category_evaluation.h"

#include <algorithm>
#include <numeric>

#include "core/evaluation/precision_recall.h"

namespace counterscope::evaluation {

CategoryCurves CategoryEvaluator::evaluate(const PreparedEvaluation& prepared, std::uint32_t category_index,
                                           IouType iou_type, SameCategoryMatches* record) {
  CategoryCurves curves;
  const auto& pair_indexes = prepared.pairs_of_category()[category_index];
  if (pair_indexes.empty()) return curves;  // lvis-api: no evaluated image, precision stays -1

  const std::size_t T = iou_thresholds().size();
  const std::size_t R = recall_thresholds().size();
  const auto& ranges = area_ranges();
  const auto t50 = iou_threshold_index(0.50);
  std::array<std::uint32_t, area_range_count> truths_in_range{};

  // Flags of every detection at every (area range, IoU threshold), detection-major so that the accumulation,
  // which visits detections in score order, reads one contiguous block per detection.
  const std::size_t per_detection = area_range_count * T;
  m_scores.clear();
  m_flags.clear();
  for (const auto pair_index : pair_indexes) {
    const auto& pair = prepared.pairs()[pair_index];
    const std::size_t first = m_scores.size(), count = pair.detection_count();
    for (auto d = pair.detection_begin; d < pair.detection_end; ++d) {
      m_scores.push_back(prepared.detections()[d].score);
    }
    m_flags.resize(m_scores.size() * per_detection);
    compute_pair_ious(prepared, pair, iou_type, m_ious);
    const bool recording = record != nullptr && t50 && count > 0;
    if (recording) m_recorded.assign(count, -1);
    for (std::size_t a = 0; a < area_range_count; ++a) {
      match_pair(prepared, pair, m_ious, ranges[a], m_match, m_match_scratch,
                 recording && a == 0 ? m_recorded.data() : nullptr, t50.value_or(0));
      truths_in_range[a] += m_match.truths_in_range;
      for (std::size_t t = 0; t < T; ++t) {
        for (std::size_t d = 0; d < count; ++d) {
          m_flags[(first + d) * per_detection + a * T + t] = m_match.flags[t * count + d];
        }
      }
    }
    if (recording) {
      for (std::size_t d = 0; d < count; ++d) {
        const auto column = m_recorded[d];
        if (column < 0) continue;
        record->truth_of_detection[pair.detection_begin + d] = static_cast<std::int32_t>(pair.truth_begin) + column;
        record->iou[pair.detection_begin + d] =
            static_cast<float>(m_ious[d * pair.truth_count() + static_cast<std::size_t>(column)]);
      }
    }
  }
  const std::size_t n = m_scores.size();
  curves.detection_count = static_cast<std::uint32_t>(n);
  curves.truth_count = truths_in_range[0];

  // lvis-api concatenates the pairs in image-id order and sorts by score with a stable mergesort.
  m_order.resize(n);
  std::iota(m_order.begin(), m_order.end(), 0u);
  std::stable_sort(m_order.begin(), m_order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return m_scores[a] > m_scores[b]; });

  // True/false positives of every (area, threshold) in score order, in one pass over the detections.
  m_true_positive.resize(per_detection * n);
  m_false_positive.resize(per_detection * n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t* flags = m_flags.data() + static_cast<std::size_t>(m_order[i]) * per_detection;
    for (std::size_t at = 0; at < per_detection; ++at) {
      const std::uint8_t f = flags[at];
      const bool ignored = f & ignored_bit;
      m_true_positive[at * n + i] = (f & matched_bit) && !ignored;
      m_false_positive[at * n + i] = !(f & matched_bit) && !ignored;
    }
  }
  for (std::size_t a = 0; a < area_range_count; ++a) {
    if (truths_in_range[a] == 0) continue;
    curves.defined[a] = true;
    curves.precision[a].assign(T * R, 0.0);
    curves.recall[a].assign(T, 0.0);
    for (std::size_t t = 0; t < T; ++t) {
      const std::size_t at = a * T + t;
      m_tp_view.assign(m_true_positive.begin() + at * n, m_true_positive.begin() + (at + 1) * n);
      m_fp_view.assign(m_false_positive.begin() + at * n, m_false_positive.begin() + (at + 1) * n);
      curves.recall[a][t] = precision_at_recall_points(m_tp_view, m_fp_view, truths_in_range[a],
                                                       curves.precision[a].data() + t * R, m_precision_scratch);
    }
  }
  return curves;
}

}  // namespace counterscope::evaluation
