#include "core/modeling/ops/paste_masks.h"

#include <algorithm>
#include <string>
#include <vector>

#include <ATen/Parallel.h>
#include <torch/nn/functional/upsampling.h>

#include "core/modeling/ops/ops_checks.h"

namespace counterscope::modeling {

namespace {

constexpr const char* k_op = "paste_masks_in_image";

/// Box scaled about its centre by `scale` (torchvision's expand_boxes), rounded toward zero to int64.
torch::Tensor expand_boxes_to_pixels(const torch::Tensor& boxes, double scale) {
  torch::Tensor w_half = (boxes.select(1, 2) - boxes.select(1, 0)) * 0.5;
  torch::Tensor h_half = (boxes.select(1, 3) - boxes.select(1, 1)) * 0.5;
  const torch::Tensor x_c = (boxes.select(1, 2) + boxes.select(1, 0)) * 0.5;
  const torch::Tensor y_c = (boxes.select(1, 3) + boxes.select(1, 1)) * 0.5;
  w_half = w_half * scale;
  h_half = h_half * scale;
  return torch::stack({x_c - w_half, y_c - h_half, x_c + w_half, y_c + h_half}, 1).to(torch::kInt64);
}

/// Where one pasted mask lands: its resized size and the visible window in the image.
struct PasteWindow {
  int64_t box_x = 0, box_y = 0;   ///< top-left of the resized mask in the image (may be negative)
  int64_t resized_w = 1, resized_h = 1;
  int64_t x_begin = 0, x_end = 0, y_begin = 0, y_end = 0;  ///< visible part, image coordinates
};

PasteWindow paste_window(const int64_t* box, int64_t height, int64_t width) {
  PasteWindow window;
  window.box_x = box[0];
  window.box_y = box[1];
  // Inclusive integer boxes: x2 - x1 + 1 pixels wide (torchvision's TO_REMOVE = 1).
  window.resized_w = std::max<int64_t>(box[2] - box[0] + 1, 1);
  window.resized_h = std::max<int64_t>(box[3] - box[1] + 1, 1);
  window.x_begin = std::max<int64_t>(box[0], 0);
  window.x_end = std::min<int64_t>(box[2] + 1, width);
  window.y_begin = std::max<int64_t>(box[1], 0);
  window.y_end = std::min<int64_t>(box[3] + 1, height);
  return window;
}

/// Source taps of one output coordinate of a bilinear resize with align_corners = false, computed
/// like ATen's CPU upsample kernel (float scale input/output, source index clamped at 0).
struct Tap {
  int64_t index0 = 0, index1 = 0;
  float lambda0 = 1.f, lambda1 = 0.f;
};

Tap bilinear_tap(int64_t output_index, int64_t input_size, int64_t output_size) {
  Tap tap;
  if (output_size == input_size) {
    tap.index0 = tap.index1 = output_index;
    return tap;
  }
  const float scale = static_cast<float>(input_size) / output_size;
  float source = scale * (output_index + 0.5) - 0.5;
  if (source < 0) source = 0;
  tap.index0 = std::min(static_cast<int64_t>(source), input_size - 1);
  tap.index1 = tap.index0 + (tap.index0 < input_size - 1 ? 1 : 0);
  tap.lambda1 = std::min(std::max(source - tap.index0, 0.f), 1.f);
  tap.lambda0 = 1.f - tap.lambda1;
  return tap;
}

/// CPU: only the visible window of each resized mask is interpolated, masks in parallel.
void paste_on_cpu(const torch::Tensor& masks, const torch::Tensor& pixel_boxes, int64_t padding,
                  torch::Tensor& images) {
  const int64_t count = masks.size(0);
  const int64_t mask_size = masks.size(-1);
  const int64_t padded = mask_size + 2 * padding;
  const int64_t height = images.size(2);
  const int64_t width = images.size(3);
  const float* mask_data = masks.data_ptr<float>();
  const int64_t* box_data = pixel_boxes.data_ptr<int64_t>();
  float* image_data = images.data_ptr<float>();
  at::parallel_for(0, count, 1, [&](int64_t begin, int64_t end) {
    std::vector<Tap> column_taps;
    for (int64_t n = begin; n < end; ++n) {
      const PasteWindow window = paste_window(box_data + 4 * n, height, width);
      if (window.x_begin >= window.x_end || window.y_begin >= window.y_end) continue;
      const float* mask = mask_data + n * mask_size * mask_size;
      // Value of the zero-padded mask.
      auto padded_at = [&](int64_t row, int64_t col) -> float {
        row -= padding;
        col -= padding;
        if (row < 0 || col < 0 || row >= mask_size || col >= mask_size) return 0.f;
        return mask[row * mask_size + col];
      };
      column_taps.resize(static_cast<size_t>(window.x_end - window.x_begin));
      for (int64_t x = window.x_begin; x < window.x_end; ++x) {
        column_taps[x - window.x_begin] = bilinear_tap(x - window.box_x, padded, window.resized_w);
      }
      float* image = image_data + n * height * width;
      for (int64_t y = window.y_begin; y < window.y_end; ++y) {
        const Tap row = bilinear_tap(y - window.box_y, padded, window.resized_h);
        float* out = image + y * width;
        for (int64_t x = window.x_begin; x < window.x_end; ++x) {
          const Tap& col = column_taps[x - window.x_begin];
          const float top = padded_at(row.index0, col.index0) * col.lambda0 + padded_at(row.index0, col.index1) * col.lambda1;
          const float bottom =
              padded_at(row.index1, col.index0) * col.lambda0 + padded_at(row.index1, col.index1) * col.lambda1;
          out[x] = top * row.lambda0 + bottom * row.lambda1;
        }
      }
    }
  });
}

/// Other devices: torchvision's per-mask interpolate + copy, in tensor ops.
void paste_with_tensor_ops(const torch::Tensor& masks, const torch::Tensor& pixel_boxes, int64_t padding,
                           torch::Tensor& images) {
  namespace F = torch::nn::functional;
  const torch::Tensor padded = F::pad(masks, F::PadFuncOptions({padding, padding, padding, padding}));
  const torch::Tensor host_boxes = pixel_boxes.to(torch::kCPU).contiguous();
  using torch::indexing::Slice;
  for (int64_t n = 0; n < masks.size(0); ++n) {
    const PasteWindow window = paste_window(host_boxes.data_ptr<int64_t>() + 4 * n, images.size(2), images.size(3));
    if (window.x_begin >= window.x_end || window.y_begin >= window.y_end) continue;
    const torch::Tensor resized =
        F::interpolate(padded.narrow(0, n, 1), F::InterpolateFuncOptions()
                                                   .size(std::vector<int64_t>{window.resized_h, window.resized_w})
                                                   .mode(torch::kBilinear)
                                                   .align_corners(false));
    images.index_put_({n, 0, Slice(window.y_begin, window.y_end), Slice(window.x_begin, window.x_end)},
                      resized.index({0, 0, Slice(window.y_begin - window.box_y, window.y_end - window.box_y),
                                     Slice(window.x_begin - window.box_x, window.x_end - window.box_x)}));
  }
}

torch::Tensor paste(const torch::Tensor& masks, const torch::Tensor& boxes, int64_t height, int64_t width,
                    int64_t padding, bool use_cpu_kernel) {
  if (!masks.defined() || masks.dim() != 4 || masks.size(1) != 1 || masks.size(2) != masks.size(3)) {
    throw ops_detail::shape_error(k_op, "masks", masks, "expected square masks [N, 1, M, M]");
  }
  ops_detail::check_boxes(boxes, k_op, "boxes");
  if (boxes.size(0) != masks.size(0)) {
    throw ops_detail::shape_error(k_op, "boxes", boxes,
                                  "expected one box per mask (" + std::to_string(masks.size(0)) + ")");
  }
  ops_detail::check_positive(height, k_op, "height", /*allow_zero=*/true);
  ops_detail::check_positive(width, k_op, "width", /*allow_zero=*/true);
  ops_detail::check_positive(padding, k_op, "padding", /*allow_zero=*/true);
  const int64_t count = masks.size(0);
  const torch::Tensor probabilities = masks.to(torch::kFloat32).contiguous();
  torch::Tensor images = torch::zeros({count, 1, height, width}, probabilities.options());
  if (count == 0 || height == 0 || width == 0) return images;
  if (masks.size(-1) == 0) {
    throw ops_detail::shape_error(k_op, "masks", masks, "masks must not be empty");
  }
  // The box grows by the ratio the padding adds to the mask, so the padded mask keeps its scale.
  const double scale = static_cast<double>(masks.size(-1) + 2 * padding) / static_cast<double>(masks.size(-1));
  const torch::Tensor pixel_boxes = expand_boxes_to_pixels(boxes.to(probabilities.options()), scale).contiguous();
  if (use_cpu_kernel) {
    paste_on_cpu(probabilities, pixel_boxes, padding, images);
  } else {
    paste_with_tensor_ops(probabilities, pixel_boxes, padding, images);
  }
  return images;
}

}  // namespace

torch::Tensor paste_masks_in_image(const torch::Tensor& masks, const torch::Tensor& boxes, int64_t height,
                                   int64_t width, int64_t padding) {
  return paste(masks, boxes, height, width, padding, masks.defined() && masks.device().is_cpu());
}

namespace detail {
torch::Tensor paste_masks_in_image_tensor_ops(const torch::Tensor& masks, const torch::Tensor& boxes, int64_t height,
                                              int64_t width, int64_t padding) {
  return paste(masks, boxes, height, width, padding, false);
}
}  // namespace detail

}  // namespace counterscope::modeling
