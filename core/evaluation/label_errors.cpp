#include "core/evaluation/label_errors.h"

#include <algorithm>
#include <numeric>
#include <unordered_map>

#include "core/data/mask/mask_api.h"
#include "core/evaluation/parallel_for.h"
#include "core/util/error.h"

namespace counterscope::evaluation {
namespace {

bool contains(const std::vector<std::int64_t>& values, std::int64_t value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

data::BoxXywh box_of(const data::Detection& detection) {
  return detection.has_bbox ? detection.bbox : data::rle_to_box(detection.segmentation);
}

std::vector<LabelErrorCandidate> rank_image(const data::Dataset& dataset, const DetectionStore& store,
                                            std::size_t image_index, const LabelErrorOptions& options) {
  std::vector<LabelErrorCandidate> out;
  const auto& image = dataset.images[image_index];
  const auto& all = store.detections();
  std::vector<std::uint32_t> detections = store.of_image(image_index);
  std::stable_sort(detections.begin(), detections.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return all[a].score > all[b].score; });
  if (options.max_detections_per_image >= 0 &&
      detections.size() > static_cast<std::size_t>(options.max_detections_per_image)) {
    detections.resize(static_cast<std::size_t>(options.max_detections_per_image));
  }
  detections.erase(std::remove_if(detections.begin(), detections.end(),
                                  [&](std::uint32_t d) { return all[d].score < options.min_score; }),
                   detections.end());
  std::vector<std::uint32_t> truths;
  for (const auto a : dataset.annotations_of_image(image_index)) {
    if (dataset.annotations[a].area > 0) truths.push_back(a);
  }
  const std::size_t n = detections.size(), m = truths.size();
  std::vector<data::BoxXywh> boxes(n);
  for (std::size_t i = 0; i < n; ++i) boxes[i] = box_of(all[detections[i]]);
  std::vector<double> iou(n * m, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < m; ++j) iou[i * m + j] = data::box_iou(boxes[i], dataset.annotations[truths[j]].bbox, false);
  }
  auto category = [&](std::size_t i) { return all[detections[i]].category_id; };
  auto truth_category = [&](std::size_t j) { return dataset.annotations[truths[j]].category_id; };
  // Per detection: its best-overlapping annotation (any category; first on ties), and whether it matches an
  // annotation of its own category.
  std::vector<std::int64_t> best_any(n, -1);
  std::vector<double> best_same_iou(n, 0.0), best_other_iou(n, 0.0);
  std::vector<std::int64_t> best_same(n, -1);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < m; ++j) {
      const double v = iou[i * m + j];
      if (best_any[i] < 0 || v > iou[i * m + static_cast<std::size_t>(best_any[i])]) best_any[i] = static_cast<std::int64_t>(j);
      if (truth_category(j) == category(i)) {
        if (best_same[i] < 0 || v > best_same_iou[i]) {
          best_same[i] = static_cast<std::int64_t>(j);
          best_same_iou[i] = v;
        }
      } else {
        best_other_iou[i] = std::max(best_other_iou[i], v);
      }
    }
  }

  // Support of each annotation: the best score of a same-category detection on it (IoU >= match_iou).
  std::vector<double> support(m, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < m; ++j) {
      if (truth_category(j) == category(i) && iou[i * m + j] >= options.match_iou) {
        support[j] = std::max(support[j], all[detections[i]].score);
      }
    }
  }
  // Each detection that is on no annotation of its category is evidence of one issue: a swap of the other
  // annotation it sits on, a misplaced box of the nearby annotation of its category (when it is more confident
  // than any well-placed detection there; otherwise it is likely another instance), or a missing annotation.
  std::vector<double> alternative(m, 0.0), loose(m, 0.0);
  std::vector<std::int64_t> alternative_detection(m, -1), loose_detection(m, -1);
  std::vector<std::size_t> missing;
  for (std::size_t i = 0; i < n; ++i) {
    if (best_same_iou[i] >= options.match_iou) continue;
    const double score = all[detections[i]].score;
    if (best_other_iou[i] >= options.match_iou) {
      const auto j = static_cast<std::size_t>(best_any[i]);
      if (score > alternative[j]) {
        alternative[j] = score;
        alternative_detection[j] = static_cast<std::int64_t>(i);
      }
    } else if (best_same_iou[i] >= options.loose_iou && support[static_cast<std::size_t>(best_same[i])] < score) {
      const auto j = static_cast<std::size_t>(best_same[i]);
      if (score > loose[j]) {
        loose[j] = score;
        loose_detection[j] = static_cast<std::int64_t>(i);
      }
    } else {
      missing.push_back(i);
    }
  }

  for (std::size_t j = 0; j < m; ++j) {
    const double kept = 1 - std::min(support[j], 1.0);
    const double swapped = alternative[j] * kept, mislocated = loose[j] * kept;
    if (swapped <= 0 && mislocated <= 0) continue;
    const bool is_swap = swapped >= mislocated;
    const auto evidence = static_cast<std::size_t>(is_swap ? alternative_detection[j] : loose_detection[j]);
    const auto& annotation = dataset.annotations[truths[j]];
    LabelErrorCandidate candidate;
    candidate.issue = is_swap ? LabelIssue::swapped : LabelIssue::mislocated;
    candidate.score = is_swap ? swapped : mislocated;
    candidate.image_id = image.id;
    candidate.annotation = static_cast<std::int32_t>(truths[j]);
    candidate.annotation_id = annotation.id;
    candidate.category_id = annotation.category_id;
    candidate.suggested_category_id = category(evidence);
    candidate.box = annotation.bbox;
    candidate.suggested_box = boxes[evidence];
    candidate.detection = detections[evidence];
    candidate.iou = iou[evidence * m + j];
    out.push_back(candidate);
  }

  // Missing annotations, highest score first; one per object (class-agnostic suppression at match_iou).
  std::vector<std::size_t> kept;
  for (const auto i : missing) {
    const auto c = category(i);
    bool present = false;
    for (std::size_t j = 0; j < m && !present; ++j) present = truth_category(j) == c;
    const bool verified = (present && !contains(image.not_exhaustive_category_ids, c)) ||
                          (!present && contains(image.neg_category_ids, c));
    if (!verified) continue;
    bool suppressed = false;
    for (const auto k : kept) suppressed = suppressed || data::box_iou(boxes[i], boxes[k], false) >= options.match_iou;
    if (suppressed) continue;
    kept.push_back(i);
    LabelErrorCandidate candidate;
    candidate.issue = LabelIssue::missing;
    candidate.score = all[detections[i]].score;
    candidate.image_id = image.id;
    candidate.category_id = c;
    candidate.suggested_category_id = c;
    candidate.box = boxes[i];
    candidate.suggested_box = boxes[i];
    candidate.detection = detections[i];
    candidate.iou = best_any[i] >= 0 ? iou[i * m + static_cast<std::size_t>(best_any[i])] : 0.0;
    out.push_back(candidate);
  }
  return out;
}

}  // namespace

const char* label_issue_name(LabelIssue issue) {
  switch (issue) {
    case LabelIssue::missing: return "missing";
    case LabelIssue::swapped: return "swapped";
    case LabelIssue::mislocated: return "mislocated";
  }
  return "?";
}

void LabelErrorOptions::validate() const {
  if (!(loose_iou > 0 && loose_iou <= match_iou && match_iou <= 1)) {
    throw InputError("label error options", "loose_iou, match_iou",
                     std::to_string(loose_iou) + ", " + std::to_string(match_iou),
                     "expected 0 < loose_iou <= match_iou <= 1");
  }
  if (!(min_score >= 0)) throw InputError("label error options", "min_score", std::to_string(min_score), "expected >= 0");
}

LabelErrorRanking rank_label_errors(const data::Dataset& dataset, const DetectionStore& store,
                                    const LabelErrorOptions& options, const JobContext& context) {
  options.validate();
  LabelErrorRanking ranking;
  ranking.options = options;
  std::vector<std::vector<LabelErrorCandidate>> per_image(dataset.images.size());
  parallel_for(
      dataset.images.size(), options.threads,
      [&](std::size_t i, int) { per_image[i] = rank_image(dataset, store, i, options); }, context,
      "rank label errors");
  for (auto& candidates : per_image) {
    ranking.candidates.insert(ranking.candidates.end(), candidates.begin(), candidates.end());
  }
  std::stable_sort(ranking.candidates.begin(), ranking.candidates.end(),
                   [](const LabelErrorCandidate& a, const LabelErrorCandidate& b) {
                     if (a.score != b.score) return a.score > b.score;
                     if (a.image_id != b.image_id) return a.image_id < b.image_id;
                     return a.annotation_id < b.annotation_id;
                   });
  if (store.size() == 0) ranking.warnings.push_back("no detections: the model cannot point at label errors");
  if (dataset.annotations.empty()) ranking.warnings.push_back("the split has no annotations");
  return ranking;
}

RankingCheck check_ranking(const LabelErrorRanking& ranking, const std::vector<KnownLabelError>& known,
                           const std::vector<std::size_t>& ks) {
  RankingCheck check;
  check.known = known.size();
  check.candidates = ranking.candidates.size();
  for (const auto& k : known) ++check.known_by_issue[static_cast<std::size_t>(k.issue)];
  std::unordered_map<std::int64_t, std::vector<std::size_t>> known_by_image;
  for (std::size_t k = 0; k < known.size(); ++k) known_by_image[known[k].image_id].push_back(k);
  std::vector<std::uint8_t> found(known.size(), 0);
  std::vector<std::size_t> found_up_to(ranking.candidates.size() + 1, 0);  // found in the top r
  double precision_sum = 0;
  for (std::size_t r = 0; r < ranking.candidates.size(); ++r) {
    const auto& c = ranking.candidates[r];
    std::int32_t hit = -1;
    const auto in_image = known_by_image.find(c.image_id);
    const std::vector<std::size_t> none;
    for (const auto k : in_image == known_by_image.end() ? none : in_image->second) {
      if (found[k] || hit >= 0) continue;
      const auto& e = known[k];
      const bool same = c.issue == LabelIssue::missing
                            ? e.issue == LabelIssue::missing && e.image_id == c.image_id &&
                                  data::box_iou(c.box, e.box, false) >= 0.5
                            : e.issue != LabelIssue::missing && e.annotation_id == c.annotation_id;
      if (same) hit = static_cast<std::int32_t>(k);
    }
    check.known_of_candidate.push_back(hit);
    found_up_to[r + 1] = found_up_to[r];
    if (hit < 0) continue;
    const auto& e = known[static_cast<std::size_t>(hit)];
    found[static_cast<std::size_t>(hit)] = 1;
    ++found_up_to[r + 1];
    ++check.found;
    ++check.found_by_issue[static_cast<std::size_t>(e.issue)];
    if (e.issue == c.issue) ++check.found_with_issue[static_cast<std::size_t>(e.issue)];
    precision_sum += static_cast<double>(found_up_to[r + 1]) / static_cast<double>(r + 1);
  }
  for (const auto k : ks) {
    if (k == 0 || k > ranking.candidates.size()) continue;
    check.ks.push_back(k);
    check.precision_at.push_back(static_cast<double>(found_up_to[k]) / static_cast<double>(k));
    check.recall_at.push_back(known.empty() ? -1.0 : static_cast<double>(found_up_to[k]) / static_cast<double>(known.size()));
  }
  if (!known.empty()) check.average_precision = precision_sum / static_cast<double>(known.size());
  return check;
}

}  // namespace counterscope::evaluation
