// ModelConfig parsing, validation and the preset registry.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/modeling/model_config.h"
#include "core/util/error.h"
#include "tests/test_paths.h"

namespace counterscope::modeling {
namespace {

using nlohmann::json;

std::string error_of(const json& config) {
  try {
    ModelConfig::from_json(config, "test.json");
  } catch (const InputError& error) {
    return error.what();
  }
  return "";
}

TEST(ModelConfig, DefaultsAreTorchvisionMaskRcnn) {
  const ModelConfig config = ModelConfig::from_json(json::object(), "test.json");
  EXPECT_EQ(config.backbone.depth, 50);
  EXPECT_EQ(config.backbone.trainable_layers, 3);
  EXPECT_EQ(config.num_classes, 91);
  EXPECT_EQ(config.rpn.pre_nms_top_n_test, 1000);
  EXPECT_DOUBLE_EQ(config.rpn.nms_thresh, 0.7);
  EXPECT_DOUBLE_EQ(config.rpn.min_size, 1e-3);
  EXPECT_EQ(config.roi.batch_size_per_image, 512);
  EXPECT_DOUBLE_EQ(config.roi.positive_fraction, 0.25);
  EXPECT_DOUBLE_EQ(config.roi.box_coder_weights[0], 10.0);
  EXPECT_DOUBLE_EQ(config.roi.box_coder_weights[3], 5.0);
  EXPECT_EQ(config.transform.min_size, std::vector<std::int64_t>{800});
  EXPECT_EQ(config.transform.max_size, 1333);
  EXPECT_DOUBLE_EQ(config.score_thresh, 0.05);
  EXPECT_EQ(config.detections_per_img, 100);
}

TEST(ModelConfig, PresetsLoadWithTheirSettings) {
  const auto names = model_preset_names();
  for (const char* expected : {"lvis-r50-fpn", "tiny", "torchvision-r50-fpn"})
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;

  const ModelConfig torchvision = load_model_config("torchvision-r50-fpn");
  EXPECT_EQ(torchvision.name, "torchvision-r50-fpn");
  EXPECT_EQ(torchvision.transform.min_size.back(), 800);
  EXPECT_EQ(torchvision.transform.max_size, 1333);
  EXPECT_DOUBLE_EQ(torchvision.nms_thresh, 0.5);

  const ModelConfig lvis = load_model_config("lvis-r50-fpn");
  EXPECT_EQ(lvis.num_classes, 1204);
  EXPECT_DOUBLE_EQ(lvis.score_thresh, 1e-4);
  EXPECT_EQ(lvis.detections_per_img, 300);

  const ModelConfig tiny = load_model_config("tiny");
  EXPECT_EQ(tiny.backbone.depth, 18);
  EXPECT_EQ(tiny.backbone.fpn_channels, 64);
  EXPECT_EQ(tiny.transform.min_size.back(), 256);
  EXPECT_LT(tiny.roi.box_head_width, 1024);
}

TEST(ModelConfig, UnknownPresetListsTheKnownNames) {
  try {
    load_model_config("resnet-9000");
    FAIL() << "no error";
  } catch (const InputError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("resnet-9000"), std::string::npos) << message;
    EXPECT_NE(message.find("torchvision-r50-fpn"), std::string::npos) << message;
    EXPECT_NE(message.find("tiny"), std::string::npos) << message;
  }
}

TEST(ModelConfig, JsonFileRoundTrip) {
  const std::string dir = std::string(COUNTERSCOPE_TEST_TMP_DIR) + "/test_model_config";
  std::filesystem::create_directories(dir);
  ModelConfig config = load_model_config("tiny");
  config.num_classes = 7;
  config.roi.classifier = "cosine";
  const std::string path = dir + "/custom.json";
  std::ofstream(path) << config.to_json().dump(2);
  const ModelConfig loaded = load_model_config(path);
  EXPECT_EQ(loaded.num_classes, 7);
  EXPECT_EQ(loaded.roi.classifier, "cosine");
  EXPECT_EQ(loaded.to_json(), config.to_json());
  EXPECT_THROW(load_model_config(dir + "/missing.json"), InputError);
  std::ofstream(dir + "/broken.json") << "{\"num_classes\": ";
  EXPECT_THROW(load_model_config(dir + "/broken.json"), InputError);
}

TEST(ModelConfig, BadFieldsNameFieldAndValue) {
  std::string message = error_of({{"backbone", {{"depth", 42}}}});
  EXPECT_NE(message.find("backbone.depth = 42"), std::string::npos) << message;
  message = error_of({{"rpn", {{"nms_treshold", 0.5}}}});
  EXPECT_NE(message.find("rpn.nms_treshold"), std::string::npos) << message;
  EXPECT_NE(message.find("unknown field"), std::string::npos) << message;
  message = error_of({{"num_classes", "ninety"}});
  EXPECT_NE(message.find("num_classes"), std::string::npos) << message;
  EXPECT_NE(message.find("expected an integer"), std::string::npos) << message;
  message = error_of({{"roi", {{"classifier", "softmax"}}}});
  EXPECT_NE(message.find("roi.classifier"), std::string::npos) << message;
  message = error_of({{"num_classes", 3}, {"class_names", {"bg", "a"}}});
  EXPECT_NE(message.find("class_names"), std::string::npos) << message;
  message = error_of({{"anchors", {{"sizes", {{32}, {64}}}}}});
  EXPECT_NE(message.find("anchors.sizes"), std::string::npos) << message;
  message = error_of({{"rpn", {{"fg_iou_thresh", 0.3}, {"bg_iou_thresh", 0.7}}}});
  EXPECT_NE(message.find("rpn.bg_iou_thresh"), std::string::npos) << message;
  message = error_of({{"transform", {{"image_std", {0.2, 0.2}}}}});
  EXPECT_NE(message.find("transform.image_std"), std::string::npos) << message;
  EXPECT_EQ(error_of({{"num_classes", 2}}), "");
}

}  // namespace
}  // namespace counterscope::modeling
