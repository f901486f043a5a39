#pragma once
// The fixed parameters of LVIS evaluation (lvis-api's Params): IoU thresholds .50:.05:.95, 101 recall points,
// the four area ranges with inclusive bounds, and the options a caller may change.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace counterscope::evaluation {

/// What the IoU of a detection and a ground truth is computed on.
enum class IouType : std::uint8_t { bbox, segm };

const char* iou_type_name(IouType type);  ///< "bbox" or "segm"
/// Parses "bbox" / "segm"; throws InputError naming `source` otherwise.
IouType parse_iou_type(const std::string& name, const std::string& source = "iou type");

/// An area range [lower, upper], both bounds inclusive as in lvis-api (`area < lower or area > upper` is out).
struct AreaRange {
  const char* label;
  double lower;
  double upper;
};

constexpr std::size_t area_range_count = 4;
/// all, small, medium, large — lvis-api's order.
const std::array<AreaRange, area_range_count>& area_ranges();

/// numpy.linspace(start, stop, num) with numpy's arithmetic (start + i * step, last value = stop), so that
/// thresholds compare equal to lvis-api's bit for bit.
std::vector<double> numpy_linspace(double start, double stop, int num);

/// The 10 IoU thresholds .50:.05:.95 (np.linspace(0.5, 0.95, 10)).
const std::vector<double>& iou_thresholds();
/// The 101 recall points 0:.01:1 (np.linspace(0, 1, 101)).
const std::vector<double>& recall_thresholds();
/// Index of the threshold exactly equal to `value` (lvis-api: np.where(iou_thr == iou_thrs)); none when the
/// float comparison fails, in which case lvis-api reports -1 for that metric.
std::optional<std::size_t> iou_threshold_index(double value);

/// Options of an evaluation; defaults are the official LVIS settings.
struct EvaluationOptions {
  /// Detections kept per image, highest scores first (lvis-api's max_dets; the official value is 300).
  /// Negative keeps all.
  int max_detections_per_image = 300;
  /// Worker threads; 0 = every hardware thread.
  int threads = 0;

  /// Reads {"max_detections_per_image": 300, "threads": 0}; unknown keys are errors (named with `source`).
  static EvaluationOptions from_json(const nlohmann::json& json, const std::string& source = "options");
};

}  // namespace counterscope::evaluation
