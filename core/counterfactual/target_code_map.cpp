#include "core/counterfactual/target_code_map.h"

#include <string>

#include "core/util/error.h"

namespace counterscope::counterfactual {
namespace F = torch::nn::functional;

TargetCodeMapImpl::TargetCodeMapImpl(std::int64_t num_classes, std::int64_t code_dim, CodeRegion region,
                                     bool mark_changes)
    : m_num_classes(num_classes), m_code_dim(code_dim), m_region(region), m_mark_changes(mark_changes) {
  if (num_classes < 2) throw InputError("generator", "num_classes", std::to_string(num_classes), "needs at least one foreground class");
  m_embedding = register_module("embedding", torch::nn::Embedding(num_classes, code_dim));
}

torch::Tensor TargetCodeMapImpl::regions(const InstanceSet& instances, modeling::ImageSize original,
                                         modeling::ImageSize resized, modeling::ImageSize padded) const {
  const auto device = m_embedding->weight.device();
  const std::int64_t count = instances.boxes.size(0);
  const auto [padded_h, padded_w] = padded;
  if (count == 0) return torch::zeros({0, padded_h, padded_w}, torch::TensorOptions().device(device));
  const double scale_y = static_cast<double>(resized.first) / static_cast<double>(original.first);
  const double scale_x = static_cast<double>(resized.second) / static_cast<double>(original.second);
  const torch::Tensor boxes = instances.boxes.to(device, torch::kFloat).detach();
  const auto x1 = (boxes.select(1, 0) * scale_x).unsqueeze(1), y1 = (boxes.select(1, 1) * scale_y).unsqueeze(1);
  const auto x2 = (boxes.select(1, 2) * scale_x).unsqueeze(1), y2 = (boxes.select(1, 3) * scale_y).unsqueeze(1);
  // Pixel j covers [j, j + 1): it belongs to the box when that interval overlaps (x1, x2), so even a box
  // thinner than a pixel keeps one pixel of code.
  const auto xs = torch::arange(padded_w, torch::TensorOptions().device(device).dtype(torch::kFloat)).unsqueeze(0);
  const auto ys = torch::arange(padded_h, torch::TensorOptions().device(device).dtype(torch::kFloat)).unsqueeze(0);
  const auto in_x = (xs + 1 > x1).logical_and(xs < torch::max(x2, x1 + 1e-3));
  const auto in_y = (ys + 1 > y1).logical_and(ys < torch::max(y2, y1 + 1e-3));
  torch::Tensor box_regions = (in_y.unsqueeze(2).logical_and(in_x.unsqueeze(1))).to(torch::kFloat);
  if (m_region == CodeRegion::box || !instances.masks.defined() || instances.masks.numel() == 0) return box_regions;

  const auto masks = instances.masks.to(device, torch::kFloat).detach().unsqueeze(1);
  auto resized_masks = F::interpolate(masks, F::InterpolateFuncOptions()
                                                 .size(std::vector<std::int64_t>{resized.first, resized.second})
                                                 .mode(torch::kBilinear)
                                                 .align_corners(false))
                           .squeeze(1)
                           .ge(0.5)
                           .to(torch::kFloat);
  resized_masks = F::pad(resized_masks, F::PadFuncOptions({0, padded_w - resized.second, 0, padded_h - resized.first}));
  // A fully occluded (or tiny) instance has no mask pixels left at this size: paint its box instead.
  const auto empty = resized_masks.flatten(1).sum(1).eq(0).view({-1, 1, 1});
  return torch::where(empty, box_regions, resized_masks);
}

std::vector<torch::Tensor> TargetCodeMapImpl::forward(const std::vector<InstanceSet>& instances, const CodeFrame& frame,
                                                      const std::vector<modeling::ImageSize>& sizes) {
  TORCH_CHECK(instances.size() == frame.original_sizes.size() && instances.size() == frame.resized_sizes.size(),
              "target code map: ", instances.size(), " instance sets for ", frame.original_sizes.size(), " images");
  const auto device = m_embedding->weight.device();
  std::vector<std::vector<torch::Tensor>> per_size(sizes.size());
  for (std::size_t i = 0; i < instances.size(); ++i) {
    const InstanceSet& set = instances[i];
    const torch::Tensor labels = set.labels.to(device, torch::kLong);
    if (labels.numel() > 0 && (labels.min().item<std::int64_t>() < 0 || labels.max().item<std::int64_t>() >= m_num_classes))
      throw InputError("target code map", "labels", "", "a label is outside 0.." + std::to_string(m_num_classes - 1));
    const torch::Tensor region = regions(set, frame.original_sizes[i], frame.resized_sizes[i], frame.padded_size);
    const torch::Tensor codes = m_embedding->forward(labels);  // [G, D]
    torch::Tensor changed;  // [G] float, 1 = the target label differs from the current one
    if (m_mark_changes) {
      changed = torch::zeros({labels.size(0)}, codes.options());
      if (set.current_labels.defined()) {
        TORCH_CHECK(set.current_labels.numel() == labels.numel(), "target code map: ", set.current_labels.numel(),
                    " current labels for ", labels.numel(), " instances");
        changed = labels.ne(set.current_labels.to(device, torch::kLong)).to(codes.scalar_type());
      }
    }
    for (std::size_t s = 0; s < sizes.size(); ++s) {
      const auto [h, w] = sizes[s];
      if (labels.numel() == 0) {
        per_size[s].push_back(torch::zeros({channels(), h, w}, codes.options()));
        continue;
      }
      // Area pooling keeps a soft share of small instances at coarse levels instead of dropping them.
      const auto coverage = F::adaptive_avg_pool2d(region.unsqueeze(1), F::AdaptiveAvgPool2dFuncOptions({h, w})).squeeze(1);
      const auto weighted = torch::einsum("gd,ghw->dhw", {codes, coverage});
      const auto total = coverage.sum(0).clamp_min(1.0);
      torch::Tensor map = weighted / total;
      if (m_mark_changes)
        map = torch::cat({map, torch::einsum("g,ghw->hw", {changed, coverage}).clamp_max(1.0).unsqueeze(0)}, 0);
      per_size[s].push_back(map);
    }
  }
  std::vector<torch::Tensor> maps;
  for (auto& list : per_size) maps.push_back(torch::stack(list));
  return maps;
}

}  // namespace counterscope::counterfactual
