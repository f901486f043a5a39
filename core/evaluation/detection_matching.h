#pragma once
// Which ground truth each evaluated detection found, at one IoU threshold, for the analyses that go beyond AP
// (confusion matrix, calibration, model diff). Two steps, per image:
//
//  1. Same category — lvis-api's own matching of each (image, category) pair, area "all": detections by score,
//     each takes the unmatched ground truth of its category with the highest IoU >= the threshold. These are
//     exactly the true positives AP counts at that threshold.
//  2. Across categories — the detections step 1 left unmatched, with score >= min_score and not in a
//     not-exhaustive pair, in the image's score order (ties: category id, then score order within the pair),
//     each take the ground truth of another category with the highest IoU >= the threshold (ties: the first
//     in PreparedEvaluation order) among those that no detection with score >= min_score took in step 1 or 2.
//
// Same category first means a detection is "confused" only when it found no object of its own class, and
// the diagonal of the confusion matrix equals AP's true positives. Federated rules come from
// PreparedEvaluation (only categories verified positive or negative for the image are evaluated); a
// detection of a not-exhaustive category that step 1 leaves unmatched takes no part (lvis-api ignores it:
// it may have found an instance nobody annotated).

#include <cstdint>
#include <vector>

#include "core/evaluation/lvis_eval_params.h"
#include "core/evaluation/prepared_evaluation.h"
#include "core/util/progress.h"

namespace counterscope::evaluation {

/// Step 1 alone: for every prepared detection (PreparedEvaluation::detections), the ground truth it matches
/// (position in PreparedEvaluation::ground_truths) or -1.
struct SameCategoryMatches {
  IouType iou_type = IouType::bbox;
  double iou_threshold = 0.5;
  std::vector<std::int32_t> truth_of_detection;
  std::vector<float> iou;  ///< per detection: IoU with its match (0 when none)
};

/// Computes step 1 at any threshold (LvisEvaluator::evaluate records it at 0.50 for free). Throws InputError
/// for a threshold outside (0, 1], Cancelled when asked to stop.
SameCategoryMatches match_same_category(const PreparedEvaluation& prepared, IouType iou_type, double iou_threshold,
                                        int threads = 0, const JobContext& context = {});

/// How a detection ended.
enum class MatchKind : std::uint8_t {
  same_category,   ///< step 1: a true positive
  other_category,  ///< step 2: it found an object of another category
  unmatched,       ///< neither: a false positive on background (or a duplicate)
  ignored,         ///< unmatched in a not-exhaustive pair: no verdict under LVIS's rules
  below_score,     ///< unmatched in step 1 and below min_score: step 2 did not consider it
};

struct DetectionMatchingOptions {
  double iou_threshold = 0.5;  ///< IoU a match needs (both steps)
  double min_score = 0.0;      ///< step 2 considers only detections scoring at least this
  int threads = 0;             ///< 0 = every hardware thread
};

/// Both steps. Arrays are aligned with PreparedEvaluation::detections / ground_truths.
struct DetectionMatching {
  IouType iou_type = IouType::bbox;
  DetectionMatchingOptions options;
  std::vector<MatchKind> kind;                  ///< per detection
  std::vector<std::int32_t> truth_of_detection; ///< the matched ground truth position (either step), or -1
  std::vector<float> iou;                       ///< IoU with that ground truth (0 when none)
  /// Per ground truth: the detection (prepared index) with score >= min_score that took it, or -1.
  std::vector<std::int32_t> detection_of_truth;
  /// Per prepared detection: the pair it belongs to (index into PreparedEvaluation::pairs).
  std::vector<std::uint32_t> pair_of_detection;
};

/// Runs step 2 on top of `same` (whose threshold and IoU type must equal the options'; pass the evaluator's
/// record at 0.50, or match_same_category's). Throws InputError on a threshold mismatch or an out-of-range
/// option, Cancelled when asked to stop.
DetectionMatching match_detections(const PreparedEvaluation& prepared, const SameCategoryMatches& same,
                                   const DetectionMatchingOptions& options, const JobContext& context = {});

/// The frequency group index used by the analyses: 0 rare, 1 common, 2 frequent, 3 unknown.
int frequency_group_index(data::Frequency frequency);

}  // namespace counterscope::evaluation
