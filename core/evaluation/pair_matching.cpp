#include "core/evaluation/pair_matching.h"

#include <algorithm>

#include "core/data/mask/mask_api.h"

namespace counterscope::evaluation {
namespace {

data::Rle truth_mask(const data::Dataset& dataset, std::uint32_t annotation_index) {
  return dataset.mask_of(dataset.annotations[annotation_index]);
}

}  // namespace

void compute_ious(const PreparedEvaluation& prepared, const std::vector<std::uint32_t>& detections,
                  const std::vector<std::uint32_t>& annotations, IouType iou_type, std::vector<double>& ious) {
  const auto& dataset = prepared.dataset();
  const auto& all_detections = prepared.detections();
  ious.assign(detections.size() * annotations.size(), 0.0);
  if (detections.empty() || annotations.empty()) return;
  // iscrowd is always false in LVIS evaluation (lvis-api passes [0] * len(gt)).
  if (iou_type == IouType::bbox) {
    for (std::size_t d = 0; d < detections.size(); ++d) {
      const auto& box = all_detections[detections[d]].box;
      for (std::size_t g = 0; g < annotations.size(); ++g) {
        ious[d * annotations.size() + g] = data::box_iou(box, dataset.annotations[annotations[g]].bbox, false);
      }
    }
    return;
  }
  std::vector<data::Rle> truths;
  std::vector<data::BoxXywh> truth_boxes;
  truths.reserve(annotations.size());
  for (const auto a : annotations) {
    truths.push_back(truth_mask(dataset, a));
    truth_boxes.push_back(data::rle_to_box(truths.back()));
  }
  data::Rle scratch;
  for (std::size_t d = 0; d < detections.size(); ++d) {
    const auto& mask = prepared.detection_mask(all_detections[detections[d]], scratch);
    const auto box = data::rle_to_box(mask);
    for (std::size_t g = 0; g < annotations.size(); ++g) {
      // Masks whose boxes do not overlap have IoU 0 (pycocotools' rleIou makes the same test first).
      const auto& tb = truth_boxes[g];
      if (box.x + box.w <= tb.x || tb.x + tb.w <= box.x || box.y + box.h <= tb.y || tb.y + tb.h <= box.y) {
        continue;
      }
      ious[d * annotations.size() + g] = data::rle_iou(mask, truths[g], false);
    }
  }
}

void compute_pair_ious(const PreparedEvaluation& prepared, const ImageCategoryPair& pair, IouType iou_type,
                       std::vector<double>& ious) {
  ious.clear();
  if (pair.detection_count() == 0 || pair.truth_count() == 0) return;
  std::vector<std::uint32_t> detections(pair.detection_count());
  for (std::uint32_t i = 0; i < detections.size(); ++i) detections[i] = pair.detection_begin + i;
  const auto& all_truths = prepared.ground_truths();
  const std::vector<std::uint32_t> annotations(all_truths.begin() + pair.truth_begin,
                                               all_truths.begin() + pair.truth_end);
  compute_ious(prepared, detections, annotations, iou_type, ious);
}

void match_at_threshold(const double* ious, std::size_t detection_count, std::size_t truth_count,
                        const std::uint8_t* truth_ignored, double threshold, std::int32_t* matched_truth,
                        std::vector<std::uint32_t>& order, std::vector<std::uint8_t>& taken) {
  std::fill(matched_truth, matched_truth + detection_count, -1);
  if (detection_count == 0 || truth_count == 0) return;
  // Ground truths sorted "ignore last" with a stable sort (lvis-api: argsort(_ignore, kind="mergesort")).
  order.clear();
  for (std::uint32_t g = 0; g < truth_count; ++g) {
    if (!truth_ignored[g]) order.push_back(g);
  }
  for (std::uint32_t g = 0; g < truth_count; ++g) {
    if (truth_ignored[g]) order.push_back(g);
  }
  taken.assign(truth_count, 0);
  const double capped = std::min(threshold, 1 - 1e-10);
  for (std::size_t d = 0; d < detection_count; ++d) {
    double best = capped;
    std::int32_t match = -1;
    const double* row = ious + d * truth_count;
    for (const auto g : order) {
      if (taken[g]) continue;
      // Once matched to a regular ground truth, never move to an ignored one.
      if (match > -1 && !truth_ignored[match] && truth_ignored[g]) break;
      if (row[g] < best) continue;
      best = row[g];
      match = static_cast<std::int32_t>(g);
    }
    if (match == -1) continue;
    taken[match] = 1;
    matched_truth[d] = match;
  }
}

void match_pair(const PreparedEvaluation& prepared, const ImageCategoryPair& pair, const std::vector<double>& ious,
                const AreaRange& area_range, PairAreaMatch& out, MatchScratch& scratch, std::int32_t* matched_at,
                std::size_t record_threshold) {
  const auto& dataset = prepared.dataset();
  const auto& thresholds = iou_thresholds();
  const std::size_t detection_count = pair.detection_count();
  const std::size_t truth_count = pair.truth_count();

  auto out_of_range = [&](double area) { return area < area_range.lower || area > area_range.upper; };
  scratch.truth_ignored.resize(truth_count);
  out.truths_in_range = 0;
  for (std::size_t g = 0; g < truth_count; ++g) {
    const auto& annotation = dataset.annotations[prepared.ground_truths()[pair.truth_begin + g]];
    scratch.truth_ignored[g] = out_of_range(annotation.area) ? 1 : 0;
    if (!scratch.truth_ignored[g]) ++out.truths_in_range;
  }
  out.flags.assign(thresholds.size() * detection_count, 0);
  if (detection_count == 0) return;

  // Unmatched detections are ignored when out of the area range, or when their category is not
  // exhaustively annotated in the image (LVIS's federated rule).
  std::vector<std::uint8_t> ignore_if_unmatched(detection_count);
  for (std::size_t d = 0; d < detection_count; ++d) {
    const auto& detection = prepared.detections()[pair.detection_begin + d];
    ignore_if_unmatched[d] = (out_of_range(detection.area) || pair.not_exhaustive) ? 1 : 0;
  }
  scratch.matched_truth.resize(detection_count);
  for (std::size_t t = 0; t < thresholds.size(); ++t) {
    std::uint8_t* flags = out.flags.data() + t * detection_count;
    if (!ious.empty()) {
      match_at_threshold(ious.data(), detection_count, truth_count, scratch.truth_ignored.data(), thresholds[t],
                         scratch.matched_truth.data(), scratch.order, scratch.taken);
    } else {
      std::fill(scratch.matched_truth.begin(), scratch.matched_truth.end(), -1);
    }
    if (matched_at != nullptr && t == record_threshold) {
      std::copy(scratch.matched_truth.begin(), scratch.matched_truth.end(), matched_at);
    }
    for (std::size_t d = 0; d < detection_count; ++d) {
      const auto match = scratch.matched_truth[d];
      bool matched = false, ignored = false;
      if (match >= 0) {
        ignored = scratch.truth_ignored[match] != 0;
        // lvis-api records the matched ground truth's id and tests it against 0, so a ground truth with
        // id 0 never counts as a match; reproduced for identical numbers.
        matched = dataset.annotations[prepared.ground_truths()[pair.truth_begin + match]].id != 0;
      }
      if (!matched && ignore_if_unmatched[d]) ignored = true;
      flags[d] = static_cast<std::uint8_t>((matched ? matched_bit : 0) | (ignored ? ignored_bit : 0));
    }
  }
}

}  // namespace counterscope::evaluation
