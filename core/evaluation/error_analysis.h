#pragma once
// TIDE-style error analysis (Bolya et al., "TIDE: A General Toolbox for Identifying Object Detection
// Errors") under LVIS's federated rules. At the foreground IoU (0.5) every evaluated detection is a true
// positive or one error — classification, localisation, both, duplicate, background — and every ground
// truth is matched or missed. An oracle that fixes one error type at a time gives that type's dAP: the AP
// (at the foreground IoU, LVIS-style 101-point AP averaged over categories) gained by fixing it.
//
// Federated rules: only detections that lvis-api evaluates take part (top detections per image, categories
// present in the image or in its negatives); an unmatched detection of a not-exhaustively annotated
// category is ignored, not an error. So the base AP equals lvis-api's AP50 (area "all").

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/evaluation/lvis_eval_params.h"
#include "core/evaluation/prepared_evaluation.h"
#include "core/util/progress.h"

namespace counterscope::evaluation {

/// What a detection is at the foreground IoU.
enum class DetectionLabel : std::uint8_t {
  true_positive,
  classification,  ///< IoU >= foreground with a ground truth of another category
  localisation,    ///< background <= IoU < foreground with a ground truth of its category
  both,            ///< wrong category and mislocalised
  duplicate,       ///< IoU >= foreground with a ground truth of its category already matched
  background,      ///< IoU <= background with every ground truth
  ignored,         ///< unmatched, of a not-exhaustively annotated category (not an error under LVIS rules)
};

/// The error types whose fix is measured, in TIDE's order.
enum class ErrorType : std::uint8_t { classification, localisation, both, duplicate, background, missed };
constexpr std::size_t error_type_count = 6;

const char* detection_label_name(DetectionLabel label);  ///< "TP", "Cls", "Loc", "Both", "Dupe", "Bkg", "Ignored"
const char* error_type_name(ErrorType type);             ///< "Cls", "Loc", "Both", "Dupe", "Bkg", "Miss"

/// What a ground truth is at the foreground IoU.
enum class TruthLabel : std::uint8_t {
  matched,
  missed,        ///< unmatched and no classification/localisation error points at it (TIDE's Miss)
  mistaken,      ///< unmatched, but a classification or localisation error points at it
};
const char* truth_label_name(TruthLabel label);  ///< "matched", "missed", "mistaken"

struct ErrorAnalysisOptions {
  double foreground_iou = 0.5;  ///< TIDE's t_f
  double background_iou = 0.1;  ///< TIDE's t_b
  int threads = 0;              ///< 0 = every hardware thread
};

struct DetectionOutcome {
  std::uint32_t detection = 0;  ///< index into the evaluator's DetectionStore::detections()
  std::int64_t image_id = 0;
  std::int64_t category_id = 0;
  double score = 0;
  DetectionLabel label = DetectionLabel::background;
  /// The ground truth matched (TP) or the one the error refers to (Dataset::annotations index), or -1.
  std::int64_t truth = -1;
  double iou = 0;  ///< IoU with `truth` (0 when none)
};

struct TruthOutcome {
  std::uint32_t annotation = 0;  ///< index into Dataset::annotations
  std::int64_t annotation_id = 0;
  std::int64_t image_id = 0;
  std::int64_t category_id = 0;
  TruthLabel label = TruthLabel::missed;
  std::int64_t detection = -1;  ///< the matched detection (DetectionStore index), or -1
};

/// AP and dAP of one set of categories (all, or one frequency group); values are fractions like the AP.
struct ErrorSummary {
  double ap = -1;                                    ///< AP at the foreground IoU; -1 without ground truth
  std::array<double, error_type_count> dap{};        ///< AP gained by fixing each type (>= 0, as TIDE)
  std::array<std::size_t, error_type_count> count{}; ///< errors of each type
  std::size_t true_positives = 0;
  std::size_t category_count = 0;  ///< categories with ground truth
};

struct ErrorAnalysis {
  IouType iou_type = IouType::bbox;
  ErrorAnalysisOptions options;
  ErrorSummary overall;
  std::array<ErrorSummary, 3> by_frequency;  ///< rare, common, frequent
  std::vector<DetectionOutcome> detections;  ///< evaluated detections, by image id then score
  std::vector<TruthOutcome> truths;          ///< evaluated ground truths, by image id
};

/// Runs the analysis on an evaluator's prepared input (LvisEvaluator::prepare()). Throws InputError for
/// thresholds outside 0 < background <= foreground <= 1, Cancelled when asked to stop.
ErrorAnalysis analyse_errors(const PreparedEvaluation& prepared, IouType iou_type,
                             const ErrorAnalysisOptions& options = {}, const JobContext& context = {});

}  // namespace counterscope::evaluation
