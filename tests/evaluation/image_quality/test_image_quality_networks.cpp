// Inception-v3 parity with torchvision 0.14 and with pytorch-fid's FID Inception on the same seeded random
// weights (saved by Python with torch.save(state_dict()), loaded here strictly), the whole FID / IS job on two
// small folders against the Python pipelines, and the job's answers to bad input. The reference script runs at
// test time with /usr/bin/python3 (make_image_quality_reference.py ... networks).

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <torch/torch.h>

#include "core/evaluation/image_quality/image_folder.h"
#include "core/evaluation/image_quality/image_quality.h"
#include "core/evaluation/image_quality/inception_v3.h"
#include "core/modeling/weights/apply_state_dict.h"
#include "core/modeling/weights/checkpoint.h"
#include "core/modeling/weights/safetensors.h"
#include "core/util/error.h"
#include "core/util/threads.h"
#include "tests/test_paths.h"

namespace counterscope::evaluation {
namespace {

const std::string kDir = std::string(COUNTERSCOPE_TEST_TMP_DIR) + "/test_image_quality_networks";
const std::string kTorchvisionWeights = kDir + "/torchvision_weights.pth";
const std::string kFidWeights = kDir + "/fid_weights.pth";

std::map<std::string, torch::Tensor> load_tensors(const std::string& path) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& entry : modeling::load_state_dict(path)) out[entry.name] = entry.tensor;
  return out;
}

// Largest difference relative to the reference's largest magnitude.
double relative_error(const torch::Tensor& actual, const torch::Tensor& expected) {
  EXPECT_EQ(actual.sizes(), expected.sizes());
  if (!actual.sizes().equals(expected.sizes())) return 1e9;
  return (actual - expected).abs().max().item<double>() / expected.abs().max().item<double>();
}

std::string message_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const InputError& error) {
    return error.what();
  }
  return "(no InputError)";
}

class InceptionParity : public ::testing::Test {
 protected:
  // Loaded once: reading 100 MB of weights is a good part of each test's time.
  static InceptionNetworks& networks() {
    static InceptionNetworks loaded = load_inception_networks({kTorchvisionWeights, kFidWeights});
    return loaded;
  }

  static void SetUpTestSuite() {
    configure_torch_threads(0);
    std::filesystem::remove_all(kDir);
    std::filesystem::create_directories(kDir);
    const std::string command = "/usr/bin/python3 " COUNTERSCOPE_SOURCE_DIR
                                "/tests/evaluation/image_quality/make_image_quality_reference.py " +
                                kDir + " networks";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
};

TEST_F(InceptionParity, TorchvisionVariantMatchesTorchvision) {
  InceptionV3 model = networks().torchvision;
  EXPECT_EQ(networks().torchvision_path, kTorchvisionWeights);
  EXPECT_EQ(model->options().variant, InceptionVariant::torchvision);
  EXPECT_EQ(model->options().num_classes, 1000);
  EXPECT_TRUE(model->options().aux_logits);  // torchvision's state dict holds AuxLogits.*, loaded strictly
  const FolderFeatures features = extract_folder_features(model, kDir + "/generated", 8, 2, {}, "test");
  ASSERT_EQ(features.images.size(), 2u);
  ASSERT_EQ(features.skipped.size(), 1u);
  EXPECT_NE(features.skipped[0].path.find("broken.png"), std::string::npos);
  const auto reference = load_tensors(kDir + "/torchvision_reference.pth");
  EXPECT_LT(relative_error(features.logits, reference.at("logits")), 1e-4);
  EXPECT_LT(relative_error(features.pool, reference.at("pool")), 1e-4);
}

TEST_F(InceptionParity, PytorchFidVariantMatchesFidInception) {
  InceptionV3 model = networks().pytorch_fid;  // saved without num_batches_tracked
  EXPECT_EQ(networks().pytorch_fid_path, kFidWeights);
  EXPECT_EQ(model->options().variant, InceptionVariant::pytorch_fid);
  EXPECT_EQ(model->options().num_classes, 1008);
  EXPECT_FALSE(model->options().aux_logits);
  const auto reference = load_tensors(kDir + "/fid_reference.pth");
  // Batch 1 here: the result must not depend on how images are batched.
  const FolderFeatures real = extract_folder_features(model, kDir + "/real", 1, 1, {}, "test");
  EXPECT_LT(relative_error(real.pool, reference.at("real_pool")), 1e-4);
  // (generated/'s pool3 features are checked through the FID of the job test.)
  // The FID blocks' pooling matters: the same weights in the torchvision variant give other features
  // (compared on a cheaper 160x160 input).
  InceptionV3 other = load_inception_v3(kFidWeights, InceptionVariant::torchvision);
  torch::NoGradGuard no_grad;
  torch::manual_seed(1);
  const auto input = torch::rand({1, 3, 160, 160}) * 2 - 1;
  EXPECT_GT(relative_error(other->forward(input).pool, model->forward(input).pool), 1e-3);
}

TEST_F(InceptionParity, JobMatchesPytorchFidAndInceptionScoreReference) {
  std::ifstream file(kDir + "/folders.json");
  const auto expected = nlohmann::json::parse(file);
  ImageQualityOptions options;
  options.real_folder = kDir + "/real";
  options.generated_folder = kDir + "/generated";
  options.inception_weights = {kTorchvisionWeights, kFidWeights};
  options.splits = 1;
  std::int64_t reports = 0;
  JobContext context{[&](const Progress&) { ++reports; }};
  const ImageQualityResult result = compute_image_quality(options, networks(), context);
  EXPECT_GT(reports, 0);
  EXPECT_EQ(result.real_images, 2);
  EXPECT_EQ(result.generated_images, 2);
  ASSERT_EQ(result.skipped.size(), 1u);
  EXPECT_EQ(result.fid_variant, InceptionVariant::pytorch_fid);
  EXPECT_EQ(result.fid_weights, kFidWeights);
  EXPECT_TRUE(result.notes.empty());
  // 2048-d features of two images per folder: rank-one covariances, checked against the closed form.
  EXPECT_NEAR(result.fid.distance, expected["fid"].get<double>(), 1e-4 * expected["fid"].get<double>());
  ASSERT_TRUE(result.inception_score.has_value()) << result.is_missing_reason;
  EXPECT_NEAR(result.inception_score->mean, expected["is_mean"].get<double>(), 1e-5);
  EXPECT_GT(result.inception_score->mean, 1.001);  // not the trivial score of identical predictions
  EXPECT_EQ(result.is_weights, kTorchvisionWeights);

  // A cancelled job stops with Cancelled.
  std::atomic<bool> cancel{true};
  JobContext cancelled{nullptr, &cancel};
  EXPECT_THROW(compute_image_quality(options, networks(), cancelled), Cancelled);
}

TEST_F(InceptionParity, JobRefusesBadInput) {
  ImageQualityOptions options;
  options.real_folder = kDir + "/real";
  options.generated_folder = kDir + "/generated";
  EXPECT_NE(message_of([&] { compute_image_quality(options); }).find("Inception-v3 weights"), std::string::npos);

  options.inception_weights = {kFidWeights, kFidWeights};
  EXPECT_NE(message_of([&] { compute_image_quality(options); }).find("same variant"), std::string::npos);

  InceptionNetworks fid_only;
  fid_only.pytorch_fid = networks().pytorch_fid;
  fid_only.pytorch_fid_path = kFidWeights;
  const std::string empty = kDir + "/empty";
  std::filesystem::create_directories(empty);
  options.real_folder = empty;
  EXPECT_NE(message_of([&] { compute_image_quality(options, fid_only); }).find("holds no image"),
            std::string::npos);

  const std::string broken_only = kDir + "/broken_only";
  std::filesystem::create_directories(broken_only);
  std::filesystem::copy_file(kDir + "/generated/broken.png", broken_only + "/a.png");
  options.real_folder = broken_only;
  std::filesystem::copy_file(kDir + "/generated/broken.png", broken_only + "/b.png");
  EXPECT_NE(message_of([&] { compute_image_quality(options, fid_only); }).find("could be decoded"),
            std::string::npos);

  const std::string single = kDir + "/single";
  std::filesystem::create_directories(single);
  std::filesystem::copy_file(kDir + "/real/real_00.png", single + "/only.png");
  options.real_folder = single;
  EXPECT_NE(message_of([&] { compute_image_quality(options, fid_only); }).find("at least 2 images"),
            std::string::npos);
}

TEST(InceptionWeights, RefusesOtherArchitectures) {
  const std::string dir = std::string(COUNTERSCOPE_TEST_TMP_DIR) + "/test_image_quality_networks_weights";
  std::filesystem::create_directories(dir);
  modeling::StateDict resnet;
  resnet.insert("conv1.weight", torch::zeros({64, 3, 7, 7}));
  resnet.insert("fc.weight", torch::zeros({1000, 2048}));
  modeling::save_safetensors(resnet, dir + "/resnet.safetensors");
  EXPECT_NE(message_of([&] { load_inception_v3(dir + "/resnet.safetensors"); }).find("not an Inception-v3"),
            std::string::npos);

  // Inception-v3 names but 10 classes: the variant cannot be told, unless named.
  InceptionV3 ten(InceptionV3Options{InceptionVariant::torchvision, 10, false, true});
  modeling::StateDict state;
  for (const auto& item : ten->named_parameters()) state.insert(item.key(), item.value());
  for (const auto& item : ten->named_buffers()) state.insert(item.key(), item.value());
  EXPECT_THROW(inception_options_from_state_dict(state, "ten.pth"), InputError);
  EXPECT_EQ(inception_options_from_state_dict(state, "ten.pth", InceptionVariant::pytorch_fid).num_classes, 10);

  // A tensor of the wrong shape is named, strictly.
  modeling::StateDict wrong;
  for (const auto& entry : state)
    wrong.insert(entry.name, entry.name == "Mixed_6b.branch7x7_2.conv.weight" ? torch::zeros({128, 128, 7, 1})
                                                                             : entry.tensor);
  modeling::save_safetensors(wrong, dir + "/wrong.safetensors");
  EXPECT_NE(message_of([&] { load_inception_v3(dir + "/wrong.safetensors", InceptionVariant::torchvision); })
                .find("Mixed_6b.branch7x7_2.conv.weight"),
            std::string::npos);
}

TEST(ImageFolder, ListsImagesCaseInsensitivelyAndSorted) {
  const std::string dir = std::string(COUNTERSCOPE_TEST_TMP_DIR) + "/test_image_quality_networks_folder";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir + "/sub");
  const cv::Mat grey(5, 7, CV_8UC1, cv::Scalar(51));
  cv::imwrite(dir + "/b.PNG", grey);
  cv::imwrite(dir + "/a.jpg", grey);
  cv::imwrite(dir + "/sub/c.png", grey);  // sub-folders are not searched, as pytorch-fid
  std::ofstream(dir + "/notes.txt") << "not an image";
  const auto files = list_image_files(dir);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(std::filesystem::path(files[0]).filename(), "a.jpg");
  EXPECT_EQ(std::filesystem::path(files[1]).filename(), "b.PNG");
  const auto decoded = decode_images({dir + "/b.PNG", dir + "/notes.txt"}, 2);
  ASSERT_TRUE(decoded[0].image.defined());
  EXPECT_EQ(decoded[0].image.sizes(), (std::vector<std::int64_t>{3, 5, 7}));  // grey replicated to RGB
  EXPECT_NEAR(decoded[0].image.max().item<double>(), 0.2, 1e-6);
  EXPECT_FALSE(decoded[1].image.defined());
  EXPECT_FALSE(decoded[1].error.empty());
  EXPECT_THROW(list_image_files(dir + "/missing"), InputError);
}

}  // namespace
}  // namespace counterscope::evaluation
