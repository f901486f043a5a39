#pragma once
// A torch-free facade over Mask R-CNN inference for the application and the CLI: load a config (preset or
// JSON) and weights once, then run on cv::Mat images of any depth and channel layout and get plain structs.
// Nothing of LibTorch appears in this header.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/core/mat.hpp>

#include "core/modeling/model_config.h"

namespace counterscope::modeling {

struct PredictorOptions {
  std::string model = "torchvision-r50-fpn";  ///< preset name or config JSON path
  std::string weights;                       ///< .pth / .safetensors file (required)
  std::int64_t num_classes = 0;              ///< classes incl. background; 0 = read from the weights
  double score_thresh = -1;                  ///< < 0: the config's
  std::int64_t max_detections = 0;           ///< <= 0: the config's detections_per_img
  std::string device = "cpu";                ///< cpu | cuda | cuda:N
};

/// One detected instance, in the input image's pixel coordinates.
struct InstancePrediction {
  std::int64_t label = 0;            ///< contiguous label, 1..num_classes-1
  float score = 0;
  std::array<float, 4> box{};        ///< x1, y1, x2, y2
  cv::Mat mask;                      ///< CV_8UC1, image size, 1 where the mask probability > 0.5
};

struct ImagePrediction {
  int height = 0, width = 0;
  std::vector<InstancePrediction> instances;  ///< by decreasing score
};

class Predictor {
 public:
  /// Loads config and weights. Throws InputError on an unknown preset, an unreadable or foreign checkpoint,
  /// or weights of another architecture / class count (listing the mismatched names).
  explicit Predictor(const PredictorOptions& options);
  ~Predictor();
  Predictor(Predictor&&) noexcept;
  Predictor& operator=(Predictor&&) noexcept;

  /// Runs on one image as OpenCV holds it: 1 (gray), 2 (gray + alpha), 3 (BGR) or 4 (BGRA) channels,
  /// 8-bit, 16-bit or float ([0, 1]) pixels. Throws InputError (naming `source`) on an empty image or an
  /// absurd size.
  ImagePrediction predict(const cv::Mat& image, const std::string& source = "image") const;

  const ModelConfig& config() const;
  std::int64_t num_classes() const;
  std::string device() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

/// Converts an image as loaded by OpenCV (any depth, 1-4 channels, BGR order) to 8-bit RGB.
/// Throws InputError naming `source` on an empty image or an unsupported channel count.
cv::Mat to_rgb8(const cv::Mat& image, const std::string& source = "image");

/// Largest number of pixels an input image may have (the resize handles any size below).
constexpr std::int64_t max_input_pixels = std::int64_t{1} << 28;

}  // namespace counterscope::modeling
