#include "core/modeling/ops/roi_align_kernel.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <ATen/Parallel.h>

namespace counterscope::modeling::ops_detail {

namespace {

/// Where one RoI sits on the feature map and how densely it is sampled.
template <typename T>
struct RoiGeometry {
  int64_t batch = 0;
  T start_w = 0, start_h = 0;
  T bin_w = 0, bin_h = 0;
  int grid_h = 0, grid_w = 0;
};

template <typename T>
RoiGeometry<T> roi_geometry(const T* roi, const RoiAlignParams& params) {
  // torchvision takes the scale as T and computes everything below in T.
  const T spatial_scale = static_cast<T>(params.spatial_scale);
  const T offset = params.aligned ? static_cast<T>(0.5) : static_cast<T>(0.0);
  RoiGeometry<T> g;
  g.batch = static_cast<int64_t>(roi[0]);
  g.start_w = roi[1] * spatial_scale - offset;
  g.start_h = roi[2] * spatial_scale - offset;
  const T end_w = roi[3] * spatial_scale - offset;
  const T end_h = roi[4] * spatial_scale - offset;
  T roi_width = end_w - g.start_w;
  T roi_height = end_h - g.start_h;
  if (!params.aligned) {
    // The legacy (non-aligned) op forces malformed RoIs to be at least 1x1.
    roi_width = std::max(roi_width, static_cast<T>(1.));
    roi_height = std::max(roi_height, static_cast<T>(1.));
  }
  const int pooled_height = static_cast<int>(params.pooled_height);
  const int pooled_width = static_cast<int>(params.pooled_width);
  g.bin_h = static_cast<T>(roi_height) / static_cast<T>(pooled_height);
  g.bin_w = static_cast<T>(roi_width) / static_cast<T>(pooled_width);
  g.grid_h = params.sampling_ratio > 0 ? static_cast<int>(params.sampling_ratio)
                                       : static_cast<int>(std::ceil(roi_height / pooled_height));
  g.grid_w = params.sampling_ratio > 0 ? static_cast<int>(params.sampling_ratio)
                                       : static_cast<int>(std::ceil(roi_width / pooled_width));
  return g;
}

/// One bilinear sample: four feature-map offsets and their weights; pos[0] < 0 marks a sample outside
/// the map, which contributes nothing (torchvision: zero weights in forward, skipped in backward).
template <typename T>
struct Sample {
  int64_t pos[4];
  T weight[4];
};

/// The samples of every bin of one RoI, in the order (ph, pw, iy, ix) that both kernels accumulate in.
template <typename T>
void compute_samples(const RoiGeometry<T>& g, int64_t height, int64_t width, const RoiAlignParams& params,
                     std::vector<Sample<T>>& samples) {
  samples.resize(static_cast<size_t>(params.pooled_height * params.pooled_width * g.grid_h * g.grid_w));
  size_t index = 0;
  for (int ph = 0; ph < params.pooled_height; ++ph) {
    for (int pw = 0; pw < params.pooled_width; ++pw) {
      for (int iy = 0; iy < g.grid_h; ++iy) {
        const T yy = g.start_h + ph * g.bin_h + static_cast<T>(iy + .5f) * g.bin_h / static_cast<T>(g.grid_h);
        for (int ix = 0; ix < g.grid_w; ++ix) {
          const T xx = g.start_w + pw * g.bin_w + static_cast<T>(ix + .5f) * g.bin_w / static_cast<T>(g.grid_w);
          Sample<T>& s = samples[index++];
          T y = yy;
          T x = xx;
          if (y < -1.0 || y > height || x < -1.0 || x > width) {
            s.pos[0] = s.pos[1] = s.pos[2] = s.pos[3] = -1;
            s.weight[0] = s.weight[1] = s.weight[2] = s.weight[3] = 0;
            continue;
          }
          if (y <= 0) y = 0;
          if (x <= 0) x = 0;
          int64_t y_low = static_cast<int64_t>(y);
          int64_t x_low = static_cast<int64_t>(x);
          int64_t y_high, x_high;
          if (y_low >= height - 1) {
            y_high = y_low = height - 1;
            y = static_cast<T>(y_low);
          } else {
            y_high = y_low + 1;
          }
          if (x_low >= width - 1) {
            x_high = x_low = width - 1;
            x = static_cast<T>(x_low);
          } else {
            x_high = x_low + 1;
          }
          const T ly = y - y_low;
          const T lx = x - x_low;
          const T hy = 1. - ly;
          const T hx = 1. - lx;
          s.weight[0] = hy * hx;
          s.weight[1] = hy * lx;
          s.weight[2] = ly * hx;
          s.weight[3] = ly * lx;
          s.pos[0] = y_low * width + x_low;
          s.pos[1] = y_low * width + x_high;
          s.pos[2] = y_high * width + x_low;
          s.pos[3] = y_high * width + x_high;
        }
      }
    }
  }
}

template <typename T>
void forward_kernel(const T* input, const T* rois, int64_t num_rois, int64_t channels, int64_t height,
                    int64_t width, const RoiAlignParams& params, T* output) {
  const int64_t bins = params.pooled_height * params.pooled_width;
  // RoIs write disjoint outputs, so they parallelise without synchronisation.
  at::parallel_for(0, num_rois, 1, [&](int64_t begin, int64_t end) {
    std::vector<Sample<T>> samples;
    for (int64_t n = begin; n < end; ++n) {
      const RoiGeometry<T> g = roi_geometry(rois + n * 5, params);
      compute_samples(g, height, width, params, samples);
      const int64_t per_bin = static_cast<int64_t>(g.grid_h) * g.grid_w;
      // An empty sampling grid (aligned RoI of size 0) outputs zeros.
      const T count = static_cast<T>(std::max<int64_t>(per_bin, 1));
      for (int64_t c = 0; c < channels; ++c) {
        const T* plane = input + (g.batch * channels + c) * height * width;
        T* out = output + (n * channels + c) * bins;
        const Sample<T>* s = samples.data();
        for (int64_t bin = 0; bin < bins; ++bin) {
          T value = 0.;
          for (int64_t k = 0; k < per_bin; ++k, ++s) {
            if (s->pos[0] < 0) continue;
            value += s->weight[0] * plane[s->pos[0]] + s->weight[1] * plane[s->pos[1]] +
                     s->weight[2] * plane[s->pos[2]] + s->weight[3] * plane[s->pos[3]];
          }
          value /= count;
          out[bin] = value;
        }
      }
    }
  });
}

template <typename T>
void backward_kernel(const T* grad_output, const T* rois, int64_t num_rois, int64_t channels, int64_t height,
                     int64_t width, const RoiAlignParams& params, T* grad_input) {
  const int64_t bins = params.pooled_height * params.pooled_width;
  // Different RoIs may touch the same input location, but channels never do: parallelise over channels
  // and visit RoIs in order, so each location receives its contributions in torchvision's order.
  at::parallel_for(0, channels, 1, [&](int64_t c_begin, int64_t c_end) {
    std::vector<Sample<T>> samples;
    for (int64_t n = 0; n < num_rois; ++n) {
      const RoiGeometry<T> g = roi_geometry(rois + n * 5, params);
      compute_samples(g, height, width, params, samples);
      const int64_t per_bin = static_cast<int64_t>(g.grid_h) * g.grid_w;
      const T count = static_cast<T>(per_bin);
      for (int64_t c = c_begin; c < c_end; ++c) {
        T* plane = grad_input + (g.batch * channels + c) * height * width;
        const T* grad = grad_output + (n * channels + c) * bins;
        const Sample<T>* s = samples.data();
        for (int64_t bin = 0; bin < bins; ++bin) {
          const T grad_bin = grad[bin];
          for (int64_t k = 0; k < per_bin; ++k, ++s) {
            if (s->pos[0] < 0) continue;
            plane[s->pos[0]] += grad_bin * s->weight[0] / count;
            plane[s->pos[1]] += grad_bin * s->weight[1] / count;
            plane[s->pos[2]] += grad_bin * s->weight[2] / count;
            plane[s->pos[3]] += grad_bin * s->weight[3] / count;
          }
        }
      }
    }
  });
}

}  // namespace

torch::Tensor roi_align_forward_cpu(const torch::Tensor& input, const torch::Tensor& rois,
                                    const RoiAlignParams& params) {
  const torch::Tensor features = input.contiguous();
  const torch::Tensor boxes = rois.contiguous();
  const int64_t num_rois = boxes.size(0);
  torch::Tensor output =
      torch::zeros({num_rois, features.size(1), params.pooled_height, params.pooled_width}, features.options());
  if (output.numel() == 0) return output;
  AT_DISPATCH_FLOATING_TYPES(features.scalar_type(), "counterscope_roi_align_forward", [&] {
    forward_kernel<scalar_t>(features.data_ptr<scalar_t>(), boxes.data_ptr<scalar_t>(), num_rois, features.size(1),
                             features.size(2), features.size(3), params, output.data_ptr<scalar_t>());
  });
  return output;
}

torch::Tensor roi_align_backward_cpu(const torch::Tensor& grad_output, const torch::Tensor& rois,
                                     torch::IntArrayRef input_sizes, const RoiAlignParams& params) {
  const torch::Tensor grad = grad_output.contiguous();
  const torch::Tensor boxes = rois.contiguous();
  torch::Tensor grad_input = torch::zeros(input_sizes, grad.options());
  if (grad.numel() == 0 || grad_input.numel() == 0) return grad_input;
  AT_DISPATCH_FLOATING_TYPES(grad.scalar_type(), "counterscope_roi_align_backward", [&] {
    backward_kernel<scalar_t>(grad.data_ptr<scalar_t>(), boxes.data_ptr<scalar_t>(), boxes.size(0), input_sizes[1],
                              input_sizes[2], input_sizes[3], params, grad_input.data_ptr<scalar_t>());
  });
  return grad_input;
}

}  // namespace counterscope::modeling::ops_detail
