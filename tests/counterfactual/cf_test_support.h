#pragma once
// Shared fixtures of the counterfactual tests: a tiny random-weight Mask R-CNN (64 px inputs) and a tiny
// LVIS-format dataset written to the test folder (coloured rectangles with polygon masks).

#include <filesystem>
#include <string>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "core/data/lvis/dataset.h"
#include "core/modeling/mask_rcnn.h"
#include "core/modeling/model_config.h"
#include "tests/test_paths.h"

namespace counterscope::counterfactual::testing {

inline modeling::ModelConfig tiny_model_config(std::int64_t num_classes = 5, std::int64_t size = 64) {
  modeling::ModelConfig config = modeling::load_model_config("tiny");
  config.name = "tiny-test";
  config.num_classes = num_classes;
  config.transform.min_size = {size};
  config.transform.max_size = size;
  config.backbone.norm = "frozen";
  config.rpn.pre_nms_top_n_test = 50;
  config.rpn.post_nms_top_n_test = 20;
  config.roi.box_head_width = 64;
  config.roi.mask_head_layers = {16};
  config.roi.mask_predictor_channels = 16;
  config.score_thresh = 0.0;
  config.detections_per_img = 10;
  return config;
}

inline modeling::MaskRcnn tiny_model(std::uint64_t seed = 1, std::int64_t num_classes = 5) {
  torch::manual_seed(seed);
  modeling::MaskRcnn model(tiny_model_config(num_classes));
  model->eval();
  return model;
}

inline std::string test_dir(const std::string& name) {
  const auto dir = std::filesystem::path(COUNTERSCOPE_TEST_TMP_DIR) / name;
  std::filesystem::create_directories(dir);
  return dir.string();
}

/// Adds a rectangle annotation with a 4-point polygon.
inline void add_rectangle(data::Dataset& dataset, std::int64_t id, std::int64_t image_id, std::int64_t category_id,
                          double x, double y, double w, double h) {
  data::Annotation a;
  a.id = id;
  a.image_id = image_id;
  a.category_id = category_id;
  a.bbox = {x, y, w, h};
  a.area = w * h;
  a.segmentation.first_polygon = static_cast<std::uint32_t>(dataset.polygon_offsets.size() - 1);
  a.segmentation.polygon_count = 1;
  for (double v : {x, y, x + w, y, x + w, y + h, x, y + h}) dataset.polygon_coordinates.push_back(v);
  dataset.polygon_offsets.push_back(dataset.polygon_coordinates.size());
  dataset.annotations.push_back(a);
}

/// Three 64x64 images (ids 1..3; image 3 has no instances) with rectangles of four categories, written as
/// PNGs into `dir`.
inline data::Dataset tiny_dataset(const std::string& dir) {
  data::Dataset dataset;
  dataset.format = data::DatasetFormat::coco;
  dataset.source_path = dir + "/tiny.json";
  const char* names[] = {"grass_patch", "snowball", "sled", "toboggan"};
  for (int c = 0; c < 4; ++c) {
    data::Category category;
    category.id = c + 1;
    category.name = names[c];
    if (c == 3) category.synonyms = {"sledge"};
    category.frequency = data::Frequency::frequent;
    dataset.categories.push_back(category);
  }
  for (int i = 1; i <= 3; ++i) {
    data::ImageInfo info;
    info.id = i;
    info.width = 64;
    info.height = 64;
    info.file_name = "image_" + std::to_string(i) + ".png";
    dataset.images.push_back(info);
    cv::Mat image(64, 64, CV_8UC3, cv::Scalar(40 * i, 120, 200 - 40 * i));
    cv::randu(image, cv::Scalar(0, 0, 0), cv::Scalar(60, 60, 60));
    image += cv::Scalar(40 * i, 100, 150 - 30 * i);
    if (i < 3) {
      cv::rectangle(image, {8, 10}, {8 + 20 - 1, 10 + 18 - 1}, cv::Scalar(20, 200, 40), cv::FILLED);
      cv::rectangle(image, {34, 30}, {34 + 24 - 1, 30 + 26 - 1}, cv::Scalar(220, 220, 230), cv::FILLED);
    }
    cv::imwrite(dir + "/" + info.file_name, image);
  }
  add_rectangle(dataset, 11, 1, 1, 8, 10, 20, 18);
  add_rectangle(dataset, 12, 1, 2, 34, 30, 24, 26);
  add_rectangle(dataset, 21, 2, 3, 8, 10, 20, 18);
  add_rectangle(dataset, 22, 2, 4, 34, 30, 24, 26);
  dataset.build_indexes();
  return dataset;
}

}  // namespace counterscope::counterfactual::testing
