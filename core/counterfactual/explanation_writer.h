#pragma once
// Writes an explanation to a folder: map.png (signed diverging heatmap of M with a colour legend),
// counterfactual.png (X~), before.png and after.png (the model's predictions drawn on X and X~),
// map.safetensors (the raw map, float [3, H, W] RGB) and explanation.json (every measure and score).

#include <cstdint>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "core/counterfactual/explanation.h"

namespace counterscope::counterfactual {

/// Display name of a contiguous label (the CLI maps it through the dataset's categories).
using LabelNamer = std::function<std::string(std::int64_t label)>;

/// All measures and scores of `explanation` as JSON (no images). Scores are listed for the top classes.
nlohmann::ordered_json explanation_to_json(const Explanation& explanation, const LabelNamer& name_of,
                                           std::size_t top_classes = 5);

/// The signed heatmap of a CV_32FC3 map (mean over RGB; blue < 0 < red, white = 0; scaled to the largest
/// |value|) with a legend bar, as CV_8UC3 BGR ready for imwrite.
cv::Mat render_map_heatmap(const cv::Mat& map);
/// X (CV_8UC3 or CV_32FC3 RGB) with `predictions` drawn (masks tinted, boxes, names and scores) and the
/// explained instance's box highlighted; CV_8UC3 BGR.
cv::Mat render_predictions(const cv::Mat& rgb, const std::vector<PredictedInstance>& predictions,
                           const std::array<double, 4>& instance_box, const LabelNamer& name_of,
                           double min_score = 0.3);

/// Writes the six files into `directory` (created). `extra` is merged into explanation.json (dataset ids,
/// names, paths). Throws InputError when a file cannot be written.
void write_explanation(const std::string& directory, const cv::Mat& original_rgb, const Explanation& explanation,
                       const std::array<double, 4>& instance_box, const LabelNamer& name_of,
                       const nlohmann::ordered_json& extra = {});

}  // namespace counterscope::counterfactual
