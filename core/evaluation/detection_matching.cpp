#include "core/evaluation/detection_matching.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "core/data/mask/mask_api.h"
#include "core/evaluation/pair_matching.h"
#include "core/evaluation/parallel_for.h"
#include "core/util/error.h"

namespace counterscope::evaluation {
namespace {

void check_threshold(double threshold, const char* what) {
  if (!(threshold > 0 && threshold <= 1)) {
    throw InputError("detection matching", what, std::to_string(threshold), "expected an IoU in (0, 1]");
  }
}

bool boxes_overlap(const data::BoxXywh& a, const data::BoxXywh& b) {
  return !(a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y);
}

/// The detections and ground truths of one image as contiguous ranges of the prepared arrays.
struct ImageRanges {
  std::uint32_t detection_begin = 0, detection_end = 0, truth_begin = 0, truth_end = 0;
};

ImageRanges ranges_of(const PreparedEvaluation& prepared, const PreparedImage& image) {
  ImageRanges r;
  if (image.pair_begin == image.pair_end) return r;
  const auto& first = prepared.pairs()[image.pair_begin];
  const auto& last = prepared.pairs()[image.pair_end - 1];
  return {first.detection_begin, last.detection_end, first.truth_begin, last.truth_end};
}

/// Step 2 for one image: cross-category IoUs are computed only for the candidates and free ground truths.
class CrossCategoryMatcher {
 public:
  CrossCategoryMatcher(const PreparedEvaluation& prepared, IouType iou_type, const DetectionMatchingOptions& options,
                       DetectionMatching& out)
      : m_prepared(prepared), m_iou_type(iou_type), m_options(options), m_out(out) {}

  void match_image(const PreparedImage& image) {
    const auto range = ranges_of(m_prepared, image);
    const auto& detections = m_prepared.detections();
    const auto& dataset = m_prepared.dataset();
    // Free ground truths: not taken by a step-1 match of a detection scoring >= min_score.
    m_free.clear();
    for (auto g = range.truth_begin; g < range.truth_end; ++g) {
      if (m_out.detection_of_truth[g] < 0) m_free.push_back(g);
    }
    m_candidates.clear();
    for (auto d = range.detection_begin; d < range.detection_end; ++d) {
      if (m_out.kind[d] == MatchKind::unmatched) m_candidates.push_back(d);
    }
    if (m_free.empty() || m_candidates.empty()) return;
    std::stable_sort(m_candidates.begin(), m_candidates.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return detections[a].score > detections[b].score; });

    // Ground truth category, box and (segm) mask of each free ground truth, computed once per image.
    const std::size_t n = m_free.size();
    m_truth_category.resize(n);
    m_truth_box.resize(n);
    m_truth_mask.resize(n);
    m_taken.assign(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
      const auto& annotation = dataset.annotations[m_prepared.ground_truths()[m_free[i]]];
      m_truth_category[i] = static_cast<std::uint32_t>(*dataset.category_index(annotation.category_id));
      m_truth_box[i] = annotation.bbox;
      m_truth_mask[i] = data::Rle{};
    }
    auto truth_mask = [&](std::size_t i) -> const data::Rle& {
      if (m_truth_mask[i].height == 0 && m_truth_mask[i].width == 0) {
        m_truth_mask[i] = dataset.mask_of(dataset.annotations[m_prepared.ground_truths()[m_free[i]]]);
      }
      return m_truth_mask[i];
    };
    const double threshold = std::min(m_options.iou_threshold, 1 - 1e-10);
    for (const auto d : m_candidates) {
      const auto& detection = detections[d];
      const data::Rle* mask = nullptr;
      data::BoxXywh box = detection.box;
      if (m_iou_type == IouType::segm) {
        mask = &m_prepared.detection_mask(detection, m_mask_scratch);
        box = data::rle_to_box(*mask);
      }
      double best = threshold;
      std::int64_t match = -1;
      for (std::size_t i = 0; i < n; ++i) {
        if (m_taken[i] || m_truth_category[i] == detection.category_index) continue;
        double iou = 0;
        if (m_iou_type == IouType::bbox) {
          if (!boxes_overlap(box, m_truth_box[i])) continue;
          iou = data::box_iou(box, m_truth_box[i], false);
        } else {
          // Masks are rasterised only for ground truths near a candidate: the annotated box grown by a pixel
          // holds the polygons' pixels, so a mask box outside it cannot overlap the mask.
          const auto& b = m_truth_box[i];
          if (!boxes_overlap(box, data::BoxXywh{b.x - 1, b.y - 1, b.w + 2, b.h + 2})) continue;
          iou = data::rle_iou(*mask, truth_mask(i), false);
        }
        if (iou < best || (match >= 0 && iou == best)) continue;
        best = iou;
        match = static_cast<std::int64_t>(i);
      }
      if (match < 0) continue;
      m_taken[static_cast<std::size_t>(match)] = 1;
      const auto g = m_free[static_cast<std::size_t>(match)];
      m_out.kind[d] = MatchKind::other_category;
      m_out.truth_of_detection[d] = static_cast<std::int32_t>(g);
      m_out.iou[d] = static_cast<float>(best);
      m_out.detection_of_truth[g] = static_cast<std::int32_t>(d);
    }
  }

 private:
  const PreparedEvaluation& m_prepared;
  IouType m_iou_type;
  const DetectionMatchingOptions& m_options;
  DetectionMatching& m_out;
  std::vector<std::uint32_t> m_free, m_candidates, m_truth_category;
  std::vector<data::BoxXywh> m_truth_box;
  std::vector<data::Rle> m_truth_mask;
  std::vector<std::uint8_t> m_taken;
  data::Rle m_mask_scratch;
};

}  // namespace

int frequency_group_index(data::Frequency frequency) {
  switch (frequency) {
    case data::Frequency::rare: return 0;
    case data::Frequency::common: return 1;
    case data::Frequency::frequent: return 2;
    default: return 3;
  }
}

SameCategoryMatches match_same_category(const PreparedEvaluation& prepared, IouType iou_type, double iou_threshold,
                                        int threads, const JobContext& context) {
  check_threshold(iou_threshold, "iou_threshold");
  SameCategoryMatches out;
  out.iou_type = iou_type;
  out.iou_threshold = iou_threshold;
  out.truth_of_detection.assign(prepared.detections().size(), -1);
  out.iou.assign(prepared.detections().size(), 0.0f);
  const auto& images = prepared.images();
  const int workers = worker_count(threads, images.size());
  struct Scratch {
    std::vector<double> ious;
    std::vector<std::uint8_t> no_ignore;  // truth_ignored of the area range "all"
    std::vector<std::int32_t> matched;
    std::vector<std::uint32_t> order;
    std::vector<std::uint8_t> taken;
  };
  std::vector<Scratch> scratch(static_cast<std::size_t>(workers));
  const auto& dataset = prepared.dataset();
  const AreaRange& all = area_ranges()[0];
  parallel_for(
      images.size(), threads,
      [&](std::size_t i, int worker) {
        auto& s = scratch[static_cast<std::size_t>(worker)];
        for (auto p = images[i].pair_begin; p < images[i].pair_end; ++p) {
          const auto& pair = prepared.pairs()[p];
          if (pair.detection_count() == 0 || pair.truth_count() == 0) continue;
          compute_pair_ious(prepared, pair, iou_type, s.ious);
          // Area "all" as lvis-api: ground truths outside it (none in practice) are matched last.
          s.no_ignore.resize(pair.truth_count());
          for (std::uint32_t g = 0; g < pair.truth_count(); ++g) {
            const double area = dataset.annotations[prepared.ground_truths()[pair.truth_begin + g]].area;
            s.no_ignore[g] = (area < all.lower || area > all.upper) ? 1 : 0;
          }
          s.matched.resize(pair.detection_count());
          match_at_threshold(s.ious.data(), pair.detection_count(), pair.truth_count(), s.no_ignore.data(),
                             iou_threshold, s.matched.data(), s.order, s.taken);
          for (std::uint32_t d = 0; d < pair.detection_count(); ++d) {
            if (s.matched[d] < 0) continue;
            out.truth_of_detection[pair.detection_begin + d] = static_cast<std::int32_t>(pair.truth_begin) + s.matched[d];
            out.iou[pair.detection_begin + d] =
                static_cast<float>(s.ious[static_cast<std::size_t>(d) * pair.truth_count() + s.matched[d]]);
          }
        }
      },
      context, std::string("match ") + iou_type_name(iou_type));
  return out;
}

DetectionMatching match_detections(const PreparedEvaluation& prepared, const SameCategoryMatches& same,
                                   const DetectionMatchingOptions& options, const JobContext& context) {
  check_threshold(options.iou_threshold, "iou_threshold");
  if (!(options.min_score >= 0)) {
    throw InputError("detection matching", "min_score", std::to_string(options.min_score), "expected a score >= 0");
  }
  if (same.iou_threshold != options.iou_threshold) {
    throw InputError("detection matching", "iou_threshold", std::to_string(options.iou_threshold),
                     "differs from the same-category matches' threshold " + std::to_string(same.iou_threshold));
  }
  const auto& detections = prepared.detections();
  if (same.truth_of_detection.size() != detections.size() || same.iou.size() != detections.size()) {
    throw Error("detection matching: the same-category matches belong to another evaluation input");
  }
  DetectionMatching out;
  out.iou_type = same.iou_type;
  out.options = options;
  out.kind.assign(detections.size(), MatchKind::unmatched);
  out.truth_of_detection = same.truth_of_detection;
  out.iou.assign(detections.size(), 0.0f);
  out.detection_of_truth.assign(prepared.ground_truths().size(), -1);
  out.pair_of_detection.resize(detections.size());

  // Step 1's verdicts.
  const auto& pairs = prepared.pairs();
  for (std::uint32_t p = 0; p < pairs.size(); ++p) {
    const auto& pair = pairs[p];
    for (auto d = pair.detection_begin; d < pair.detection_end; ++d) {
      out.pair_of_detection[d] = p;
      const auto g = out.truth_of_detection[d];
      const bool scored = detections[d].score >= options.min_score;
      if (g >= 0) {
        out.kind[d] = MatchKind::same_category;
        out.iou[d] = same.iou[d];
        if (scored) out.detection_of_truth[static_cast<std::size_t>(g)] = static_cast<std::int32_t>(d);
      } else if (pair.not_exhaustive) {
        out.kind[d] = MatchKind::ignored;
      } else if (!scored) {
        out.kind[d] = MatchKind::below_score;
      }
    }
  }
  const auto& images = prepared.images();
  const int workers = worker_count(options.threads, images.size());
  std::vector<CrossCategoryMatcher> matchers(static_cast<std::size_t>(workers),
                                             CrossCategoryMatcher(prepared, same.iou_type, out.options, out));
  parallel_for(
      images.size(), options.threads,
      [&](std::size_t i, int worker) {
        matchers[static_cast<std::size_t>(worker)].match_image(images[i]);
      },
      context, std::string("match across categories ") + iou_type_name(same.iou_type));
  return out;
}

}  // namespace counterscope::evaluation
