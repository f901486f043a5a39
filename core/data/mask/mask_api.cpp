// Operations on RLEs: merge, area, bounding box and IoU (maskApi.c's rleMerge, rleArea, rleToBbox, rleIou,
// bbIou). All of them walk the runs and never touch pixels, so they cost O(number of runs).

#include "core/data/mask/mask_api.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/data/mask/rle_checks.h"
#include "core/util/error.h"

namespace counterscope::data {
namespace {

/// `field` names `other`; `reference_name` names the mask whose size it must have.
void check_same_size(const Rle& reference, const Rle& other, const std::string& operation,
                     const std::string& field, const std::string& reference_name) {
  if (reference.height != other.height || reference.width != other.width) {
    throw InputError(operation, field + ".size", detail::size_text(other.height, other.width),
                     "differs from the size of " + reference_name + ", " +
                         detail::size_text(reference.height, reference.width));
  }
}

/// Checks that the runs cover the image exactly. An RLE without runs only describes an image of no pixels;
/// the run walkers below read counts[0] whenever the mask is not known to be empty.
void check_valid(const Rle& rle, const std::string& operation, const std::string& field) {
  detail::check_pixel_count(rle.height, rle.width, operation);
  detail::check_counts_cover_image(rle, operation, field);
}

/// One step of rleMerge: combines `a` with `b` into `out` (cleared first). Keeps maskApi.c's exact walk,
/// including how it treats zero-length runs, so that merged strings are identical.
void merge_pair(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b, bool intersect,
                std::vector<std::uint32_t>& out) {
  out.clear();
  std::uint32_t ca = a[0], cb = b[0];
  std::size_t ia = 1, ib = 1;
  bool va = false, vb = false, v = false;
  std::uint32_t pending = 0;  // length of the output run being built
  bool more = true;
  while (more) {
    const std::uint32_t c = std::min(ca, cb);
    pending += c;
    ca -= c;
    if (ca == 0 && ia < a.size()) {
      ca = a[ia++];
      va = !va;
    }
    cb -= c;
    if (cb == 0 && ib < b.size()) {
      cb = b[ib++];
      vb = !vb;
    }
    // 64 bits: the C code's 32-bit sum could wrap to 0 on images of over 2^31 pixels.
    more = static_cast<std::uint64_t>(ca) + cb > 0;
    const bool previous = v;
    v = intersect ? (va && vb) : (va || vb);
    if (v != previous || !more) {
      out.push_back(pending);
      pending = 0;
    }
  }
}

/// rleToBbox of one RLE (uint32 arithmetic as in maskApi.c). A trailing run of 0s is ignored; a column
/// where a run of 1s wraps into the next column makes the box span the whole height.
BoxXywh box_of(const Rle& rle) {
  const std::uint32_t h = rle.height, w = rle.width;
  const std::size_t m = rle.counts.size() / 2 * 2;
  if (m == 0 || h == 0) return BoxXywh{};
  std::uint32_t xs = w, ys = h, xe = 0, ye = 0, cc = 0, x_start = 0;
  for (std::size_t j = 0; j < m; ++j) {
    cc += rle.counts[j];
    // Start of a 1-run (j even: first pixel after the 0s) or its last pixel (j odd).
    const std::uint32_t t = cc - static_cast<std::uint32_t>(j % 2);
    const std::uint32_t y = t % h;
    const std::uint32_t x = (t - y) / h;
    if (j % 2 == 0) {
      x_start = x;
    } else if (x_start < x) {
      ys = 0;
      ye = h - 1;
    }
    xs = std::min(xs, x);
    xe = std::max(xe, x);
    ys = std::min(ys, y);
    ye = std::max(ye, y);
  }
  return BoxXywh{static_cast<double>(xs), static_cast<double>(ys), static_cast<double>(xe - xs + 1),
                 static_cast<double>(ye - ys + 1)};
}

/// bbIou of one pair; std::fmin/fmax and the operation order of maskApi.c keep results bit-identical.
inline double box_iou_unchecked(const BoxXywh& d, const BoxXywh& g, bool crowd) {
  const double w = std::fmin(d.w + d.x, g.w + g.x) - std::fmax(d.x, g.x);
  if (w <= 0) return 0;
  const double h = std::fmin(d.h + d.y, g.h + g.y) - std::fmax(d.y, g.y);
  if (h <= 0) return 0;
  const double intersection = w * h;
  const double detection_area = d.w * d.h;
  const double union_area = crowd ? detection_area : detection_area + g.w * g.h - intersection;
  return intersection / union_area;
}

/// The run walk of rleIou for two RLEs of equal size that both have runs. Returns the IoU; with `crowd`,
/// the union is the detection's area. Allocates nothing.
inline double mask_iou_unchecked(const Rle& dt, const Rle& gt, bool crowd) {
  const std::vector<std::uint32_t>& a = dt.counts;
  const std::vector<std::uint32_t>& b = gt.counts;
  const std::size_t ka = a.size(), kb = b.size();
  std::uint32_t ca = a[0], cb = b[0];
  std::size_t ia = 1, ib = 1;
  bool va = false, vb = false;
  std::uint32_t intersection = 0, union_area = 0;
  bool more = true;
  while (more) {
    const std::uint32_t c = std::min(ca, cb);
    if (va || vb) {
      union_area += c;
      if (va && vb) intersection += c;
    }
    ca -= c;
    if (ca == 0 && ia < ka) {
      ca = a[ia++];
      va = !va;
    }
    cb -= c;
    if (cb == 0 && ib < kb) {
      cb = b[ib++];
      vb = !vb;
    }
    more = static_cast<std::uint64_t>(ca) + cb > 0;  // 64 bits: see merge_pair
  }
  if (intersection == 0) return 0.0;
  const double denominator = crowd ? static_cast<double>(rle_area(dt)) : static_cast<double>(union_area);
  return static_cast<double>(intersection) / denominator;
}

/// For the O(1) checks of rle_iou: builds the message (and its strings) only when it throws.
[[noreturn]] void throw_no_runs(const Rle& rle, const char* field) {
  throw InputError("mask IoU", field, "[]",
                   "a " + detail::size_text(rle.height, rle.width) +
                       " mask needs run lengths summing to height*width");
}

/// The O(1) checks before a run walk (which reads counts[0]) in rle_iou; full validation (the sum) would
/// cost as much as the walk. Returns false when the masks have no pixels (IoU 0).
inline bool check_iou_pair(const Rle& detection, const Rle& ground_truth) {
  if (detection.height != ground_truth.height || detection.width != ground_truth.width) {
    check_same_size(detection, ground_truth, "mask IoU", "ground_truth", "the detection");
  }
  if (detection.height == 0 || detection.width == 0) return false;
  if (detection.counts.empty()) throw_no_runs(detection, "detection.counts");
  if (ground_truth.counts.empty()) throw_no_runs(ground_truth, "ground_truth.counts");
  return true;
}

void check_crowd_flags(std::size_t ground_truths, std::size_t flags, const std::string& operation) {
  if (ground_truths != flags) {
    throw InputError(operation, "crowd", std::to_string(flags) + " flags",
                     "needs one iscrowd flag per ground truth (" + std::to_string(ground_truths) + ")");
  }
}

}  // namespace

Rle rle_merge(const std::vector<Rle>& rles, bool intersect) {
  const std::string operation = intersect ? "mask intersection" : "mask union";
  if (rles.empty()) return Rle{};
  for (std::size_t i = 0; i < rles.size(); ++i) {
    check_same_size(rles[0], rles[i], operation, "masks[" + std::to_string(i) + "]", "masks[0]");
    check_valid(rles[i], operation, "masks[" + std::to_string(i) + "].counts");
  }
  if (rles.size() == 1) return rles[0];
  Rle result;
  result.height = rles[0].height;
  result.width = rles[0].width;
  if (detail::pixel_count(result.height, result.width) == 0) {
    result.counts = {0};  // what the run walk gives for images without pixels, without reading counts[0]
    return result;
  }
  std::vector<std::uint32_t> accumulated = rles[0].counts;
  for (std::size_t i = 1; i < rles.size(); ++i) {
    merge_pair(accumulated, rles[i].counts, intersect, result.counts);
    std::swap(accumulated, result.counts);
  }
  result.counts = std::move(accumulated);
  return result;
}

std::uint64_t rle_area(const Rle& rle) {
  std::uint64_t area = 0;
  for (std::size_t j = 1; j < rle.counts.size(); j += 2) area += rle.counts[j];
  return area;
}

BoxXywh rle_to_box(const Rle& rle) { return box_of(rle); }

double rle_iou(const Rle& detection, const Rle& ground_truth, bool crowd_gt) {
  if (!check_iou_pair(detection, ground_truth)) return 0.0;
  // No box pre-check here: computing the two boxes costs as much as the run walk itself, and the walk gives
  // the same 0 for disjoint boxes (their intersection is empty). Callers with boxes at hand use the
  // overload below; rle_iou_matrix computes every box once.
  return mask_iou_unchecked(detection, ground_truth, crowd_gt);
}

double rle_iou(const Rle& detection, const BoxXywh& detection_box, const Rle& ground_truth,
               const BoxXywh& ground_truth_box, bool crowd_gt) {
  if (!check_iou_pair(detection, ground_truth)) return 0.0;
  if (box_iou_unchecked(detection_box, ground_truth_box, crowd_gt) <= 0) return 0.0;
  return mask_iou_unchecked(detection, ground_truth, crowd_gt);
}

std::vector<double> rle_iou_matrix(const std::vector<Rle>& detections, const std::vector<Rle>& ground_truths,
                                   const std::vector<bool>& crowd) {
  const std::string operation = "mask IoU matrix";
  check_crowd_flags(ground_truths.size(), crowd.size(), operation);
  const std::size_t m = detections.size(), n = ground_truths.size();
  std::vector<double> ious(m * n, 0.0);
  if (m == 0 || n == 0) return ious;
  // Boxes once per mask, not once per pair (the box test is what makes most pairs free).
  std::vector<BoxXywh> dt_boxes(m), gt_boxes(n);
  for (std::size_t d = 0; d < m; ++d) {
    check_same_size(detections[0], detections[d], operation, "detections[" + std::to_string(d) + "]",
                    "detections[0]");
    check_valid(detections[d], operation, "detections[" + std::to_string(d) + "].counts");
    dt_boxes[d] = box_of(detections[d]);
  }
  for (std::size_t g = 0; g < n; ++g) {
    check_same_size(detections[0], ground_truths[g], operation, "ground_truths[" + std::to_string(g) + "]",
                    "detections[0]");
    check_valid(ground_truths[g], operation, "ground_truths[" + std::to_string(g) + "].counts");
    gt_boxes[g] = box_of(ground_truths[g]);
  }
  for (std::size_t g = 0; g < n; ++g) {
    const bool is_crowd = crowd[g];
    for (std::size_t d = 0; d < m; ++d) {
      if (box_iou_unchecked(dt_boxes[d], gt_boxes[g], is_crowd) <= 0) continue;
      ious[d * n + g] = mask_iou_unchecked(detections[d], ground_truths[g], is_crowd);
    }
  }
  return ious;
}

double box_iou(const BoxXywh& detection, const BoxXywh& ground_truth, bool crowd_gt) {
  return box_iou_unchecked(detection, ground_truth, crowd_gt);
}

std::vector<double> box_iou_matrix(const std::vector<BoxXywh>& detections,
                                   const std::vector<BoxXywh>& ground_truths, const std::vector<bool>& crowd) {
  check_crowd_flags(ground_truths.size(), crowd.size(), "box IoU matrix");
  const std::size_t m = detections.size(), n = ground_truths.size();
  std::vector<double> ious(m * n);
  for (std::size_t d = 0; d < m; ++d) {
    for (std::size_t g = 0; g < n; ++g) {
      ious[d * n + g] = box_iou_unchecked(detections[d], ground_truths[g], crowd[g]);
    }
  }
  return ious;
}

}  // namespace counterscope::data
