#pragma once
// Text, JSON and CSV forms of evaluation results, shared by the CLI and the application's exports.

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/data/lvis/dataset.h"
#include "core/evaluation/error_analysis.h"
#include "core/evaluation/evaluation_result.h"

namespace counterscope::evaluation {

/// lvis-api's 13 metrics under its exact keys ({"AP": ..., "AR@300": ...}); undefined = -1.
nlohmann::json metrics_to_json(const EvaluationResult& result);

/// The summary table as lvis-api's print_results prints it, one line per metric.
std::string format_metrics_table(const EvaluationResult& result);

/// One CSV row per (IoU type, category): iou_type, category_id, name, frequency, truths, detections, AP, AP50,
/// AP75, APs, APm, APl, AR (-1 = undefined). Throws Error when the file cannot be written.
void write_per_category_csv(const std::vector<const EvaluationResult*>& results, const std::string& path);

/// The error analysis as JSON: thresholds, AP and dAP per error type overall and per frequency group, counts,
/// and the label of every detection and ground truth.
nlohmann::json error_analysis_to_json(const ErrorAnalysis& analysis, const data::Dataset& dataset);

/// A short table of the dAP per error type (overall, rare, common, frequent), TIDE's summary.
std::string format_error_table(const ErrorAnalysis& analysis);

/// Writes text to a file through a temporary file and a rename. Throws Error on failure.
void write_text_file(const std::string& path, const std::string& text);

}  // namespace counterscope::evaluation
