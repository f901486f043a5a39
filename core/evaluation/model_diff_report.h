#pragma once
// Text, JSON and CSV forms of a model diff, shared by the CLI and the application.

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/evaluation/model_diff.h"

namespace counterscope::evaluation {

/// Settings, metrics of A and B and their difference, TIDE dAP and counts per error type (overall, rare,
/// common, frequent) for A, B and B − A, the truth-label transitions, per-category rows, the changed
/// instances and the warnings. Undefined ΔAP is null.
nlohmann::json model_diff_to_json(const ModelDiff& diff, const std::string& name_a, const std::string& name_b);
/// One CSV row per (IoU type, category): iou_type, category_id, name, frequency, truths, AP_A, AP_B, dAP,
/// AP50_A, AP50_B, found_A, found_B, fixed, broken (-1 = undefined AP; dAP empty when undefined).
std::string model_diff_to_csv(const std::vector<const ModelDiff*>& diffs);
/// AP of A and B overall and per group, fixed and broken, TIDE dAP moves, and the categories that gained
/// and lost most.
std::string format_model_diff(const ModelDiff& diff, const std::string& name_a, const std::string& name_b,
                              std::size_t top = 5);

}  // namespace counterscope::evaluation
