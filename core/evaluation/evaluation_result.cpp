#include "core/evaluation/evaluation_result.h"

#include <algorithm>

namespace counterscope::evaluation {

std::vector<std::pair<std::string, double>> LvisMetrics::named(int max_detections_per_image) const {
  const std::string suffix = "@" + std::to_string(max_detections_per_image);
  return {{"AP", ap},
          {"AP50", ap50},
          {"AP75", ap75},
          {"APs", ap_small},
          {"APm", ap_medium},
          {"APl", ap_large},
          {"APr", ap_rare},
          {"APc", ap_common},
          {"APf", ap_frequent},
          {"AR" + suffix, ar},
          {"ARs" + suffix, ar_small},
          {"ARm" + suffix, ar_medium},
          {"ARl" + suffix, ar_large}};
}

PrecisionRecallCurve EvaluationResult::category_curve(std::size_t k, std::optional<std::size_t> iou_index) const {
  PrecisionRecallCurve curve;
  const auto& thresholds = iou_thresholds();
  const auto& points = recall_thresholds();
  const std::size_t T = thresholds.size(), R = points.size();
  if (k >= categories.size() || precision.size() < (k + 1) * T * R) return curve;
  const double* base = precision.data() + k * T * R;
  if (base[0] < 0) return curve;  // undefined category
  curve.recall = points;
  curve.precision.assign(R, 0.0);
  if (iou_index) {
    if (*iou_index >= T) return {};
    std::copy(base + *iou_index * R, base + (*iou_index + 1) * R, curve.precision.begin());
    return curve;
  }
  for (std::size_t t = 0; t < T; ++t) {
    for (std::size_t r = 0; r < R; ++r) curve.precision[r] += base[t * R + r];
  }
  for (auto& value : curve.precision) value /= static_cast<double>(T);
  return curve;
}

PrecisionRecallCurve EvaluationResult::frequency_curve(data::Frequency frequency,
                                                       std::optional<std::size_t> iou_index) const {
  PrecisionRecallCurve mean;
  std::size_t defined = 0;
  for (std::size_t k = 0; k < categories.size(); ++k) {
    if (frequency != data::Frequency::unknown && categories[k].frequency != frequency) continue;
    const auto curve = category_curve(k, iou_index);
    if (curve.empty()) continue;
    if (mean.empty()) {
      mean = curve;
    } else {
      for (std::size_t r = 0; r < curve.precision.size(); ++r) mean.precision[r] += curve.precision[r];
    }
    ++defined;
  }
  for (auto& value : mean.precision) value /= static_cast<double>(defined);
  return mean;
}

std::optional<std::size_t> EvaluationResult::category_position(std::int64_t category_id) const {
  const auto it = std::lower_bound(categories.begin(), categories.end(), category_id,
                                   [](const CategoryEvaluation& c, std::int64_t id) { return c.category_id < id; });
  if (it == categories.end() || it->category_id != category_id) return std::nullopt;
  return static_cast<std::size_t>(it - categories.begin());
}

}  // namespace counterscope::evaluation
