#include "core/evaluation/lvis_eval_params.h"

#include <nlohmann/json.hpp>

#include "core/util/error.h"

namespace counterscope::evaluation {

const char* iou_type_name(IouType type) { return type == IouType::bbox ? "bbox" : "segm"; }

IouType parse_iou_type(const std::string& name, const std::string& source) {
  if (name == "bbox") return IouType::bbox;
  if (name == "segm") return IouType::segm;
  throw InputError(source, "iou_type", quote_for_message(name), "expected \"bbox\" or \"segm\"");
}

const std::array<AreaRange, area_range_count>& area_ranges() {
  // lvis-api: [0 ** 2, 1e5 ** 2], [0 ** 2, 32 ** 2], [32 ** 2, 96 ** 2], [96 ** 2, 1e5 ** 2].
  static const std::array<AreaRange, area_range_count> ranges{{
      {"all", 0.0, 1e5 * 1e5},
      {"small", 0.0, 32.0 * 32.0},
      {"medium", 32.0 * 32.0, 96.0 * 96.0},
      {"large", 96.0 * 96.0, 1e5 * 1e5},
  }};
  return ranges;
}

std::vector<double> numpy_linspace(double start, double stop, int num) {
  std::vector<double> values;
  if (num <= 0) return values;
  if (num == 1) return {start};
  const double step = (stop - start) / static_cast<double>(num - 1);
  values.reserve(static_cast<std::size_t>(num));
  for (int i = 0; i < num; ++i) values.push_back(static_cast<double>(i) * step + start);
  values.back() = stop;
  return values;
}

const std::vector<double>& iou_thresholds() {
  // lvis-api: np.linspace(0.5, 0.95, int(np.round((0.95 - 0.5) / 0.05)) + 1, endpoint=True).
  static const std::vector<double> thresholds = numpy_linspace(0.5, 0.95, 10);
  return thresholds;
}

const std::vector<double>& recall_thresholds() {
  static const std::vector<double> thresholds = numpy_linspace(0.0, 1.0, 101);
  return thresholds;
}

std::optional<std::size_t> iou_threshold_index(double value) {
  const auto& thresholds = iou_thresholds();
  for (std::size_t i = 0; i < thresholds.size(); ++i) {
    if (thresholds[i] == value) return i;
  }
  return std::nullopt;
}

EvaluationOptions EvaluationOptions::from_json(const nlohmann::json& json, const std::string& source) {
  EvaluationOptions options;
  if (!json.is_object()) throw InputError(source, "", json.dump(), "expected a JSON object");
  for (const auto& [key, value] : json.items()) {
    if (key == "max_detections_per_image" || key == "threads") {
      if (!value.is_number_integer()) {
        throw InputError(source, key, value.dump(), "expected an integer");
      }
      const auto number = value.get<std::int64_t>();
      if (key == "threads") {
        if (number < 0 || number > 4096) throw InputError(source, key, value.dump(), "expected 0..4096");
        options.threads = static_cast<int>(number);
      } else {
        if (number > 1000000000) throw InputError(source, key, value.dump(), "too large");
        options.max_detections_per_image = number < 0 ? -1 : static_cast<int>(number);
      }
    } else {
      throw InputError(source, key, value.dump(), "unknown option");
    }
  }
  return options;
}

}  // namespace counterscope::evaluation
