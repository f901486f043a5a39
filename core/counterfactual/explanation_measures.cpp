#include "core/counterfactual/explanation_measures.h"

#include <algorithm>
#include <cmath>

#include <opencv2/core.hpp>

#include "core/util/error.h"

namespace counterscope::counterfactual {
namespace {

cv::Mat as_double(const cv::Mat& map) {
  cv::Mat out;
  map.convertTo(out, CV_MAKETYPE(CV_64F, map.channels()));
  return out;
}

std::string size_text(const cv::Mat& m) {
  return std::to_string(m.cols) + "x" + std::to_string(m.rows) + "x" + std::to_string(m.channels());
}

}  // namespace

double map_sparsity(const cv::Mat& map) {
  if (map.empty()) return 0.0;
  const cv::Mat magnitude = cv::abs(as_double(map));
  const cv::Mat values = magnitude.reshape(1);
  return cv::sum(values)[0] / static_cast<double>(values.total());
}

double map_locality(const cv::Mat& map, const std::array<double, 4>& box, double factor) {
  if (map.empty()) return 0.0;
  const cv::Mat magnitude = cv::abs(as_double(map));
  const double cx = (box[0] + box[2]) / 2, cy = (box[1] + box[3]) / 2;
  const double half_w = (box[2] - box[0]) * factor / 2, half_h = (box[3] - box[1]) * factor / 2;
  double inside = 0, total = 0;
  const int channels = magnitude.channels();
  for (int y = 0; y < magnitude.rows; ++y) {
    const double* row = magnitude.ptr<double>(y);
    const bool row_in = std::abs(y + 0.5 - cy) <= half_h;
    for (int x = 0; x < magnitude.cols; ++x) {
      double value = 0;
      for (int c = 0; c < channels; ++c) value += row[x * channels + c];
      total += value;
      if (row_in && std::abs(x + 0.5 - cx) <= half_w) inside += value;
    }
  }
  return total > 0 ? inside / total : 0.0;
}

std::optional<double> normalized_cross_correlation(const cv::Mat& map, const cv::Mat& reference) {
  if (map.size() != reference.size() || map.channels() != reference.channels())
    throw InputError("normalized cross-correlation", "reference", size_text(reference),
                     "must match the map's size " + size_text(map));
  if (map.empty()) return std::nullopt;
  const cv::Mat a = as_double(map).reshape(1), b = as_double(reference).reshape(1);
  const double n = static_cast<double>(a.total());
  const double mean_a = cv::sum(a)[0] / n, mean_b = cv::sum(b)[0] / n;
  const cv::Mat da = a - mean_a, db = b - mean_b;
  const double cross = da.dot(db), norm_a = da.dot(da), norm_b = db.dot(db);
  if (norm_a <= 0 || norm_b <= 0) return std::nullopt;
  return std::clamp(cross / std::sqrt(norm_a * norm_b), -1.0, 1.0);
}

SegmentationDiff segmentation_diff(const cv::Mat& before, const cv::Mat& after) {
  if (before.size() != after.size())
    throw InputError("segmentation diff", "after", size_text(after), "must match the mask before " + size_text(before));
  SegmentationDiff diff;
  if (before.empty()) return diff;
  const cv::Mat in_before = before != 0, in_after = after != 0;
  diff.pixels_before = cv::countNonZero(in_before);
  diff.pixels_after = cv::countNonZero(in_after);
  diff.gained = cv::countNonZero(in_after & ~in_before);
  diff.lost = cv::countNonZero(in_before & ~in_after);
  return diff;
}

}  // namespace counterscope::counterfactual
