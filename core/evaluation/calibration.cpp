#include "core/evaluation/calibration.h"

#include <algorithm>
#include <cmath>

#include "core/util/error.h"

namespace counterscope::evaluation {
namespace {

/// Sums per bin; finished into a ReliabilityDiagram.
struct BinSums {
  std::vector<std::uint64_t> count, true_positives;
  std::vector<long double> score_sum;

  explicit BinSums(std::size_t bins) : count(bins, 0), true_positives(bins, 0), score_sum(bins, 0) {}

  void add(std::size_t bin, double score, bool true_positive) {
    ++count[bin];
    true_positives[bin] += true_positive ? 1 : 0;
    score_sum[bin] += score;
  }

  ReliabilityDiagram finish() const {
    ReliabilityDiagram diagram;
    const std::size_t B = count.size();
    long double total_score = 0, gap_sum = 0;
    double worst = -1;
    for (std::size_t b = 0; b < B; ++b) {
      CalibrationBin bin;
      bin.lower = static_cast<double>(b) / static_cast<double>(B);
      bin.upper = static_cast<double>(b + 1) / static_cast<double>(B);
      bin.count = count[b];
      bin.true_positives = true_positives[b];
      diagram.count += count[b];
      diagram.true_positives += true_positives[b];
      total_score += score_sum[b];
      if (count[b] > 0) {
        bin.mean_score = static_cast<double>(score_sum[b] / static_cast<long double>(count[b]));
        bin.accuracy = static_cast<double>(true_positives[b]) / static_cast<double>(count[b]);
        const double gap = std::abs(bin.accuracy - bin.mean_score);
        gap_sum += static_cast<long double>(count[b]) * gap;
        worst = std::max(worst, gap);
      }
      diagram.bins.push_back(bin);
    }
    if (diagram.count > 0) {
      const auto n = static_cast<long double>(diagram.count);
      diagram.ece = static_cast<double>(gap_sum / n);
      diagram.mce = worst;
      diagram.mean_score = static_cast<double>(total_score / n);
      diagram.accuracy = static_cast<double>(diagram.true_positives) / static_cast<double>(diagram.count);
    }
    return diagram;
  }
};

}  // namespace

Calibration calibrate(const PreparedEvaluation& prepared, const SameCategoryMatches& matches,
                      const CalibrationOptions& options) {
  if (options.bins < 1 || options.bins > 1000) {
    throw InputError("calibration options", "bins", std::to_string(options.bins), "expected 1 to 1000");
  }
  if (matches.iou_threshold != options.iou_threshold) {
    throw InputError("calibration options", "iou_threshold", std::to_string(options.iou_threshold),
                     "differs from the matches' threshold " + std::to_string(matches.iou_threshold));
  }
  const auto& detections = prepared.detections();
  if (matches.truth_of_detection.size() != detections.size()) {
    throw Error("calibration: the matches belong to another evaluation input");
  }
  const auto& dataset = prepared.dataset();
  Calibration calibration;
  calibration.iou_type = matches.iou_type;
  calibration.options = options;
  const auto B = static_cast<std::size_t>(options.bins);
  BinSums overall(B);
  std::array<BinSums, 4> groups{BinSums(B), BinSums(B), BinSums(B), BinSums(B)};
  std::size_t above_one = 0;
  for (const auto& pair : prepared.pairs()) {
    const auto group = static_cast<std::size_t>(frequency_group_index(dataset.categories[pair.category_index].frequency));
    for (auto d = pair.detection_begin; d < pair.detection_end; ++d) {
      const bool true_positive = matches.truth_of_detection[d] >= 0;
      if (!true_positive && pair.not_exhaustive) {
        ++calibration.ignored_detections;
        continue;
      }
      const double score = detections[d].score;
      if (score > 1) ++above_one;
      const auto bin = std::min(B - 1, static_cast<std::size_t>(std::floor(std::min(score, 1.0) * static_cast<double>(B))));
      overall.add(bin, score, true_positive);
      groups[group].add(bin, score, true_positive);
    }
  }
  calibration.overall = overall.finish();
  for (std::size_t g = 0; g < 4; ++g) calibration.by_frequency[g] = groups[g].finish();
  if (above_one > 0) {
    calibration.warnings.push_back(std::to_string(above_one) +
                                   " detection scores above 1 (not probabilities?): counted in the last bin");
  }
  if (calibration.overall.count == 0) calibration.warnings.push_back("no evaluated detections: ECE and MCE are -1");
  return calibration;
}

Calibration calibrate(const PreparedEvaluation& prepared, IouType iou_type, const CalibrationOptions& options,
                      const JobContext& context) {
  return calibrate(prepared, match_same_category(prepared, iou_type, options.iou_threshold, options.threads, context),
                   options);
}

}  // namespace counterscope::evaluation
