#pragma once
// Ranks ground truth that the model confidently disagrees with — likely label errors — in the manner of
// Cleanlab's object-detection scores (overlooked, badly located, swapped; Tkachenko et al. 2023), on boxes.
// s(c) of an annotation = the best score of a detection of its category c on it (IoU >= match_iou), its
// support. Every detection that is on no annotation of its own category (IoU < match_iou with all of them) is
// evidence of one issue:
//
//   swapped    it sits on an annotation of another category (IoU >= match_iou; the one it overlaps most):
//              score of that annotation = s(detection) * (1 - s(c)).
//   mislocated else, it overlaps an annotation of its category loosely (loose_iou <= IoU < match_iou; the one it
//              overlaps most) and is more confident than that annotation's support: s(detection) * (1 - s(c)).
//              An annotation gets the higher of its swapped and mislocated scores.
//   missing    else: score = s(detection). Federated rules: only where its category is verified — present and
//              exhaustively annotated, or verified absent (a confident detection then questions the negative
//              label); unverified and not-exhaustive categories may lack annotations legitimately. Overlapping
//              missing candidates (IoU >= match_iou, any category) count once, the most confident.
//
// Detections: the per-image top max_detections_per_image by score, scoring >= min_score.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/data/lvis/dataset.h"
#include "core/evaluation/detection_store.h"
#include "core/util/progress.h"

namespace counterscope::evaluation {

enum class LabelIssue : std::uint8_t { missing, swapped, mislocated };
constexpr std::size_t label_issue_count = 3;
const char* label_issue_name(LabelIssue issue);  ///< "missing", "swapped", "mislocated"

struct LabelErrorOptions {
  double match_iou = 0.5;  ///< IoU at which a detection is on an annotation
  double loose_iou = 0.1;  ///< below match_iou and at least this: a poorly placed box
  double min_score = 0.0;  ///< detections below take no part
  int max_detections_per_image = 300;  ///< < 0 keeps all
  int threads = 0;

  /// Throws InputError naming the option unless 0 < loose_iou <= match_iou <= 1 and min_score >= 0.
  void validate() const;
};

struct LabelErrorCandidate {
  LabelIssue issue = LabelIssue::missing;
  double score = 0;  ///< higher = more likely an error
  std::int64_t image_id = 0;
  std::int32_t annotation = -1;  ///< Dataset::annotations index (-1 for missing)
  std::int64_t annotation_id = -1;
  std::int64_t category_id = 0;            ///< the annotation's category (missing: the detection's)
  std::int64_t suggested_category_id = 0;  ///< what the model says is there
  data::BoxXywh box;                       ///< the annotation's box (missing: the detection's)
  data::BoxXywh suggested_box;             ///< the evidence detection's box
  std::uint32_t detection = 0;             ///< the evidence: DetectionStore index
  double iou = 0;                          ///< IoU of evidence and annotation (missing: its best with any)
};

struct LabelErrorRanking {
  LabelErrorOptions options;
  std::vector<LabelErrorCandidate> candidates;  ///< highest score first (ties: image id, annotation id)
  std::vector<std::string> warnings;
};

LabelErrorRanking rank_label_errors(const data::Dataset& dataset, const DetectionStore& store,
                                    const LabelErrorOptions& options = {}, const JobContext& context = {});

/// A label error known to be there (planted in a synthetic world, or found by hand).
struct KnownLabelError {
  LabelIssue issue = LabelIssue::missing;
  std::int64_t image_id = 0;
  std::int64_t annotation_id = -1;  ///< the faulty annotation (-1 for a missing one)
  data::BoxXywh box;                ///< missing: where the unannotated object is
};

/// How well a ranking finds known errors. A candidate finds a known error when it names the same annotation
/// (swapped / mislocated candidates and errors, either issue) or, for missing, lies in the same image with box
/// IoU >= 0.5; each known error is found once, by its best-ranked candidate (later ones count as misses).
struct RankingCheck {
  std::size_t known = 0, candidates = 0, found = 0;
  std::array<std::size_t, label_issue_count> known_by_issue{}, found_by_issue{};
  std::array<std::size_t, label_issue_count> found_with_issue{};  ///< found by a candidate of the same issue
  std::vector<std::size_t> ks;        ///< cut-offs (those beyond the candidate count are left out)
  std::vector<double> precision_at;   ///< found in the top k / k
  std::vector<double> recall_at;      ///< found in the top k / known
  double average_precision = -1;      ///< mean over known errors of the precision at the rank finding them (0 if never)
  std::vector<std::int32_t> known_of_candidate;  ///< per candidate: the known error it found, or -1
};

RankingCheck check_ranking(const LabelErrorRanking& ranking, const std::vector<KnownLabelError>& known,
                           const std::vector<std::size_t>& ks = {10, 20, 50, 100, 200, 500, 1000});

}  // namespace counterscope::evaluation
