#pragma once
// Assigns each prediction (anchor or proposal) to its best ground-truth box, torchvision's Matcher.

#include <cstdint>

#include <torch/types.h>

namespace counterscope::modeling {

class Matcher {
 public:
  static constexpr int64_t below_low = -1;  ///< best IoU < low: background
  static constexpr int64_t between = -2;    ///< low <= best IoU < high: ignored

  /// high_threshold >= low_threshold (throws InputError otherwise). allow_low_quality_matches: every
  /// ground truth also keeps the predictions that overlap it best, even below `low` (Faster R-CNN RPN).
  Matcher(double high_threshold, double low_threshold, bool allow_low_quality_matches);

  /// match_quality_matrix [G, P] (IoU of each ground truth with each prediction). Returns [P] int64:
  /// the matched ground-truth index, or below_low / between. Throws InputError when G or P is 0
  /// (callers handle images without ground truth themselves, as torchvision does).
  torch::Tensor operator()(const torch::Tensor& match_quality_matrix) const;

  double high_threshold() const { return m_high; }
  double low_threshold() const { return m_low; }
  bool allow_low_quality_matches() const { return m_allow_low_quality_matches; }

 private:
  double m_high;
  double m_low;
  bool m_allow_low_quality_matches;
};

}  // namespace counterscope::modeling
