#include "core/modeling/predictor.h"

#include <algorithm>
#include <cstring>

#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "core/modeling/device.h"
#include "core/modeling/mask_rcnn.h"
#include "core/modeling/weights/checkpoint.h"
#include "core/util/error.h"

namespace counterscope::modeling {

cv::Mat to_rgb8(const cv::Mat& image, const std::string& source) {
  if (image.empty()) throw InputError(source, "image", "", "empty image (unreadable or zero-sized)");
  cv::Mat eight_bit;
  switch (image.depth()) {
    case CV_8U: eight_bit = image; break;
    case CV_8S: image.convertTo(eight_bit, CV_8U, 1.0, 128.0); break;
    case CV_16U: image.convertTo(eight_bit, CV_8U, 255.0 / 65535.0); break;
    case CV_16S: image.convertTo(eight_bit, CV_8U, 255.0 / 65535.0, 127.5); break;
    case CV_32F:
    case CV_64F: image.convertTo(eight_bit, CV_8U, 255.0); break;  // float images are taken as [0, 1]
    default: image.convertTo(eight_bit, CV_8U); break;
  }
  cv::Mat rgb;
  switch (image.channels()) {
    case 1: cv::cvtColor(eight_bit, rgb, cv::COLOR_GRAY2RGB); break;
    case 2: {
      // Gray + alpha: the gray plane.
      cv::Mat gray;
      cv::extractChannel(eight_bit, gray, 0);
      cv::cvtColor(gray, rgb, cv::COLOR_GRAY2RGB);
      break;
    }
    case 3: cv::cvtColor(eight_bit, rgb, cv::COLOR_BGR2RGB); break;
    case 4: cv::cvtColor(eight_bit, rgb, cv::COLOR_BGRA2RGB); break;
    default:
      throw InputError(source, "channels", std::to_string(image.channels()), "expected 1 to 4 channels");
  }
  return rgb;
}

struct Predictor::Impl {
  ModelConfig config;
  MaskRcnn model{nullptr};
  torch::Device device{torch::kCPU};
};

Predictor::Predictor(const PredictorOptions& options) : m_impl(std::make_unique<Impl>()) {
  if (options.weights.empty()) throw InputError("--weights", "", "", "a weights file is required");
  m_impl->device = parse_device(options.device);
  m_impl->config = load_model_config(options.model);
  const StateDict state = load_state_dict(options.weights);
  m_impl->config.num_classes =
      options.num_classes > 0 ? options.num_classes : num_classes_in_state_dict(state, options.weights);
  if (!m_impl->config.class_names.empty() &&
      static_cast<std::int64_t>(m_impl->config.class_names.size()) != m_impl->config.num_classes)
    m_impl->config.class_names.clear();  // names of the preset's own class count do not apply
  if (options.score_thresh >= 0) m_impl->config.score_thresh = options.score_thresh;
  if (options.max_detections > 0) m_impl->config.detections_per_img = options.max_detections;
  m_impl->model = MaskRcnn(m_impl->config, inference_loss_for_state_dict(state, m_impl->config.num_classes));
  ApplyStateDictOptions apply;
  apply.source = options.weights;
  m_impl->model->load_weights(state, apply);  // strict: a mismatch throws, listing the names
  m_impl->model->eval();
  m_impl->model->to(m_impl->device);
}

Predictor::~Predictor() = default;
Predictor::Predictor(Predictor&&) noexcept = default;
Predictor& Predictor::operator=(Predictor&&) noexcept = default;

const ModelConfig& Predictor::config() const { return m_impl->config; }
std::int64_t Predictor::num_classes() const { return m_impl->config.num_classes; }
std::string Predictor::device() const { return m_impl->device.str(); }

ImagePrediction Predictor::predict(const cv::Mat& image, const std::string& source) const {
  if (image.empty()) throw InputError(source, "image", "", "empty image (unreadable or zero-sized)");
  const std::int64_t pixels = static_cast<std::int64_t>(image.rows) * image.cols;
  if (pixels > max_input_pixels)
    throw InputError(source, "size", std::to_string(image.cols) + "x" + std::to_string(image.rows),
                     "image too large (more than " + std::to_string(max_input_pixels) + " pixels)");
  const cv::Mat rgb = to_rgb8(image, source);
  torch::InferenceMode inference;
  const auto tensor = torch::from_blob(const_cast<std::uint8_t*>(rgb.ptr<std::uint8_t>()),
                                       {rgb.rows, rgb.cols, 3},
                                       {static_cast<std::int64_t>(rgb.step[0]), 3, 1}, torch::kUInt8)
                          .to(m_impl->device)
                          .permute({2, 0, 1})
                          .to(torch::kFloat)
                          .div_(255.0);
  const Detections d = m_impl->model->predict({tensor})[0];
  ImagePrediction out;
  out.height = rgb.rows;
  out.width = rgb.cols;
  const auto boxes = d.boxes.cpu().contiguous();
  const auto scores = d.scores.cpu().contiguous();
  const auto labels = d.labels.cpu().contiguous();
  const auto masks = (d.masks > 0.5).to(torch::kUInt8).cpu().contiguous();
  for (std::int64_t i = 0; i < boxes.size(0); ++i) {
    InstancePrediction instance;
    instance.label = labels[i].item<std::int64_t>();
    instance.score = scores[i].item<float>();
    for (int k = 0; k < 4; ++k) instance.box[k] = boxes[i][k].item<float>();
    instance.mask = cv::Mat(rgb.rows, rgb.cols, CV_8UC1);
    std::memcpy(instance.mask.data, masks[i].data_ptr<std::uint8_t>(), static_cast<std::size_t>(pixels));
    out.instances.push_back(std::move(instance));
  }
  return out;
}

}  // namespace counterscope::modeling
