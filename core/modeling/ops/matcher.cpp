#include "core/modeling/ops/matcher.h"

#include <string>

#include "core/modeling/ops/ops_checks.h"

namespace counterscope::modeling {

Matcher::Matcher(double high_threshold, double low_threshold, bool allow_low_quality_matches)
    : m_high(high_threshold), m_low(low_threshold), m_allow_low_quality_matches(allow_low_quality_matches) {
  if (low_threshold > high_threshold) {
    throw InputError("Matcher", "low_threshold", std::to_string(low_threshold),
                     "must be <= high_threshold (" + std::to_string(high_threshold) + ")");
  }
}

torch::Tensor Matcher::operator()(const torch::Tensor& match_quality_matrix) const {
  if (!match_quality_matrix.defined() || match_quality_matrix.dim() != 2) {
    throw ops_detail::shape_error("Matcher", "match_quality_matrix", match_quality_matrix,
                                  "expected [ground truths, predictions]");
  }
  if (match_quality_matrix.numel() == 0) {
    throw ops_detail::shape_error("Matcher", "match_quality_matrix", match_quality_matrix,
                                  match_quality_matrix.size(0) == 0
                                      ? "no ground-truth boxes (callers handle such images before matching)"
                                      : "no predictions to match");
  }
  // Best ground truth per prediction.
  auto [matched_vals, matches] = match_quality_matrix.max(0);
  const torch::Tensor all_matches = m_allow_low_quality_matches ? matches.clone() : torch::Tensor();
  const torch::Tensor below_low_threshold = matched_vals < m_low;
  const torch::Tensor between_thresholds = (matched_vals >= m_low).logical_and(matched_vals < m_high);
  matches.masked_fill_(below_low_threshold, below_low);
  matches.masked_fill_(between_thresholds, between);
  if (m_allow_low_quality_matches) {
    // Each ground truth keeps the predictions of its highest quality (ties included), so that no
    // ground truth ends up without a match (Faster R-CNN, section 3.1.2).
    const torch::Tensor highest_quality_per_gt = std::get<0>(match_quality_matrix.max(1));
    const torch::Tensor pairs = torch::where(match_quality_matrix == highest_quality_per_gt.unsqueeze(1))[1];
    matches.index_put_({pairs}, all_matches.index_select(0, pairs));
  }
  return matches;
}

}  // namespace counterscope::modeling
