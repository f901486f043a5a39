#pragma once
// lvis-api's accumulate step for one (category, area range, IoU threshold): cumulative true and false
// positives over detections sorted by score, precision made monotone from the right, and precision read
// at the 101 recall points with numpy.searchsorted(side="left"); points beyond the last recall are 0.

#include <cstdint>
#include <vector>

namespace counterscope::evaluation {

/// `is_true_positive` / `is_false_positive` over detections in score order (a detection ignored by the
/// evaluation is neither, but still occupies its position, as in lvis-api). Writes
/// recall_thresholds().size() precision values to `precision` and returns the recall reached (0 without
/// detections). `truth_count` must be > 0.
double precision_at_recall_points(const std::vector<std::uint8_t>& is_true_positive,
                                  const std::vector<std::uint8_t>& is_false_positive, std::size_t truth_count,
                                  double* precision, std::vector<double>& scratch);

}  // namespace counterscope::evaluation
