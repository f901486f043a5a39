#pragma once
// Two models' results on one split, side by side: per-category AP and ΔAP (B − A), the ground-truth instances
// the second model fixes or breaks, and how TIDE's error types moved (dAP and counts per type, overall and
// per frequency group, and the instance-level transitions matched / missed / mistaken from A to B).
//
// A ground truth is "found" by a model when its error analysis (foreground IoU 0.50, federated rules) matched
// it to a detection of its category scoring >= min_score. Fixed: found by B, not by A; broken: the reverse.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/data/lvis/dataset.h"
#include "core/evaluation/detection_store.h"
#include "core/evaluation/error_analysis.h"
#include "core/evaluation/evaluation_result.h"

namespace counterscope::evaluation {

/// One model's evaluation of the split, as the diff reads it (all three of the same detections).
struct ModelRun {
  const EvaluationResult* result = nullptr;
  const ErrorAnalysis* errors = nullptr;
  const DetectionStore* store = nullptr;
};

struct ModelDiffOptions {
  double min_score = 0.25;  ///< a match below this score does not count as finding the instance
};

struct CategoryDiff {
  std::int64_t category_id = 0;
  std::string name;
  data::Frequency frequency = data::Frequency::unknown;
  std::uint32_t truths = 0;
  std::uint32_t detections_a = 0, detections_b = 0;  ///< evaluated detections
  double ap_a = -1, ap_b = -1, ap50_a = -1, ap50_b = -1;  ///< -1: undefined
  bool defined = false;  ///< both APs defined (then delta_ap = ap_b - ap_a)
  double delta_ap = 0;
  std::uint32_t found_a = 0, found_b = 0, fixed = 0, broken = 0;
};

struct InstanceChange {
  std::uint32_t annotation = 0;  ///< Dataset::annotations index
  std::int64_t annotation_id = 0;
  std::int64_t image_id = 0;
  std::int64_t category_id = 0;
  bool fixed = false;  ///< true: B found it and A did not; false: broken
  TruthLabel label_a = TruthLabel::missed, label_b = TruthLabel::missed;
  double score_a = 0, score_b = 0;  ///< the matched detection's score (0 when unmatched)
};

constexpr std::size_t truth_label_count = 3;  ///< matched, missed, mistaken

struct ModelDiff {
  IouType iou_type = IouType::bbox;
  ModelDiffOptions options;
  LvisMetrics metrics_a, metrics_b;
  std::vector<CategoryDiff> categories;  ///< every dataset category, sorted by id
  std::vector<InstanceChange> changes;   ///< fixed and broken instances, by image id
  std::size_t fixed = 0, broken = 0;
  /// TIDE summaries: [0] overall, [1..3] rare, common, frequent.
  std::array<ErrorSummary, 4> errors_a, errors_b;
  /// transitions[label under A][label under B]: ground truths per pair of TIDE truth labels.
  std::array<std::array<std::size_t, truth_label_count>, truth_label_count> transitions{};
  std::vector<std::string> warnings;  ///< different category or image coverage of the two results
};

/// Compares B against A. Both runs must evaluate `dataset` with the same IoU type. Throws InputError when they
/// do not (naming what differs) or min_score < 0.
ModelDiff diff_models(const data::Dataset& dataset, const ModelRun& a, const ModelRun& b,
                      const ModelDiffOptions& options = {});

}  // namespace counterscope::evaluation
