#include "core/modeling/ops/roi_align.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <torch/autograd.h>

#include "core/modeling/ops/ops_checks.h"
#include "core/modeling/ops/roi_align_kernel.h"

namespace counterscope::modeling {

namespace {

using ops_detail::RoiAlignParams;

constexpr const char* k_op = "roi_align";

void check_roi_align_inputs(const torch::Tensor& input, const torch::Tensor& rois, const RoiAlignParams& params) {
  if (!input.defined() || input.dim() != 4 || !input.is_floating_point()) {
    throw ops_detail::shape_error(k_op, "input", input, "expected a floating feature map [N, C, H, W]");
  }
  if (!rois.defined() || rois.dim() != 2 || rois.size(1) != 5) {
    throw ops_detail::shape_error(k_op, "rois", rois, "expected [K, 5] rows (batch index, x1, y1, x2, y2)");
  }
  if (rois.scalar_type() != input.scalar_type() || rois.device() != input.device()) {
    throw ops_detail::shape_error(k_op, "rois", rois,
                                  "must have the dtype and device of input (" + ops_detail::describe(input) + ")");
  }
  ops_detail::check_positive(params.pooled_height, k_op, "pooled_height");
  ops_detail::check_positive(params.pooled_width, k_op, "pooled_width");
  if (!(params.spatial_scale > 0.0)) {
    throw InputError(k_op, "spatial_scale", std::to_string(params.spatial_scale), "must be > 0");
  }
  if (rois.size(0) == 0) return;
  // A batch index outside the batch would read outside the feature map.
  const torch::Tensor batch = rois.select(1, 0);
  const double lowest = batch.min().item<double>();
  const double highest = batch.max().item<double>();
  if (lowest < 0 || highest >= static_cast<double>(input.size(0))) {
    const double bad = lowest < 0 ? lowest : highest;
    throw InputError(k_op, "rois[:, 0]", std::to_string(bad),
                     "batch index outside [0, " + std::to_string(input.size(0)) + ")");
  }
}

/// The CPU op with its hand-written backward (the counterfactual generator backpropagates through it).
class RoIAlignFunction : public torch::autograd::Function<RoIAlignFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& input,
                               const torch::Tensor& rois, double spatial_scale, int64_t pooled_height,
                               int64_t pooled_width, int64_t sampling_ratio, bool aligned) {
    ctx->saved_data["spatial_scale"] = spatial_scale;
    ctx->saved_data["pooled_height"] = pooled_height;
    ctx->saved_data["pooled_width"] = pooled_width;
    ctx->saved_data["sampling_ratio"] = sampling_ratio;
    ctx->saved_data["aligned"] = aligned;
    ctx->saved_data["input_sizes"] = input.sizes().vec();
    ctx->save_for_backward({rois});
    const RoiAlignParams params{spatial_scale, pooled_height, pooled_width, sampling_ratio, aligned};
    return ops_detail::roi_align_forward_cpu(input, rois, params);
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grad_outputs) {
    const torch::Tensor rois = ctx->get_saved_variables()[0];
    const RoiAlignParams params{ctx->saved_data["spatial_scale"].toDouble(),
                                ctx->saved_data["pooled_height"].toInt(),
                                ctx->saved_data["pooled_width"].toInt(),
                                ctx->saved_data["sampling_ratio"].toInt(),
                                ctx->saved_data["aligned"].toBool()};
    const std::vector<int64_t> input_sizes = ctx->saved_data["input_sizes"].toIntVector();
    const torch::Tensor grad_input =
        ops_detail::roi_align_backward_cpu(grad_outputs[0], rois, input_sizes, params);
    return {grad_input,        torch::Tensor(), torch::Tensor(), torch::Tensor(),
            torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

/// Bilinear sampling positions along one axis, as torchvision's kernel computes them per sample.
struct AxisSamples {
  torch::Tensor low;     ///< int64 index of the lower neighbour
  torch::Tensor high;    ///< int64 index of the upper neighbour
  torch::Tensor w_low;   ///< weight of low (1 - fraction)
  torch::Tensor w_high;  ///< weight of high (fraction)
  torch::Tensor valid;   ///< bool: sample lies within [-1, size]
};

/// coords: sample coordinates in feature-map units; size: the axis length.
AxisSamples axis_samples(const torch::Tensor& coords, int64_t size) {
  AxisSamples axis;
  axis.valid = (coords >= -1.0).logical_and(coords <= static_cast<double>(size));
  const torch::Tensor clamped = coords.clamp_min(0);
  const torch::Tensor truncated = clamped.to(torch::kInt64);
  const torch::Tensor at_edge = truncated >= size - 1;
  const torch::Tensor last = torch::full({}, size - 1, truncated.options());
  axis.low = torch::where(at_edge, last, truncated);
  axis.high = torch::where(at_edge, last, truncated + 1);
  const torch::Tensor position = torch::where(at_edge, axis.low.to(coords.scalar_type()), clamped);
  axis.w_high = position - axis.low.to(coords.scalar_type());
  axis.w_low = 1.0 - axis.w_high;
  return axis;
}

/// RoIs that share one sampling grid (grid_h x grid_w samples per bin), pooled with tensor ops.
torch::Tensor pool_group(const torch::Tensor& features_by_location, const torch::Tensor& batch,
                         const torch::Tensor& start_h, const torch::Tensor& start_w, const torch::Tensor& bin_h,
                         const torch::Tensor& bin_w, int64_t grid_h, int64_t grid_w, int64_t height, int64_t width,
                         const RoiAlignParams& params) {
  const int64_t k = batch.size(0);
  const int64_t channels = features_by_location.size(1);
  const auto float_options = start_h.options();
  const auto index_options = float_options.dtype(torch::kInt64);
  if (grid_h == 0 || grid_w == 0) {
    return torch::zeros({k, channels, params.pooled_height, params.pooled_width}, float_options);
  }
  // Coordinates in torchvision's order: start + p * bin + ((i + 0.5) * bin) / grid.
  auto coordinates = [&](const torch::Tensor& start, const torch::Tensor& bin, int64_t pooled, int64_t grid) {
    const torch::Tensor p = torch::arange(pooled, index_options).to(float_options).view({1, pooled, 1});
    const torch::Tensor i = (torch::arange(grid, index_options).to(float_options) + 0.5).view({1, 1, grid});
    const torch::Tensor b = bin.view({k, 1, 1});
    return (start.view({k, 1, 1}) + p * b) + (i * b) / static_cast<double>(grid);
  };
  const AxisSamples ys = axis_samples(coordinates(start_h, bin_h, params.pooled_height, grid_h), height);
  const AxisSamples xs = axis_samples(coordinates(start_w, bin_w, params.pooled_width, grid_w), width);
  // Shapes: y terms [k, ph, gh, 1, 1], x terms [k, 1, 1, pw, gw]; samples [k, ph, gh, pw, gw].
  auto as_y = [&](const torch::Tensor& t) { return t.view({k, params.pooled_height, grid_h, 1, 1}); };
  auto as_x = [&](const torch::Tensor& t) { return t.view({k, 1, 1, params.pooled_width, grid_w}); };
  const torch::Tensor valid = as_y(ys.valid).logical_and(as_x(xs.valid)).to(float_options);
  const torch::Tensor base = (batch * (height * width)).view({k, 1, 1, 1, 1});
  torch::Tensor pooled;
  const std::pair<const torch::Tensor*, const torch::Tensor*> y_terms[2] = {{&ys.low, &ys.w_low},
                                                                            {&ys.high, &ys.w_high}};
  const std::pair<const torch::Tensor*, const torch::Tensor*> x_terms[2] = {{&xs.low, &xs.w_low},
                                                                            {&xs.high, &xs.w_high}};
  for (const auto& [y_index, y_weight] : y_terms) {
    for (const auto& [x_index, x_weight] : x_terms) {
      const torch::Tensor weight = as_y(*y_weight) * as_x(*x_weight) * valid;
      const torch::Tensor location = base + as_y(*y_index) * width + as_x(*x_index);
      const torch::Tensor values = features_by_location.index_select(0, location.reshape(-1))
                                       .view({k, params.pooled_height, grid_h, params.pooled_width, grid_w, channels});
      const torch::Tensor term = (values * weight.unsqueeze(-1)).sum({2, 4});
      pooled = pooled.defined() ? pooled + term : term;
    }
  }
  // [k, ph, pw, C] -> [k, C, ph, pw], averaged over the grid.
  return (pooled / static_cast<double>(grid_h * grid_w)).permute({0, 3, 1, 2});
}

}  // namespace

namespace detail {

torch::Tensor roi_align_tensor_ops(const torch::Tensor& input, const torch::Tensor& rois, double spatial_scale,
                                   int64_t pooled_height, int64_t pooled_width, int64_t sampling_ratio,
                                   bool aligned) {
  const RoiAlignParams params{spatial_scale, pooled_height, pooled_width, sampling_ratio, aligned};
  check_roi_align_inputs(input, rois, params);
  const int64_t num_rois = rois.size(0);
  const int64_t channels = input.size(1);
  const int64_t height = input.size(2);
  const int64_t width = input.size(3);
  if (num_rois == 0) return input.new_zeros({0, channels, pooled_height, pooled_width});

  // Per-RoI geometry, in the kernel's order of float operations.
  const double offset = aligned ? 0.5 : 0.0;
  const torch::Tensor batch = rois.select(1, 0).to(torch::kInt64);
  const torch::Tensor start_w = rois.select(1, 1) * spatial_scale - offset;
  const torch::Tensor start_h = rois.select(1, 2) * spatial_scale - offset;
  torch::Tensor roi_width = (rois.select(1, 3) * spatial_scale - offset) - start_w;
  torch::Tensor roi_height = (rois.select(1, 4) * spatial_scale - offset) - start_h;
  if (!aligned) {
    roi_width = roi_width.clamp_min(1.0);
    roi_height = roi_height.clamp_min(1.0);
  }
  const torch::Tensor bin_h = roi_height / static_cast<double>(pooled_height);
  const torch::Tensor bin_w = roi_width / static_cast<double>(pooled_width);

  // The sampling grid varies per RoI when adaptive: pool RoIs grouped by grid, in bounded chunks.
  std::vector<int64_t> grid_h(num_rois, sampling_ratio), grid_w(num_rois, sampling_ratio);
  if (sampling_ratio <= 0) {
    const torch::Tensor gh = torch::ceil(roi_height / static_cast<double>(pooled_height)).to(torch::kCPU, torch::kInt64);
    const torch::Tensor gw = torch::ceil(roi_width / static_cast<double>(pooled_width)).to(torch::kCPU, torch::kInt64);
    std::copy(gh.data_ptr<int64_t>(), gh.data_ptr<int64_t>() + num_rois, grid_h.begin());
    std::copy(gw.data_ptr<int64_t>(), gw.data_ptr<int64_t>() + num_rois, grid_w.begin());
  }
  std::map<std::pair<int64_t, int64_t>, std::vector<int64_t>> groups;
  for (int64_t n = 0; n < num_rois; ++n) groups[{std::max<int64_t>(grid_h[n], 0), std::max<int64_t>(grid_w[n], 0)}].push_back(n);

  const torch::Tensor features_by_location = input.permute({0, 2, 3, 1}).reshape({-1, channels});
  torch::Tensor output = input.new_zeros({num_rois, channels, pooled_height, pooled_width});
  constexpr int64_t max_elements_per_chunk = int64_t{1} << 24;
  for (const auto& [grid, members] : groups) {
    const int64_t per_roi = std::max<int64_t>(1, pooled_height * pooled_width * grid.first * grid.second * channels);
    const int64_t chunk = std::max<int64_t>(1, max_elements_per_chunk / per_roi);
    for (size_t begin = 0; begin < members.size(); begin += chunk) {
      const size_t end = std::min(members.size(), begin + static_cast<size_t>(chunk));
      const std::vector<int64_t> part(members.begin() + begin, members.begin() + end);
      const torch::Tensor index = torch::tensor(part, torch::kInt64).to(input.device());
      const torch::Tensor pooled =
          pool_group(features_by_location, batch.index_select(0, index), start_h.index_select(0, index),
                     start_w.index_select(0, index), bin_h.index_select(0, index), bin_w.index_select(0, index),
                     grid.first, grid.second, height, width, params);
      output = output.index_copy(0, index, pooled);
    }
  }
  return output;
}

}  // namespace detail

torch::Tensor roi_align(const torch::Tensor& input, const torch::Tensor& rois, double spatial_scale,
                        int64_t pooled_height, int64_t pooled_width, int64_t sampling_ratio, bool aligned) {
  if (!input.defined() || !input.device().is_cpu()) {
    return detail::roi_align_tensor_ops(input, rois, spatial_scale, pooled_height, pooled_width, sampling_ratio,
                                        aligned);
  }
  check_roi_align_inputs(input, rois, RoiAlignParams{spatial_scale, pooled_height, pooled_width, sampling_ratio, aligned});
  return RoIAlignFunction::apply(input, rois, spatial_scale, pooled_height, pooled_width, sampling_ratio, aligned);
}

}  // namespace counterscope::modeling
