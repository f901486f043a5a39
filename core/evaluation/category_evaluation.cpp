#include "core/evaluation/category_evaluation.h"

#include <algorithm>
#include <numeric>

#include "core/evaluation/precision_recall.h"

namespace counterscope::evaluation {

CategoryCurves CategoryEvaluator::evaluate(const PreparedEvaluation& prepared, std::uint32_t category_index,
                                           IouType iou_type) {
  CategoryCurves curves;
  const auto& pair_indexes = prepared.pairs_of_category()[category_index];
  if (pair_indexes.empty()) return curves;  // lvis-api: no evaluated image, precision stays -1

  const std::size_t T = iou_thresholds().size();
  const std::size_t R = recall_thresholds().size();
  const auto& ranges = area_ranges();
  std::array<std::uint32_t, area_range_count> truths_in_range{};

  // Per pair and area: the detections' flags at every threshold, stored pair after pair as
  // [pair][t][d] so that a pair's block is contiguous. Scores in the same pair-major order.
  m_scores.clear();
  for (auto& flags : m_flags) flags.clear();
  std::vector<std::size_t> pair_offsets;  // detection offset of each pair in m_scores
  pair_offsets.reserve(pair_indexes.size() + 1);
  for (const auto pair_index : pair_indexes) {
    const auto& pair = prepared.pairs()[pair_index];
    pair_offsets.push_back(m_scores.size());
    for (auto d = pair.detection_begin; d < pair.detection_end; ++d) {
      m_scores.push_back(prepared.detections()[d].score);
    }
    compute_pair_ious(prepared, pair, iou_type, m_ious);
    for (std::size_t a = 0; a < area_range_count; ++a) {
      match_pair(prepared, pair, m_ious, ranges[a], m_match, m_match_scratch);
      truths_in_range[a] += m_match.truths_in_range;
      m_flags[a].insert(m_flags[a].end(), m_match.flags.begin(), m_match.flags.end());
    }
  }
  pair_offsets.push_back(m_scores.size());
  const std::size_t n = m_scores.size();
  curves.detection_count = static_cast<std::uint32_t>(n);
  curves.truth_count = truths_in_range[0];

  // lvis-api concatenates the pairs in image-id order and sorts by score with a stable mergesort.
  m_order.resize(n);
  std::iota(m_order.begin(), m_order.end(), 0u);
  std::stable_sort(m_order.begin(), m_order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return m_scores[a] > m_scores[b]; });
  // Where detection i's flags live: pair block offset * T + t * pair_size + position in pair.
  std::vector<std::size_t> block_of(n), stride_of(n);
  for (std::size_t p = 0; p + 1 < pair_offsets.size(); ++p) {
    const std::size_t begin = pair_offsets[p], size = pair_offsets[p + 1] - begin;
    for (std::size_t i = begin; i < begin + size; ++i) {
      block_of[i] = begin * T + (i - begin);
      stride_of[i] = size;
    }
  }

  m_true_positive.resize(n);
  m_false_positive.resize(n);
  for (std::size_t a = 0; a < area_range_count; ++a) {
    if (truths_in_range[a] == 0) continue;
    curves.defined[a] = true;
    curves.precision[a].assign(T * R, 0.0);
    curves.recall[a].assign(T, 0.0);
    const auto& flags = m_flags[a];
    for (std::size_t t = 0; t < T; ++t) {
      for (std::size_t i = 0; i < n; ++i) {
        const auto source = m_order[i];
        const std::uint8_t f = flags[block_of[source] + t * stride_of[source]];
        const bool ignored = f & ignored_bit;
        m_true_positive[i] = (f & matched_bit) && !ignored;
        m_false_positive[i] = !(f & matched_bit) && !ignored;
      }
      curves.recall[a][t] = precision_at_recall_points(m_true_positive, m_false_positive, truths_in_range[a],
                                                       curves.precision[a].data() + t * R, m_precision_scratch);
    }
  }
  return curves;
}

}  // namespace counterscope::evaluation
