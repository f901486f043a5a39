#pragma once
// The torch-free result of explaining one instance: what the application and the CLI show and write.
// Images are OpenCV matrices in RGB order, maps in RGB [0, 1] units at the original image size.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace counterscope::counterfactual {

/// One instance of the image (ground truth or a predicted box), in the original image's pixels.
struct ExplainInstance {
  std::array<double, 4> box{};   ///< x1, y1, x2, y2
  std::int64_t label = 0;        ///< contiguous label 1..num_classes-1 it carries now
  cv::Mat mask;                  ///< optional CV_8U 0/1 of the image's size
  std::int64_t annotation_id = -1;  ///< dataset id when it is a ground-truth annotation
};

/// "Had instance `instance` been a `target_label`": the question to answer for one image.
struct ExplainRequest {
  cv::Mat image;                          ///< CV_8UC3 RGB
  std::vector<ExplainInstance> instances; ///< the image's instances (conditioning); at least the one asked about
  std::size_t instance = 0;               ///< index into `instances`
  std::int64_t target_label = 0;          ///< the label it should become
  /// Optional ground-truth difference (twin - X) as CV_32FC3 RGB in [0, 1] units (synthetic world): gives NCC.
  cv::Mat ground_truth_difference;
};

/// A detection drawn on X or X~.
struct PredictedInstance {
  std::array<double, 4> box{};
  std::int64_t label = 0;
  double score = 0;
  cv::Mat mask;  ///< CV_8U 0/1 of the image's size (mask probability >= 0.5)
};

/// Pixels of the instance's predicted mask on X vs on X~ (mask head on the instance's box, top class).
struct SegmentationDiff {
  std::int64_t pixels_before = 0;
  std::int64_t pixels_after = 0;
  std::int64_t gained = 0;  ///< in the mask on X~, not on X
  std::int64_t lost = 0;    ///< in the mask on X, not on X~
};

struct ExplanationMeasures {
  bool target_attained = false;       ///< the model's top class for the instance's RoI on X~ is the target
  double target_score_before = 0;     ///< probability of the target class on X
  double target_score_after = 0;      ///< ... on X~
  double source_score_before = 0;     ///< probability of the instance's current class on X
  double source_score_after = 0;      ///< ... on X~
  double score_gain = 0;              ///< target_score_after - target_score_before
  double sparsity = 0;                ///< mean |M| over pixels and channels
  double locality = 0;                ///< share of sum |M| inside the instance box enlarged 2x about its centre
  std::optional<double> ncc;          ///< normalised cross-correlation of M with the ground-truth difference
  double seconds = 0;                 ///< wall time of the explanation (map + predictions + measures)
  double map_seconds = 0;             ///< wall time of producing M alone
  std::int64_t steps = 0;             ///< optimiser steps taken (0 for the generator)
};

struct Explanation {
  std::string method;                 ///< "generator" or "optimize"
  cv::Mat map;                        ///< CV_32FC3 RGB, signed: M = X~ - X
  cv::Mat counterfactual;             ///< CV_32FC3 RGB in [0, 1]: X~ = clamp(X + M)
  std::vector<PredictedInstance> predictions_before;  ///< the model's detections on X
  std::vector<PredictedInstance> predictions_after;   ///< ... on X~
  std::vector<double> class_scores_before;  ///< the instance RoI's class probabilities on X (index = label)
  std::vector<double> class_scores_after;   ///< ... on X~
  std::int64_t source_label = 0;
  std::int64_t target_label = 0;
  std::int64_t top_label_before = 0;
  std::int64_t top_label_after = 0;
  cv::Mat instance_mask_before;       ///< CV_8U 0/1: mask head on the instance's box on X
  cv::Mat instance_mask_after;        ///< ... on X~
  SegmentationDiff segmentation;
  ExplanationMeasures measures;
};

}  // namespace counterscope::counterfactual
