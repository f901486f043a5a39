// `counterscope-cli predict` as a user runs it on a dataset: with --ann, --images takes the dataset's image
// root (the folder holding train2017/ and val2017/) as every other command does, and exactly the dataset's
// images are predicted; a dataset image missing on disk is reported and skipped; a plain folder still works.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/data/lvis/lvis_loader.h"
#include "tests/support/cli_process.h"
#include "tests/support/tiny_synthetic_world.h"
#include "tests/test_paths.h"

namespace counterscope::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kRoot = fs::path(COUNTERSCOPE_TEST_TMP_DIR) / "test_predict_command";

class PredictCommand : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fs::remove_all(kRoot);
    fs::create_directories(kRoot);
    s_world = write_tiny_world(kRoot / "world");
    write_tiny_64px_model_config(kRoot / "model.json");
    // A detector trained for one iteration: its detections do not matter here, only which images they are of.
    ASSERT_EQ(run_to_end({COUNTERSCOPE_CLI_PATH, "train", "--model", (kRoot / "model.json").string(), "--ann",
                          s_world.train_annotations.string(), "--images", s_world.image_root.string(), "--iters", "1",
                          "--batch", "2", "--threads", "1", "--out", (kRoot / "detector").string()},
                         kRoot / "train.log"),
              0)
        << file_text(kRoot / "train.log.err");
  }

  static std::vector<std::string> predict(const std::vector<std::string>& images, const fs::path& out) {
    std::vector<std::string> args = {COUNTERSCOPE_CLI_PATH, "predict", "--model",
                                     (kRoot / "detector" / "model.json").string(), "--weights",
                                     (kRoot / "detector" / "model.safetensors").string(), "--threads", "1",
                                     "--score-thresh", "0", "--out", out.string(), "--images"};
    args.insert(args.end(), images.begin(), images.end());
    return args;
  }

  static std::set<std::int64_t> val_image_ids() {
    std::set<std::int64_t> ids;
    for (const auto& image : data::load_dataset(s_world.val_annotations.string()).images) ids.insert(image.id);
    return ids;
  }

  static TinyWorldPaths s_world;
};

TinyWorldPaths PredictCommand::s_world;

TEST_F(PredictCommand, ImageRootWithAnnotationsPredictsExactlyTheDatasetsImages) {
  std::vector<std::string> args = predict({s_world.image_root.string()}, kRoot / "root.json");
  args.insert(args.end(), {"--ann", s_world.val_annotations.string()});
  ASSERT_EQ(run_to_end(args, kRoot / "root.log"), 0) << file_text(kRoot / "root.log.err");
  const auto summary = nlohmann::json::parse(file_text(kRoot / "root.log"));
  const std::set<std::int64_t> expected = val_image_ids();
  EXPECT_EQ(summary["images"].get<std::size_t>(), expected.size());
  EXPECT_EQ(summary["processed"].get<std::size_t>(), expected.size());
  EXPECT_TRUE(summary["skipped"].empty());
  const auto results = nlohmann::json::parse(file_text(kRoot / "root.json"));
  for (const auto& detection : results)
    EXPECT_TRUE(expected.count(detection["image_id"].get<std::int64_t>())) << detection["image_id"];

  // The val2017/ folder itself (a plain folder of the split's files) gives the same detections.
  std::vector<std::string> plain = predict({(s_world.image_root / "val2017").string()}, kRoot / "plain.json");
  plain.insert(plain.end(), {"--ann", s_world.val_annotations.string()});
  ASSERT_EQ(run_to_end(plain, kRoot / "plain.log"), 0) << file_text(kRoot / "plain.log.err");
  EXPECT_EQ(nlohmann::json::parse(file_text(kRoot / "plain.json")), results);
}

TEST_F(PredictCommand, MissingDatasetImageIsSkippedWithItsId) {
  // A copy of the val split's images with one file removed.
  const fs::path copy = kRoot / "partial-images";
  fs::create_directories(copy);
  fs::copy(s_world.image_root / "val2017", copy / "val2017", fs::copy_options::recursive);
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(copy / "val2017")) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  fs::remove(files.front());

  std::vector<std::string> args = predict({copy.string()}, kRoot / "partial.json");
  args.insert(args.end(), {"--ann", s_world.val_annotations.string()});
  ASSERT_EQ(run_to_end(args, kRoot / "partial.log"), 0) << file_text(kRoot / "partial.log.err");
  const auto summary = nlohmann::json::parse(file_text(kRoot / "partial.log"));
  EXPECT_EQ(summary["processed"].get<std::size_t>(), val_image_ids().size() - 1);
  ASSERT_EQ(summary["skipped"].size(), 1u);
  EXPECT_NE(file_text(kRoot / "partial.log.err").find(files.front().filename().string()), std::string::npos)
      << file_text(kRoot / "partial.log.err");
}

TEST_F(PredictCommand, RootWithoutImagesAndWithoutAnnotationsIsAUsageError) {
  // Without --ann a folder holding only split folders has no image files: a usage error (exit 2), as before.
  EXPECT_EQ(run_to_end(predict({s_world.image_root.string()}, kRoot / "none.json"), kRoot / "none.log"), 2);
  EXPECT_NE(file_text(kRoot / "none.log.err").find("no image files found"), std::string::npos);
  // With --ann and a root that holds none of the dataset's images: a failure naming the root.
  const fs::path empty = kRoot / "empty-root";
  fs::create_directories(empty);
  std::vector<std::string> args = predict({empty.string()}, kRoot / "empty.json");
  args.insert(args.end(), {"--ann", s_world.val_annotations.string()});
  EXPECT_EQ(run_to_end(args, kRoot / "empty.log"), 1);
  EXPECT_NE(file_text(kRoot / "empty.log.err").find("empty-root"), std::string::npos)
      << file_text(kRoot / "empty.log.err");
}

}  // namespace
}  // namespace counterscope::testing
