#pragma once
// Calibration of detection scores: does a detection scoring s turn out right a fraction s of the time?
// "Right" is lvis-api's true positive at one IoU threshold (0.50 by default, area "all"): the detection took
// a ground truth of its own category in the same-category step of detection_matching.h. Every evaluated
// detection takes part except unmatched ones of not-exhaustive categories (no verdict under LVIS's rules);
// detections of categories not verified for the image never enter the evaluation.
//
// Scores go into `bins` equal bins of [0, 1]: bin b = [b / B, (b + 1) / B), the last one closed, bin index
// min(B - 1, floor(s * B)) (scores above 1 go to the last bin, with a warning). Per bin: count, mean score
// (confidence), share of true positives (accuracy). ECE = sum over bins of count / N * |accuracy - confidence|
// (Naeini et al. 2015, Guo et al. 2017), MCE = the largest |accuracy - confidence| over non-empty bins.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/evaluation/detection_matching.h"

namespace counterscope::evaluation {

struct CalibrationBin {
  double lower = 0, upper = 0;  ///< score range
  std::uint64_t count = 0;
  std::uint64_t true_positives = 0;
  double mean_score = -1;  ///< -1 when empty
  double accuracy = -1;    ///< true_positives / count; -1 when empty
};

/// The reliability diagram of one set of detections.
struct ReliabilityDiagram {
  std::vector<CalibrationBin> bins;
  std::uint64_t count = 0;
  std::uint64_t true_positives = 0;
  double ece = -1;  ///< -1 without detections
  double mce = -1;
  double mean_score = -1;
  double accuracy = -1;
};

struct CalibrationOptions {
  double iou_threshold = 0.5;
  int bins = 10;  ///< 1 to 1000
  int threads = 0;
};

struct Calibration {
  IouType iou_type = IouType::bbox;
  CalibrationOptions options;
  ReliabilityDiagram overall;
  std::array<ReliabilityDiagram, 4> by_frequency;  ///< rare, common, frequent, unknown (by the detection's category)
  std::size_t ignored_detections = 0;              ///< unmatched in a not-exhaustive pair (left out)
  std::vector<std::string> warnings;
};

/// Calibration from same-category matches (LvisEvaluator::evaluate records them at 0.50; match_same_category
/// gives any threshold). Throws InputError for a bin count outside 1..1000 or a threshold differing from
/// the matches'.
Calibration calibrate(const PreparedEvaluation& prepared, const SameCategoryMatches& matches,
                      const CalibrationOptions& options = {});

/// Matches (step 1) and calibrates.
Calibration calibrate(const PreparedEvaluation& prepared, IouType iou_type, const CalibrationOptions& options = {},
                      const JobContext& context = {});

}  // namespace counterscope::evaluation
