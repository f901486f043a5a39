#include "core/modeling/ops/nms.h"

#include <algorithm>
#include <string>
#include <vector>

#include "core/modeling/ops/ops_checks.h"

namespace counterscope::modeling {

namespace {

constexpr const char* k_op = "nms";

void check_nms_inputs(const torch::Tensor& boxes, const torch::Tensor& scores, const char* op) {
  ops_detail::check_boxes(boxes, op, "boxes");
  if (!scores.defined() || scores.dim() != 1 || scores.size(0) != boxes.size(0)) {
    throw ops_detail::shape_error(op, "scores", scores,
                                  "expected [N] with N = " + std::to_string(boxes.size(0)) + " (boxes)");
  }
  if (!boxes.is_floating_point() || scores.scalar_type() != boxes.scalar_type()) {
    throw ops_detail::shape_error(op, "scores", scores,
                                  "boxes (" + ops_detail::describe(boxes) +
                                      ") and scores must share one floating dtype");
  }
  if (scores.device() != boxes.device()) {
    throw ops_detail::shape_error(op, "scores", scores, "must be on the device of boxes");
  }
}

/// Order of visit: decreasing score, equal scores in input order (a stable sort, as torchvision).
torch::Tensor visit_order(const torch::Tensor& scores) {
  return std::get<1>(scores.sort(/*stable=*/true, /*dim=*/0, /*descending=*/true));
}

/// Greedy sweep over the boxes listed in `order` (already by decreasing score). The IoU is computed in
/// scalar_t exactly like torchvision's kernel: w, h clamped at 0, inter / (area_i + area_j - inter).
template <typename scalar_t>
void sweep(const scalar_t* box, const scalar_t* areas, const int64_t* order, int64_t count, double iou_threshold,
           std::vector<unsigned char>& suppressed, std::vector<int64_t>& keep) {
  for (int64_t rank_i = 0; rank_i < count; ++rank_i) {
    const int64_t i = order[rank_i];
    if (suppressed[i]) continue;
    keep.push_back(i);
    const scalar_t ix1 = box[4 * i], iy1 = box[4 * i + 1], ix2 = box[4 * i + 2], iy2 = box[4 * i + 3];
    const scalar_t iarea = areas[i];
    for (int64_t rank_j = rank_i + 1; rank_j < count; ++rank_j) {
      const int64_t j = order[rank_j];
      if (suppressed[j]) continue;
      const scalar_t xx1 = std::max(ix1, box[4 * j]);
      const scalar_t yy1 = std::max(iy1, box[4 * j + 1]);
      const scalar_t xx2 = std::min(ix2, box[4 * j + 2]);
      const scalar_t yy2 = std::min(iy2, box[4 * j + 3]);
      const scalar_t w = std::max(static_cast<scalar_t>(0), xx2 - xx1);
      const scalar_t h = std::max(static_cast<scalar_t>(0), yy2 - yy1);
      const scalar_t inter = w * h;
      const scalar_t overlap = inter / (iarea + areas[j] - inter);
      if (overlap > iou_threshold) suppressed[j] = 1;
    }
  }
}

/// NMS of CPU boxes. With `groups`, boxes only suppress boxes of their own group: the visit order is
/// split per group, keeping the global (stable) score order inside each group, which is exactly the
/// order a separate NMS per group would use. Returns the kept indices in visit order.
template <typename scalar_t>
torch::Tensor nms_cpu_kernel(const torch::Tensor& boxes, const torch::Tensor& scores, double iou_threshold,
                             const int64_t* groups) {
  const int64_t count = boxes.size(0);
  if (count == 0) return torch::empty({0}, torch::kInt64);
  const torch::Tensor coords = boxes.contiguous();
  const scalar_t* box = coords.data_ptr<scalar_t>();
  std::vector<scalar_t> areas(count);
  for (int64_t i = 0; i < count; ++i) {
    areas[i] = (box[4 * i + 2] - box[4 * i + 0]) * (box[4 * i + 3] - box[4 * i + 1]);
  }
  const torch::Tensor order_tensor = visit_order(scores).contiguous();
  std::vector<int64_t> order(order_tensor.data_ptr<int64_t>(), order_tensor.data_ptr<int64_t>() + count);
  std::vector<unsigned char> suppressed(count, 0);
  std::vector<int64_t> keep;
  if (groups == nullptr) {
    sweep(box, areas.data(), order.data(), count, iou_threshold, suppressed, keep);
  } else {
    std::stable_sort(order.begin(), order.end(), [groups](int64_t a, int64_t b) { return groups[a] < groups[b]; });
    for (int64_t begin = 0; begin < count;) {
      int64_t end = begin + 1;
      while (end < count && groups[order[end]] == groups[order[begin]]) ++end;
      sweep(box, areas.data(), order.data() + begin, end - begin, iou_threshold, suppressed, keep);
      begin = end;
    }
  }
  return torch::tensor(keep, torch::kInt64);
}

torch::Tensor nms_on_cpu(const torch::Tensor& boxes, const torch::Tensor& scores, double iou_threshold,
                         const int64_t* groups) {
  torch::Tensor keep;
  AT_DISPATCH_FLOATING_TYPES(boxes.scalar_type(), "counterscope_nms", [&] {
    keep = nms_cpu_kernel<scalar_t>(boxes, scores, iou_threshold, groups);
  });
  return keep;
}

/// Off the CPU: the "IoU > threshold" matrix is computed on the device in blocks of rows (bounded
/// memory), each block is copied to the host and swept greedily there, as torchvision's CUDA op does.
torch::Tensor nms_with_tensor_ops(const torch::Tensor& boxes, const torch::Tensor& scores, double iou_threshold) {
  const int64_t count = boxes.size(0);
  if (count == 0) return torch::empty({0}, boxes.options().dtype(torch::kInt64));
  const torch::Tensor order = visit_order(scores);
  const torch::Tensor sorted = boxes.index_select(0, order);
  const torch::Tensor x1 = sorted.select(1, 0), y1 = sorted.select(1, 1);
  const torch::Tensor x2 = sorted.select(1, 2), y2 = sorted.select(1, 3);
  const torch::Tensor areas = (x2 - x1) * (y2 - y1);
  const int64_t rows_per_block = std::max<int64_t>(1, (int64_t{1} << 26) / count);
  std::vector<unsigned char> suppressed(count, 0);
  std::vector<int64_t> keep_ranks;
  for (int64_t begin = 0; begin < count; begin += rows_per_block) {
    const int64_t rows = std::min(rows_per_block, count - begin);
    auto rows_of = [&](const torch::Tensor& column) { return column.narrow(0, begin, rows).unsqueeze(1); };
    const torch::Tensor w = (torch::min(rows_of(x2), x2) - torch::max(rows_of(x1), x1)).clamp_min(0);
    const torch::Tensor h = (torch::min(rows_of(y2), y2) - torch::max(rows_of(y1), y1)).clamp_min(0);
    const torch::Tensor inter = w * h;
    const torch::Tensor overlaps = inter / (rows_of(areas) + areas - inter) > iou_threshold;
    const torch::Tensor host = overlaps.to(torch::kCPU, torch::kUInt8).contiguous();
    const unsigned char* block = host.data_ptr<unsigned char>();
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t rank_i = begin + r;
      if (suppressed[rank_i]) continue;
      keep_ranks.push_back(rank_i);
      const unsigned char* row = block + r * count;
      for (int64_t rank_j = rank_i + 1; rank_j < count; ++rank_j) suppressed[rank_j] |= row[rank_j];
    }
  }
  const torch::Tensor ranks =
      torch::tensor(keep_ranks, torch::kInt64).to(boxes.device());
  return order.index_select(0, ranks);
}

}  // namespace

namespace detail {
torch::Tensor nms_tensor_ops(const torch::Tensor& boxes, const torch::Tensor& scores, double iou_threshold) {
  check_nms_inputs(boxes, scores, k_op);
  return nms_with_tensor_ops(boxes, scores, iou_threshold);
}
}  // namespace detail

torch::Tensor nms(const torch::Tensor& boxes, const torch::Tensor& scores, double iou_threshold) {
  check_nms_inputs(boxes, scores, k_op);
  if (boxes.device().is_cpu()) return nms_on_cpu(boxes, scores, iou_threshold, nullptr);
  return nms_with_tensor_ops(boxes, scores, iou_threshold);
}

torch::Tensor batched_nms(const torch::Tensor& boxes, const torch::Tensor& scores, const torch::Tensor& idxs,
                          double iou_threshold) {
  constexpr const char* op = "batched_nms";
  check_nms_inputs(boxes, scores, op);
  if (!idxs.defined() || idxs.dim() != 1 || idxs.size(0) != boxes.size(0) || idxs.is_floating_point() ||
      idxs.device() != boxes.device()) {
    throw ops_detail::shape_error(op, "idxs", idxs,
                                  "expected integer categories [N] with N = " + std::to_string(boxes.size(0)) +
                                      " on the device of boxes");
  }
  if (boxes.numel() == 0) return torch::empty({0}, boxes.options().dtype(torch::kInt64));
  // torchvision switches strategy on the same sizes; both give the same kept set up to rounding of the
  // shifted coordinates, and matching its choice keeps results bit-identical.
  const int64_t per_category_above = boxes.device().is_cpu() ? 4000 : 20000;
  if (boxes.numel() <= per_category_above) {
    // Coordinate-offset trick: shifting each category by (max coordinate + 1) * category makes boxes
    // of different categories disjoint, so one NMS pass handles them all.
    const torch::Tensor max_coordinate = boxes.max();
    const torch::Tensor offsets = idxs.to(boxes.options()) * (max_coordinate + torch::ones({}, boxes.options()));
    return nms(boxes + offsets.unsqueeze(1), scores, iou_threshold);
  }
  torch::Tensor keep_mask = torch::zeros_like(scores, scores.options().dtype(torch::kBool));
  if (boxes.device().is_cpu()) {
    const torch::Tensor groups = idxs.to(torch::kInt64).contiguous();
    const torch::Tensor kept = nms_on_cpu(boxes, scores, iou_threshold, groups.data_ptr<int64_t>());
    keep_mask.index_fill_(0, kept, true);
  } else {
    const torch::Tensor categories = std::get<0>(torch::_unique(idxs));
    const torch::Tensor host_categories = categories.to(torch::kCPU, torch::kInt64).contiguous();
    for (int64_t c = 0; c < host_categories.numel(); ++c) {
      const torch::Tensor members = torch::where(idxs == host_categories.data_ptr<int64_t>()[c])[0];
      const torch::Tensor kept =
          nms_with_tensor_ops(boxes.index_select(0, members), scores.index_select(0, members), iou_threshold);
      keep_mask.index_fill_(0, members.index_select(0, kept), true);
    }
  }
  const torch::Tensor keep_indices = torch::where(keep_mask)[0];
  // Same (non-stable) sort call as torchvision, so equal scores come out in the same order.
  return keep_indices.index_select(0, std::get<1>(scores.index_select(0, keep_indices).sort(0, true)));
}

}  // namespace counterscope::modeling
