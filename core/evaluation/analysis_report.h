#pragma once
// Text, JSON and CSV forms of the confusion matrix and the calibration, shared by the CLI and the application.

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/data/lvis/dataset.h"
#include "core/evaluation/calibration.h"
#include "core/evaluation/confusion_matrix.h"

namespace counterscope::evaluation {

/// Per-category totals of a confusion matrix (for tables): the ground truths of the category and what
/// became of them, the category's detections and what they found.
struct ConfusionCategoryRow {
  std::uint32_t position = 0;
  std::uint64_t truths = 0;             ///< column total
  std::uint64_t true_positives = 0;     ///< diagonal
  std::uint64_t taken_by_other = 0;     ///< its ground truths taken by detections of other categories
  std::uint64_t missed = 0;             ///< its ground truths nobody took (background row)
  std::uint64_t detections = 0;         ///< row total
  std::uint64_t on_other = 0;           ///< its detections that took ground truths of other categories
  std::uint64_t false_positives = 0;    ///< its detections that took nothing (background column)
  std::uint32_t most_confused_with = 0; ///< the category its ground truths were most often taken as (K: none)
};
std::vector<ConfusionCategoryRow> confusion_category_rows(const ConfusionMatrix& matrix);

/// The matrix as JSON: settings, categories, grouped matrix, non-zero cells, top confusions, per-category
/// rows and the instances of every confusion between two categories. Background ids are null.
nlohmann::json confusion_to_json(const ConfusionMatrix& matrix, const data::Dataset& dataset, std::size_t top = 50);
/// One CSV row per non-zero cell: iou_type, predicted_id, predicted, predicted_frequency, truth_id, truth,
/// truth_frequency, count (background: empty id, name "background").
std::string confusion_to_csv(const std::vector<const ConfusionMatrix*>& matrices, const data::Dataset& dataset);
/// The grouped matrix and the `top` confusions ("lawn_mower -> sled  23").
std::string format_confusion_summary(const ConfusionMatrix& matrix, const data::Dataset& dataset, std::size_t top = 10);

nlohmann::json calibration_to_json(const Calibration& calibration);
/// One CSV row per (iou_type, group, bin): iou_type, group, bin, lower, upper, count, true_positives,
/// mean_score, accuracy (-1 = empty bin).
std::string calibration_to_csv(const std::vector<const Calibration*>& calibrations);
/// ECE, MCE, detections, mean score and accuracy overall and per frequency group.
std::string format_calibration_table(const Calibration& calibration);

/// "rare", "common", "frequent", "unknown" (the groups of Calibration::by_frequency).
const char* frequency_group_name(std::size_t group);
/// Lower-cased extension of a path without the dot ("json", "csv"), "" when none.
std::string file_extension(const std::string& path);

}  // namespace counterscope::evaluation
