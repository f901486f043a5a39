// `counterscope-cli train` as a user runs it: Ctrl-C (SIGINT) stops after the current iteration, writes a
// checkpoint and exits with 130; `--resume` continues from it to the end.

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/cli_process.h"
#include "tests/test_paths.h"

namespace {

namespace fs = std::filesystem;
using counterscope::testing::file_text;
using counterscope::testing::run_to_end;
using counterscope::testing::spawn;
using counterscope::testing::wait_exit_code;

const fs::path kRoot = fs::path(COUNTERSCOPE_TEST_TMP_DIR) / "test_train_interrupt";

std::vector<std::int64_t> logged_iterations(const fs::path& metrics) {
  std::vector<std::int64_t> iterations;
  std::ifstream in(metrics);
  for (std::string line; std::getline(in, line);) {
    const auto record = nlohmann::json::parse(line, nullptr, false);
    if (record.is_object() && record.contains("loss")) iterations.push_back(record["iteration"].get<std::int64_t>());
  }
  return iterations;
}

TEST(TrainCommand, InterruptWritesACheckpointAndResumeFinishes) {
  fs::remove_all(kRoot);
  fs::create_directories(kRoot);
  const std::string cli = COUNTERSCOPE_CLI_PATH;
  ASSERT_EQ(wait_exit_code(spawn({cli, "synth", "--out", (kRoot / "world").string(), "--train-images", "24",
                                  "--val-images", "16", "--size", "64x64"},
                                 kRoot / "synth.log")),
            0);
  // The tiny preset shrunk to 64 px images so that an iteration takes a fraction of a second.
  std::ofstream((kRoot / "model.json").string()) << R"({"name": "tiny-64", "num_classes": 2,
    "backbone": {"depth": 18, "trainable_layers": 5, "fpn_channels": 32, "norm": "batch"},
    "anchors": {"sizes": [[16], [32], [64], [128], [256]],
                "aspect_ratios": [[1.0], [1.0], [1.0], [1.0], [1.0]]},
    "rpn": {"pre_nms_top_n_train": 64, "post_nms_top_n_train": 64, "pre_nms_top_n_test": 32,
            "post_nms_top_n_test": 32, "batch_size_per_image": 32},
    "roi": {"batch_size_per_image": 32, "box_head_width": 64, "mask_head_layers": [16],
            "mask_predictor_channels": 16},
    "transform": {"min_size": [64], "max_size": 64}})";
  const std::vector<std::string> train = {cli, "train", "--model", (kRoot / "model.json").string(), "--ann",
                                          (kRoot / "world" / "annotations" / "train.json").string(), "--images",
                                          (kRoot / "world" / "images").string(), "--batch", "2", "--lr", "0.005",
                                          "--checkpoint-period", "100000", "--threads", "1", "--out",
                                          (kRoot / "run").string()};
  std::vector<std::string> long_run = train;
  long_run.insert(long_run.end(), {"--iters", "100000"});
  const pid_t pid = spawn(long_run, kRoot / "train.log");
  // Wait until training is under way (the metrics log has its first line), then press Ctrl-C.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(3);
  while (logged_iterations(kRoot / "run" / "metrics.jsonl").empty() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ASSERT_FALSE(logged_iterations(kRoot / "run" / "metrics.jsonl").empty()) << "training never logged";
  kill(pid, SIGINT);
  EXPECT_EQ(wait_exit_code(pid), 130);
  std::int64_t stopped_at = 0;
  for (const auto& entry : fs::directory_iterator(kRoot / "run" / "checkpoints")) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("checkpoint_", 0) == 0) stopped_at = std::max<std::int64_t>(stopped_at, std::stoll(name.substr(11)));
  }
  ASSERT_GT(stopped_at, 0) << "no checkpoint after SIGINT";
  EXPECT_FALSE(fs::exists(kRoot / "run" / "model.safetensors")) << "an interrupted run must not look finished";

  std::vector<std::string> resumed = train;
  resumed.insert(resumed.end(), {"--iters", std::to_string(stopped_at + 3), "--resume"});
  ASSERT_EQ(wait_exit_code(spawn(resumed, kRoot / "resume.log")), 0);
  EXPECT_TRUE(fs::exists(kRoot / "run" / "model.safetensors"));
  const auto summary = nlohmann::json::parse(std::ifstream((kRoot / "resume.log").string()));
  EXPECT_EQ(summary["iterations"].get<std::int64_t>(), stopped_at + 3);
}

TEST(TrainCommand, BadRepeatFactorThresholdsAreUsageErrors) {
  fs::create_directories(kRoot);
  const std::string cli = COUNTERSCOPE_CLI_PATH;
  for (const std::string rfs : {"-0.1", "1.5", "abc", "0.05x", "nan", ""}) {
    const fs::path log = kRoot / "bad-rfs.log";
    EXPECT_EQ(run_to_end({cli, "train", "--ann", "missing.json", "--images", ".", "--out", (kRoot / "bad").string(),
                          "--rfs", rfs},
                         log),
              2)
        << "--rfs " << rfs;
    const std::string err = file_text(log.string() + ".err");
    EXPECT_NE(err.find("--rfs"), std::string::npos) << err;
    EXPECT_NE(err.find("auto"), std::string::npos) << err;
  }
}

TEST(TrainCommand, RepeatFactorSamplingOnADatasetWithoutAnnotationsFails) {
  fs::create_directories(kRoot);
  const fs::path ann = kRoot / "no-annotations.json";
  std::ofstream(ann.string()) << R"({"images": [{"id": 1, "width": 8, "height": 8, "file_name": "a.png", "neg_category_ids": [],
                 "not_exhaustive_category_ids": []}],
    "annotations": [], "categories": [{"id": 1, "name": "a", "frequency": "r"}]})";
  const fs::path log = kRoot / "rfs-empty.log";
  EXPECT_EQ(run_to_end({COUNTERSCOPE_CLI_PATH, "train", "--ann", ann.string(), "--images", kRoot.string(), "--out",
                        (kRoot / "rfs-empty").string(), "--rfs", "auto", "--threads", "1"},
                       log),
            1);
  const std::string err = file_text(log.string() + ".err");
  EXPECT_NE(err.find("no-annotations.json"), std::string::npos) << err;
  EXPECT_NE(err.find("repeat-factor sampling needs annotated images"), std::string::npos) << err;
}

}  // namespace
