// The torch-free Predictor facade: config + weights loading, cv::Mat inputs of every depth and channel
// layout, plain results, and clear errors for bad weights and bad images.

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <torch/torch.h>

#include "core/modeling/mask_rcnn.h"
#include "core/modeling/predictor.h"
#include "core/modeling/weights/apply_state_dict.h"
#include "core/modeling/weights/safetensors.h"
#include "core/util/error.h"
#include "tests/test_paths.h"

namespace counterscope::modeling {
namespace {

const std::string kDir = std::string(COUNTERSCOPE_TEST_TMP_DIR) + "/test_predictor";

ModelConfig small_config() {
  ModelConfig config = load_model_config("tiny");
  config.name = "predictor-test";
  config.num_classes = 4;
  config.backbone.fpn_channels = 16;
  config.roi.box_head_width = 32;
  config.roi.mask_head_layers = {16};
  config.roi.mask_predictor_channels = 16;
  config.transform.min_size = {96};
  config.transform.max_size = 128;
  config.score_thresh = 0.0;  // random weights: keep every detection so there is something to compare
  config.detections_per_img = 10;
  return config;
}

class PredictorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::filesystem::remove_all(kDir);
    std::filesystem::create_directories(kDir);
    torch::manual_seed(0);
    const ModelConfig config = small_config();
    std::ofstream(kDir + "/config.json") << config.to_json().dump(2);
    MaskRcnn model(config);
    StateDict state;
    for (const auto& item : model->named_parameters()) state.insert(item.key(), item.value().detach());
    for (const auto& item : model->named_buffers()) state.insert(item.key(), item.value());
    save_safetensors(state, kDir + "/weights.safetensors");
  }

  PredictorOptions options() const {
    PredictorOptions o;
    o.model = kDir + "/config.json";
    o.weights = kDir + "/weights.safetensors";
    return o;
  }
};

TEST_F(PredictorTest, ReadsClassCountFromWeightsAndPredicts) {
  const Predictor predictor(options());
  EXPECT_EQ(predictor.num_classes(), 4);
  EXPECT_EQ(predictor.device(), "cpu");
  cv::Mat image(60, 80, CV_8UC3);
  cv::randu(image, 0, 255);
  const auto prediction = predictor.predict(image);
  EXPECT_EQ(prediction.height, 60);
  EXPECT_EQ(prediction.width, 80);
  ASSERT_FALSE(prediction.instances.empty());
  EXPECT_LE(prediction.instances.size(), 10u);
  float previous = 2.f;
  for (const auto& instance : prediction.instances) {
    EXPECT_GE(instance.label, 1);
    EXPECT_LT(instance.label, 4);
    EXPECT_LE(instance.score, previous);
    previous = instance.score;
    EXPECT_EQ(instance.mask.rows, 60);
    EXPECT_EQ(instance.mask.cols, 80);
    EXPECT_EQ(instance.mask.type(), CV_8UC1);
    double max_value = 0;
    cv::minMaxLoc(instance.mask, nullptr, &max_value);
    EXPECT_LE(max_value, 1.0);
    EXPECT_GE(instance.box[2], instance.box[0]);
    EXPECT_LE(instance.box[2], 80.f);
  }
}

TEST_F(PredictorTest, SeesawWeightsKeepTheirObjectnessLogits) {
  // A model trained with seesaw has num_classes + 2 classifier rows; inference must use seesaw's probabilities.
  losses::LossOptions seesaw;
  seesaw.name = "seesaw";
  torch::manual_seed(1);
  MaskRcnn model(small_config(), losses::make_classification_loss(seesaw));
  StateDict state;
  for (const auto& item : model->named_parameters()) state.insert(item.key(), item.value().detach());
  for (const auto& item : model->named_buffers()) state.insert(item.key(), item.value());
  EXPECT_EQ(state.find("roi_heads.box_predictor.cls_score.weight")->size(0), 3 + 2);  // 3 classes + objectness
  save_safetensors(state, kDir + "/seesaw.safetensors");

  const auto loss = inference_loss_for_state_dict(state, 4);
  ASSERT_NE(loss, nullptr);
  EXPECT_EQ(loss->logit_count(4), 5);
  StateDict plain;
  for (const auto& item : MaskRcnn(small_config())->named_parameters()) plain.insert(item.key(), item.value());
  EXPECT_EQ(inference_loss_for_state_dict(plain, 4), nullptr);

  PredictorOptions o = options();
  o.weights = kDir + "/seesaw.safetensors";
  const Predictor predictor(o);
  EXPECT_EQ(predictor.num_classes(), 4);
  cv::Mat image(64, 64, CV_8UC3, cv::Scalar(90, 120, 30));
  for (const auto& instance : predictor.predict(image).instances) {
    EXPECT_GE(instance.label, 1);
    EXPECT_LT(instance.label, 4);
  }
}

TEST_F(PredictorTest, AnyDepthAndChannelLayoutGivesTheSameRgbInput) {
  cv::Mat gray(50, 70, CV_8UC1);
  cv::randu(gray, 0, 255);
  const cv::Mat reference = to_rgb8(gray);
  ASSERT_EQ(reference.type(), CV_8UC3);
  cv::Mat bgr, bgra, gray16, gray_float, gray_alpha;
  cv::cvtColor(gray, bgr, cv::COLOR_GRAY2BGR);
  cv::cvtColor(gray, bgra, cv::COLOR_GRAY2BGRA);
  gray.convertTo(gray16, CV_16U, 257.0);
  gray.convertTo(gray_float, CV_32F, 1.0 / 255.0);
  cv::merge(std::vector<cv::Mat>{gray, cv::Mat(gray.size(), CV_8UC1, cv::Scalar(255))}, gray_alpha);
  for (const cv::Mat& variant : {bgr, bgra, gray16, gray_float, gray_alpha})
    EXPECT_EQ(cv::norm(to_rgb8(variant), reference, cv::NORM_INF), 0.0) << variant.type();
  // Channel order: OpenCV's BGR becomes RGB.
  cv::Mat blue(2, 2, CV_8UC3, cv::Scalar(255, 0, 0));
  EXPECT_EQ(to_rgb8(blue).at<cv::Vec3b>(0, 0), cv::Vec3b(0, 0, 255));

  const Predictor predictor(options());
  const auto a = predictor.predict(gray);
  const auto b = predictor.predict(gray16);
  ASSERT_EQ(a.instances.size(), b.instances.size());
  for (std::size_t i = 0; i < a.instances.size(); ++i) EXPECT_FLOAT_EQ(a.instances[i].score, b.instances[i].score);
}

TEST_F(PredictorTest, BadInputsFailClearly) {
  const Predictor predictor(options());
  EXPECT_THROW(predictor.predict(cv::Mat(), "empty.png"), InputError);
  unsigned char byte = 0;
  const cv::Mat huge(17000, 17000, CV_8UC1, &byte);  // header only: refused before any pixel is read
  try {
    predictor.predict(huge, "huge.png");
    FAIL() << "no error";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("huge.png"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("too large"), std::string::npos) << error.what();
  }

  PredictorOptions wrong_classes = options();
  wrong_classes.num_classes = 7;
  try {
    Predictor bad(wrong_classes);
    FAIL() << "no error";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("cls_score"), std::string::npos) << error.what();
  }
  PredictorOptions wrong_architecture = options();
  wrong_architecture.model = "torchvision-r50-fpn";
  EXPECT_THROW(Predictor{wrong_architecture}, InputError);
  PredictorOptions no_weights = options();
  no_weights.weights = kDir + "/missing.pth";
  EXPECT_THROW(Predictor{no_weights}, InputError);
  PredictorOptions bad_device = options();
  bad_device.device = "tpu";
  EXPECT_THROW(Predictor{bad_device}, InputError);
  PredictorOptions bad_preset = options();
  bad_preset.model = "no-such-preset";
  EXPECT_THROW(Predictor{bad_preset}, InputError);
}

}  // namespace
}  // namespace counterscope::modeling
