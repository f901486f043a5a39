// Inference parity with torchvision 0.14.1: the same seeded random weights (saved by Python with
// torch.save(model.state_dict())) and the same image through both implementations, for ResNet-50-FPN and
// ResNet-18-FPN. The reference script runs at test time with /usr/bin/python3 (python3-torchvision).

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/modeling/mask_rcnn.h"
#include "core/modeling/ops/box_ops.h"
#include "core/modeling/weights/checkpoint.h"
#include "core/util/threads.h"
#include "tests/test_paths.h"

namespace counterscope::modeling {
namespace {

const std::string kDir = std::string(COUNTERSCOPE_TEST_TMP_DIR) + "/test_mask_rcnn_parity";
constexpr std::int64_t kNumClasses = 5;

struct Variant {
  std::string name;
  int depth;
  std::int64_t height, width, min_size, max_size;
};

// One modest image per variant keeps the whole test to seconds.
const Variant kR50{"r50", 50, 240, 320, 320, 512};
const Variant kR18{"r18", 18, 200, 260, 256, 400};

std::map<std::string, torch::Tensor> load_tensors(const std::string& path) {
  std::map<std::string, torch::Tensor> out;
  for (const auto& entry : load_state_dict(path)) out[entry.name] = entry.tensor;
  return out;
}

class MaskRcnnParity : public ::testing::TestWithParam<Variant> {
 protected:
  static void SetUpTestSuite() {
    configure_torch_threads(0);
    std::filesystem::remove_all(kDir);
    std::filesystem::create_directories(kDir);
    for (const Variant& v : {kR50, kR18}) {
      const std::string command = "/usr/bin/python3 " COUNTERSCOPE_SOURCE_DIR "/tests/modeling/make_parity_reference.py " +
                                  kDir + " " + v.name + " " + std::to_string(kNumClasses) + " " +
                                  std::to_string(v.height) + " " + std::to_string(v.width) + " " +
                                  std::to_string(v.min_size) + " " + std::to_string(v.max_size);
      ASSERT_EQ(std::system(command.c_str()), 0) << command;
    }
  }

  void SetUp() override {
    const Variant& v = GetParam();
    ModelConfig config;
    config.name = "parity-" + v.name;
    config.num_classes = kNumClasses;
    config.backbone.depth = v.depth;
    config.transform.min_size = {v.min_size};
    config.transform.max_size = v.max_size;
    model = MaskRcnn(config);
    model->eval();
    const auto report = model->load_weights(load_state_dict(kDir + "/" + v.name + "_weights.pth"));
    ASSERT_TRUE(report.clean()) << report.describe();
    reference = load_tensors(kDir + "/" + v.name + "_reference.pth");
  }

  MaskRcnn model{nullptr};
  std::map<std::string, torch::Tensor> reference;
};

TEST_P(MaskRcnnParity, StateDictKeysAndShapesMatchTorchvision) {
  std::ifstream file(kDir + "/" + GetParam().name + "_keys.json");
  const auto keys = nlohmann::json::parse(file);
  std::map<std::string, std::vector<std::int64_t>> ours;
  for (const auto& item : model->named_parameters()) ours[item.key()] = item.value().sizes().vec();
  for (const auto& item : model->named_buffers()) ours[item.key()] = item.value().sizes().vec();
  std::size_t compared = 0;
  for (const auto& entry : keys) {
    const std::string name = entry[0].get<std::string>();
    // torchvision builds this untrained model with BatchNorm2d; ours uses FrozenBatchNorm2d, which (as in
    // torchvision) has no batch counter.
    if (name.size() > 19 && name.substr(name.size() - 19) == "num_batches_tracked") continue;
    ASSERT_TRUE(ours.count(name)) << "missing " << name;
    EXPECT_EQ(ours[name], entry[1].get<std::vector<std::int64_t>>()) << name;
    ours.erase(name);
    ++compared;
  }
  EXPECT_TRUE(ours.empty()) << "extra key " << (ours.empty() ? "" : ours.begin()->first);
  EXPECT_GT(compared, 100u);
}

TEST_P(MaskRcnnParity, FeaturesProposalsAndDetectionsMatchTorchvision) {
  torch::NoGradGuard no_grad;
  const auto image = reference.at("image");
  const auto backbone = model->extract_features({image});
  ASSERT_EQ(backbone.images.tensors.sizes().vec(), reference.at("batch").sizes().vec());
  EXPECT_LT((backbone.images.tensors - reference.at("batch")).abs().max().item<double>(), 1e-5);

  // FPN features within 1e-4 relative to each level's largest magnitude.
  const char* names[] = {"feature_0", "feature_1", "feature_2", "feature_3", "feature_pool"};
  for (std::size_t level = 0; level < 5; ++level) {
    const auto& expected = reference.at(names[level]);
    ASSERT_EQ(backbone.features[level].sizes(), expected.sizes()) << names[level];
    const double error = (backbone.features[level] - expected).abs().max().item<double>();
    EXPECT_LE(error, 1e-4 * expected.abs().max().item<double>()) << names[level];
  }

  // >= 99% of the proposals identical (to 1e-3 pixel).
  const auto rpn = model->rpn()->forward(backbone.images, backbone.features, nullptr, false);
  const auto& proposals = rpn.proposals[0];
  const auto& expected_proposals = reference.at("proposals");
  ASSERT_GT(expected_proposals.size(0), 100);
  const auto difference = (proposals.unsqueeze(1) - expected_proposals.unsqueeze(0)).abs().amax(2);
  const auto found = (std::get<0>(difference.min(0)) < 1e-3).sum().item<double>();
  EXPECT_GE(found / static_cast<double>(expected_proposals.size(0)), 0.99)
      << found << " of " << expected_proposals.size(0) << " (C++ has " << proposals.size(0) << ")";
  EXPECT_EQ(proposals.size(0), expected_proposals.size(0));

  // >= 98% of the detections matched: same label, box IoU >= 0.99, score within 1e-3, mask IoU >= 0.98.
  const auto detections = model->predict({image})[0];
  const auto& boxes = reference.at("boxes");
  const auto& labels = reference.at("labels");
  const auto& scores = reference.at("scores");
  const auto masks = reference.at("masks") > 0.5;
  ASSERT_GT(boxes.size(0), 10) << "reference has too few detections to compare";
  EXPECT_EQ(detections.boxes.size(0), boxes.size(0));
  const auto iou = box_iou(boxes, detections.boxes);
  const auto our_masks = detections.masks > 0.5;
  std::int64_t matched = 0;
  for (std::int64_t i = 0; i < boxes.size(0); ++i) {
    const auto candidates = (iou[i] >= 0.99) & (detections.labels == labels[i]) &
                            ((detections.scores - scores[i]).abs() <= 1e-3);
    if (!candidates.any().item<bool>()) continue;
    const auto j = torch::where(candidates)[0][0].item<std::int64_t>();
    const auto intersection = (masks[i] & our_masks[j]).sum().item<double>();
    const auto union_ = (masks[i] | our_masks[j]).sum().item<double>();
    if (union_ == 0 || intersection / union_ >= 0.98) ++matched;
  }
  EXPECT_GE(static_cast<double>(matched) / static_cast<double>(boxes.size(0)), 0.98)
      << matched << " of " << boxes.size(0) << " detections matched";
}

INSTANTIATE_TEST_SUITE_P(Torchvision, MaskRcnnParity, ::testing::Values(kR50, kR18),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace counterscope::modeling
