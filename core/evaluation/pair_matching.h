#pragma once
// lvis-api's per (image, category) evaluation (LVISEval.compute_iou + evaluate_img): the IoU matrix of a
// pair and the greedy matching of its detections, highest score first, to its ground truths at each IoU
// threshold, with the area-range and not-exhaustive ignore rules.

#include <cstdint>
#include <vector>

#include "core/evaluation/lvis_eval_params.h"
#include "core/evaluation/prepared_evaluation.h"

namespace counterscope::evaluation {

/// IoUs of a pair, row-major: rows = detections in score order, columns = ground truths in file order.
/// Empty when the pair lacks detections or ground truths.
void compute_pair_ious(const PreparedEvaluation& prepared, const ImageCategoryPair& pair, IouType iou_type,
                       std::vector<double>& ious);

/// IoUs of arbitrary detections (PreparedEvaluation::detections indexes) and ground truths (annotation
/// indexes), row-major, for analyses that cross categories.
void compute_ious(const PreparedEvaluation& prepared, const std::vector<std::uint32_t>& detections,
                  const std::vector<std::uint32_t>& annotations, IouType iou_type, std::vector<double>& ious);

/// lvis-api's matching loop at one IoU threshold. `ious` as above (detection_count x truth_count);
/// `truth_ignored` per ground truth in file order. Ignored ground truths are visited last (stable), a
/// detection takes the unmatched ground truth of highest IoU >= min(threshold, 1 - 1e-10), the last one on
/// ties, and never trades a regular match for an ignored one. Writes the matched column or -1 per detection.
void match_at_threshold(const double* ious, std::size_t detection_count, std::size_t truth_count,
                        const std::uint8_t* truth_ignored, double threshold, std::int32_t* matched_truth,
                        std::vector<std::uint32_t>& scratch_order, std::vector<std::uint8_t>& scratch_taken);

/// Per-detection outcome bits at one IoU threshold (lvis-api's dt_matches != 0 and dt_ignore).
constexpr std::uint8_t matched_bit = 1;
constexpr std::uint8_t ignored_bit = 2;

/// The result of evaluate_img for one pair and one area range.
struct PairAreaMatch {
  std::uint32_t truths_in_range = 0;  ///< ground truths not ignored (count towards recall)
  /// flags[t * detection_count + d]: matched_bit / ignored_bit of detection d at IoU threshold t.
  std::vector<std::uint8_t> flags;
};

/// Scratch buffers reused across pairs by one worker.
struct MatchScratch {
  std::vector<std::uint8_t> truth_ignored;
  std::vector<std::int32_t> matched_truth;
  std::vector<std::uint32_t> order;
  std::vector<std::uint8_t> taken;
};

/// With `matched_at`, also writes the matched column (or -1) of every detection at IoU threshold index
/// `record_threshold` (for the analyses that need to know which ground truth a true positive found).
void match_pair(const PreparedEvaluation& prepared, const ImageCategoryPair& pair, const std::vector<double>& ious,
                const AreaRange& area_range, PairAreaMatch& out, MatchScratch& scratch,
                std::int32_t* matched_at = nullptr, std::size_t record_threshold = 0);

}  // namespace counterscope::evaluation
