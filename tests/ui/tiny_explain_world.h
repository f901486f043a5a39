#pragma once
// Test fixture of the explain tests: a tiny LVIS-format world written to a folder (three 64×64 images of
// coloured rectangles, four categories, one with a synonym) and an untrained tiny Mask R-CNN for it (config
// JSON + safetensors weights). Pulls LibTorch: include it from one test source only.

#include <fstream>
#include <string>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "core/data/lvis/dataset.h"
#include "core/data/lvis/lvis_writer.h"
#include "core/modeling/mask_rcnn.h"
#include "core/modeling/model_config.h"
#include "core/modeling/weights/safetensors.h"
#include "tests/counterfactual/cf_test_support.h"

namespace counterscope::testing {

struct TinyExplainWorld {
  std::string annotations;  ///< dir/annotations.json
  std::string images;       ///< dir (image root)
  std::string config;       ///< dir/model.json
  std::string weights;      ///< dir/model.safetensors
};

/// Writes the world into `dir` (which must exist). Deterministic.
inline TinyExplainWorld writeTinyExplainWorld(const std::string& dir) {
  data::Dataset dataset;
  dataset.format = data::DatasetFormat::lvis_v1;
  const char* names[] = {"grass", "snowball", "sled", "toboggan"};
  for (int c = 0; c < 4; ++c) {
    data::Category category;
    category.id = c + 1;
    category.name = names[c];
    if (c == 1) category.synonyms = {"snow"};
    category.frequency = c < 2 ? data::Frequency::frequent : data::Frequency::rare;
    dataset.categories.push_back(category);
  }
  cv::RNG rng(7);
  for (int i = 1; i <= 3; ++i) {
    data::ImageInfo info;
    info.id = i;
    info.width = 64;
    info.height = 64;
    info.file_name = "image_" + std::to_string(i) + ".png";
    dataset.images.push_back(info);
    cv::Mat image(64, 64, CV_8UC3);
    rng.fill(image, cv::RNG::UNIFORM, cv::Scalar(30, 90, 40), cv::Scalar(90, 160, 100));
    cv::rectangle(image, {8, 10}, {27, 27}, cv::Scalar(20, 200, 40), cv::FILLED);
    cv::rectangle(image, {34, 30}, {57, 55}, cv::Scalar(230, 230, 235), cv::FILLED);
    cv::imwrite(dir + "/" + info.file_name, image);
  }
  counterfactual::testing::add_rectangle(dataset, 11, 1, 1, 8, 10, 20, 18);
  counterfactual::testing::add_rectangle(dataset, 12, 1, 2, 34, 30, 24, 26);
  counterfactual::testing::add_rectangle(dataset, 21, 2, 3, 8, 10, 20, 18);
  counterfactual::testing::add_rectangle(dataset, 22, 2, 4, 34, 30, 24, 26);
  counterfactual::testing::add_rectangle(dataset, 31, 3, 1, 8, 10, 20, 18);
  dataset.build_indexes();

  TinyExplainWorld world;
  world.annotations = dir + "/annotations.json";
  world.images = dir;
  world.config = dir + "/model.json";
  world.weights = dir + "/model.safetensors";
  data::write_dataset(dataset, world.annotations);

  // The counterfactual tests' tiny detector (64 px, narrow heads, every detection kept), seeded 3.
  modeling::ModelConfig config = counterfactual::testing::tiny_model_config(5);
  config.name = "tiny-explain-test";
  {
    std::ofstream out(world.config);
    out << config.to_json().dump(2);
  }
  modeling::MaskRcnn model = counterfactual::testing::tiny_model(3);
  modeling::StateDict state;
  for (const auto& item : model->named_parameters()) state.insert(item.key(), item.value().detach());
  for (const auto& item : model->named_buffers()) state.insert(item.key(), item.value());
  modeling::save_safetensors(state, world.weights);
  return world;
}

}  // namespace counterscope::testing
