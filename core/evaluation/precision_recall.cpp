#include "core/evaluation/precision_recall.h"

#include <algorithm>
#include <limits>

#include "core/evaluation/lvis_eval_params.h"

namespace counterscope::evaluation {

double precision_at_recall_points(const std::vector<std::uint8_t>& is_true_positive,
                                  const std::vector<std::uint8_t>& is_false_positive, std::size_t truth_count,
                                  double* precision, std::vector<double>& scratch) {
  const auto& recall_points = recall_thresholds();
  const std::size_t n = is_true_positive.size();
  std::fill(precision, precision + recall_points.size(), 0.0);
  if (n == 0) return 0.0;

  // scratch[0, n): recall; scratch[n, 2n): precision.
  scratch.resize(2 * n);
  double* recall = scratch.data();
  double* interpolated = scratch.data() + n;
  const double truths = static_cast<double>(truth_count);
  const double epsilon = std::numeric_limits<double>::epsilon();  // np.spacing(1)
  double true_positives = 0, false_positives = 0;
  for (std::size_t i = 0; i < n; ++i) {
    true_positives += is_true_positive[i] ? 1.0 : 0.0;
    false_positives += is_false_positive[i] ? 1.0 : 0.0;
    recall[i] = true_positives / truths;
    interpolated[i] = true_positives / (false_positives + true_positives + epsilon);
  }
  // Each precision becomes the maximum precision at any higher recall.
  for (std::size_t i = n - 1; i > 0; --i) {
    if (interpolated[i] > interpolated[i - 1]) interpolated[i - 1] = interpolated[i];
  }
  // searchsorted(recall, recall_points, side="left"): the first index whose recall >= the point.
  std::size_t index = 0;
  for (std::size_t r = 0; r < recall_points.size(); ++r) {
    while (index < n && recall[index] < recall_points[r]) ++index;
    if (index >= n) break;  // lvis-api stops at the first point past the end; the rest stay 0
    precision[r] = interpolated[index];
  }
  return recall[n - 1];
}

}  // namespace counterscope::evaluation
