#pragma once
// A confusion matrix for detection under LVIS's federated rules, built from DetectionMatching (see
// detection_matching.h for how a detection finds its ground truth):
//
//   rows    = what the model said: a category, or background (row K: a ground truth no detection took)
//   columns = what the ground truth is: a category, or background (column K: a detection that found nothing)
//
// Every evaluated detection scoring >= min_score adds one to (its category, the category of the ground truth
// it took) — the diagonal for a true positive, off the diagonal for a confusion — or to (its category,
// background) when it took none. Every ground truth no such detection took adds one to (background, its
// category). Not counted: detections of categories neither verified positive nor negative for the image
// (PreparedEvaluation drops them: nobody looked for that category there, so no verdict is possible), and
// unmatched detections of a not-exhaustive category (lvis-api ignores them: the instance may be unannotated).
// Categories are indexed as in EvaluationResult::categories (sorted by id); index K is background.

#include <cstdint>
#include <string>
#include <vector>

#include "core/data/lvis/dataset.h"
#include "core/evaluation/detection_matching.h"

namespace counterscope::evaluation {

/// One counted instance: a detection, a ground truth, or both when they matched.
struct ConfusionInstance {
  std::uint32_t predicted = 0;   ///< row: category position, or K (background: a missed ground truth)
  std::uint32_t truth = 0;       ///< column: category position, or K (background: a false positive)
  std::int32_t detection = -1;   ///< DetectionStore index, or -1
  std::int32_t annotation = -1;  ///< Dataset::annotations index, or -1
  std::int64_t image_id = 0;
  float score = 0;  ///< the detection's score (0 without detection)
  float iou = 0;    ///< IoU of detection and ground truth (0 unless both)
};

/// A cell off the diagonal with both sides categories.
struct Confusion {
  std::uint32_t truth = 0, predicted = 0;  ///< category positions
  std::uint64_t count = 0;
};

/// Group index of the grouped matrix: rare, common, frequent, unknown (no frequency), background.
constexpr std::size_t confusion_group_count = 5;
const char* confusion_group_name(std::size_t group);  ///< "rare", "common", "frequent", "unknown", "background"

class ConfusionMatrix {
 public:
  IouType iou_type = IouType::bbox;
  double iou_threshold = 0.5;
  double min_score = 0;
  std::vector<std::int64_t> category_ids;  ///< sorted; position k names row/column k
  std::vector<data::Frequency> frequencies;
  /// The counted instances (all, or only the confusions between two categories: see ConfusionDetail), by image
  /// id; within an image its detections (by category id, then score), then the ground truths no detection took.
  std::vector<ConfusionInstance> instances;
  std::size_t ignored_detections = 0;        ///< unmatched in a not-exhaustive pair (not counted)
  std::size_t below_score_detections = 0;    ///< scoring under min_score (not counted)
  std::vector<std::string> warnings;

  std::size_t category_count() const { return category_ids.size(); }
  std::uint32_t background() const { return static_cast<std::uint32_t>(category_ids.size()); }
  /// Cell (row = predicted, column = truth); K = background.
  std::uint64_t count(std::uint32_t predicted, std::uint32_t truth) const {
    return m_counts[static_cast<std::size_t>(predicted) * (category_count() + 1) + truth];
  }
  /// Every count of the matrix (instances counted).
  std::uint64_t total() const;
  /// Row sums (what the model said) and column sums (what the ground truth is).
  std::uint64_t predicted_total(std::uint32_t predicted) const;
  std::uint64_t truth_total(std::uint32_t truth) const;
  /// Position of a category id, or background() when unknown.
  std::uint32_t position(std::int64_t category_id) const;
  /// Group of a position (background() -> the background group).
  std::size_t group_of(std::uint32_t position) const;
  /// The matrix summed over groups: grouped[predicted group][truth group].
  std::vector<std::vector<std::uint64_t>> grouped() const;
  /// Cells off the diagonal between two categories, most frequent first (ties: truth, then predicted id).
  std::vector<Confusion> top_confusions(std::size_t limit) const;
  /// Instances of one cell, in `instances` order.
  std::vector<const ConfusionInstance*> instances_of(std::uint32_t predicted, std::uint32_t truth) const;

  /// Builds the counts from `instances` (which must then hold every instance) and `category_ids`.
  void count_instances();
  /// Sets the counts directly ((K + 1) x (K + 1), row-major). Throws Error on a size mismatch.
  void set_counts(std::vector<std::uint64_t> counts);

 private:
  std::vector<std::uint64_t> m_counts;  // (K + 1) x (K + 1), row-major
};

struct ConfusionOptions {
  double iou_threshold = 0.5;  ///< IoU a match needs
  double min_score = 0.25;     ///< detections below take no part (0 keeps all)
  int threads = 0;
};

/// Which instances a matrix keeps (the counts are always complete).
enum class ConfusionDetail {
  all,         ///< every instance (the application lists any cell's)
  confusions,  ///< only those between two different categories (reports: millions of instances cost time)
};

/// The matrix of a matching (whose options give the threshold and the minimum score).
ConfusionMatrix build_confusion_matrix(const PreparedEvaluation& prepared, const DetectionMatching& matching,
                                       ConfusionDetail detail = ConfusionDetail::all);

/// Prepares nothing itself: matches (both steps) and builds the matrix.
ConfusionMatrix build_confusion_matrix(const PreparedEvaluation& prepared, IouType iou_type,
                                       const ConfusionOptions& options = {}, const JobContext& context = {});

}  // namespace counterscope::evaluation
