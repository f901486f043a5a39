// `evaluate`'s analyses end to end, as a user runs them: on a tiny world written with `synth --label-noise`,
// two results files (the clean annotations as a perfect model, and a weaker copy), the confusion matrix,
// calibration, model diff and label-error ranking checked against the planted errors, every file read back;
// the options in --help; usage errors; and bad input (unknown categories, an empty split, a label-noise file of
// another split) giving a clear message, never a crash.

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/cli_process.h"
#include "tests/test_paths.h"

namespace counterscope::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kRoot = fs::path(COUNTERSCOPE_TEST_TMP_DIR) / "test_evaluate_command";
const std::string kCli = COUNTERSCOPE_CLI_PATH;

nlohmann::json read_json(const fs::path& path) {
  return nlohmann::json::parse(file_text(path), nullptr, /*allow_exceptions=*/false);
}

/// The annotations of `ann` as results: every box with `score`; with `wrong_every`, every n-th one gets the next
/// category id (a confusion) and a lower score.
void write_results(const fs::path& ann, const fs::path& out, double score, int wrong_every = 0) {
  const auto dataset = read_json(ann);
  const auto category_count = static_cast<std::int64_t>(dataset["categories"].size());
  auto results = nlohmann::json::array();
  int k = 0;
  for (const auto& a : dataset["annotations"]) {
    std::int64_t category = a["category_id"];
    double s = score;
    if (wrong_every > 0 && ++k % wrong_every == 0) {
      category = category % category_count + 1;
      s = score / 2;
    }
    results.push_back({{"image_id", a["image_id"]}, {"category_id", category}, {"bbox", a["bbox"]}, {"score", s}});
  }
  std::ofstream(out) << results.dump();
}

class EvaluateCommand : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fs::remove_all(kRoot);
    fs::create_directories(kRoot);
    for (const auto& [name, noise] : {std::pair<std::string, std::string>{"clean", "0"}, {"noisy", "0.1"}}) {
      ASSERT_EQ(run_to_end({kCli, "synth", "--out", (kRoot / name).string(), "--train-images", "40", "--val-images",
                            "12", "--size", "64x64", "--threads", "1", "--label-noise", noise},
                           kRoot / (name + ".log")),
                0)
          << file_text(kRoot / (name + ".log.err"));
    }
    write_results(kRoot / "clean" / "annotations" / "train.json", kRoot / "perfect.json", 0.9);
    write_results(kRoot / "clean" / "annotations" / "train.json", kRoot / "weaker.json", 0.8, 4);
  }
  static std::string noisy_train() { return (kRoot / "noisy" / "annotations" / "train.json").string(); }
  static std::string clean_train() { return (kRoot / "clean" / "annotations" / "train.json").string(); }
};

TEST_F(EvaluateCommand, HelpNamesTheAnalyses) {
  ASSERT_EQ(run_to_end({kCli, "evaluate", "--help"}, kRoot / "help.log"), 0);
  const auto help = file_text(kRoot / "help.log");
  for (const char* option : {"--confusion", "--confusion-iou", "--min-score", "--calibration", "--bins",
                             "--compare-results", "--diff", "--label-errors", "--planted"}) {
    EXPECT_NE(help.find(option), std::string::npos) << option;
  }
  ASSERT_EQ(run_to_end({kCli, "synth", "--help"}, kRoot / "synth-help.log"), 0);
  EXPECT_NE(file_text(kRoot / "synth-help.log").find("--label-noise"), std::string::npos);
}

TEST_F(EvaluateCommand, EveryAnalysisOnAWorldWithPlantedErrors) {
  EXPECT_FALSE(fs::exists(kRoot / "clean" / "label-noise.json"));
  ASSERT_TRUE(fs::exists(kRoot / "noisy" / "label-noise.json"));
  const fs::path log = kRoot / "all.log";
  ASSERT_EQ(run_to_end({kCli, "evaluate", "--ann", noisy_train(), "--results", (kRoot / "perfect.json").string(),
                        "--iou-type", "both", "--threads", "1", "--confusion", (kRoot / "confusion.json").string(),
                        "--calibration", (kRoot / "calibration.csv").string(), "--compare-results",
                        (kRoot / "weaker.json").string(), "--diff", (kRoot / "diff.json").string(), "--label-errors",
                        (kRoot / "label-errors.json").string(), "--planted",
                        (kRoot / "noisy" / "label-noise.json").string()},
                       log),
            0)
      << file_text(log.string() + ".err");
  const auto text = file_text(log);
  EXPECT_NE(text.find("Top confusions (truth -> predicted)"), std::string::npos) << text;
  EXPECT_NE(text.find("Calibration (bbox"), std::string::npos);
  EXPECT_NE(text.find("Model diff (segm): A = perfect, B = weaker"), std::string::npos);
  EXPECT_NE(text.find("precision@k"), std::string::npos);

  const auto confusion = read_json(kRoot / "confusion.json");
  ASSERT_TRUE(confusion.contains("bbox") && confusion.contains("segm")) << confusion.dump().substr(0, 200);
  // The perfect model against swapped annotations: confusions exist, and each swap is one.
  EXPECT_FALSE(confusion["bbox"]["top_confusions"].empty());
  const auto calibration = file_text(kRoot / "calibration.csv");
  EXPECT_EQ(calibration.rfind("iou_type,group,bin,", 0), 0u);
  EXPECT_NE(calibration.find("segm,frequent,9,"), std::string::npos);
  const auto diff = read_json(kRoot / "diff.json");
  EXPECT_GT(diff["bbox"]["broken"].get<int>(), 0);  // every 4th annotation is confused by the weaker copy
  EXPECT_EQ(diff["bbox"]["model_b"], "weaker");
  const auto errors = read_json(kRoot / "label-errors.json");
  const auto& check = errors["check"];
  EXPECT_GT(check["known"].get<int>(), 0);
  // The clean annotations as the model: every candidate is a planted error.
  EXPECT_EQ(check["found"], check["candidates"]);
  EXPECT_DOUBLE_EQ(check["at_k"][0]["precision"].get<double>(), 1.0);
}

TEST_F(EvaluateCommand, UsageErrors) {
  const std::vector<std::string> base = {kCli, "evaluate", "--ann", clean_train(), "--results",
                                         (kRoot / "perfect.json").string(), "--iou-type", "bbox"};
  auto run_with = [&](std::vector<std::string> extra) {
    auto args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return run_to_end(args, kRoot / "usage.log");
  };
  EXPECT_EQ(run_with({"--confusion", (kRoot / "confusion.txt").string()}), 2);
  EXPECT_NE(file_text(kRoot / "usage.log.err").find(".json or .csv"), std::string::npos);
  EXPECT_EQ(run_with({"--diff", (kRoot / "d.json").string()}), 2);
  EXPECT_NE(file_text(kRoot / "usage.log.err").find("--diff needs --compare-results"), std::string::npos);
  EXPECT_EQ(run_with({"--planted", (kRoot / "noisy" / "label-noise.json").string()}), 2);
  EXPECT_EQ(run_with({"--confusion", (kRoot / "c.csv").string(), "--confusion-iou", "0"}), 2);
  EXPECT_EQ(run_with({"--calibration", (kRoot / "c.json").string(), "--bins", "0"}), 2);
  EXPECT_EQ(run_with({"--min-score", "-1"}), 2);
  EXPECT_EQ(run_to_end({kCli, "synth", "--out", (kRoot / "bad").string(), "--label-noise", "2"}, kRoot / "usage.log"), 2);
}

TEST_F(EvaluateCommand, BadInputIsAClearError) {
  // Results naming a category the dataset lacks, as --results and as --compare-results.
  std::ofstream(kRoot / "unknown.json") << R"([{"image_id": 1, "category_id": 999, "bbox": [0, 0, 5, 5], "score": 0.5}])";
  const fs::path log = kRoot / "bad.log";
  EXPECT_EQ(run_to_end({kCli, "evaluate", "--ann", clean_train(), "--results", (kRoot / "unknown.json").string(),
                        "--confusion", (kRoot / "c.csv").string()},
                       log),
            1);
  EXPECT_NE(file_text(log.string() + ".err").find("999"), std::string::npos) << file_text(log.string() + ".err");
  EXPECT_EQ(run_to_end({kCli, "evaluate", "--ann", clean_train(), "--results", (kRoot / "perfect.json").string(),
                        "--compare-results", (kRoot / "unknown.json").string()},
                       log),
            1);
  EXPECT_NE(file_text(log.string() + ".err").find("unknown.json"), std::string::npos);
  // The planted errors of the noisy world do not belong to the clean split.
  EXPECT_EQ(run_to_end({kCli, "evaluate", "--ann", clean_train(), "--results", (kRoot / "perfect.json").string(),
                        "--iou-type", "bbox", "--label-errors", (kRoot / "le.csv").string(), "--planted",
                        (kRoot / "noisy" / "label-noise.json").string()},
                       log),
            1);
  EXPECT_NE(file_text(log.string() + ".err").find("no split's planted errors"), std::string::npos)
      << file_text(log.string() + ".err");
}

TEST_F(EvaluateCommand, EmptySplitWarnsAndWritesEmptyTables) {
  auto dataset = read_json(clean_train());
  dataset["images"] = nlohmann::json::array();
  dataset["annotations"] = nlohmann::json::array();
  std::ofstream(kRoot / "empty.json") << dataset.dump();
  std::ofstream(kRoot / "no-results.json") << "[]";
  const fs::path log = kRoot / "empty.log";
  ASSERT_EQ(run_to_end({kCli, "evaluate", "--ann", (kRoot / "empty.json").string(), "--results",
                        (kRoot / "no-results.json").string(), "--iou-type", "bbox", "--confusion",
                        (kRoot / "empty-confusion.csv").string(), "--calibration", (kRoot / "empty-cal.json").string(),
                        "--compare-results", (kRoot / "no-results.json").string(), "--diff",
                        (kRoot / "empty-diff.csv").string(), "--label-errors", (kRoot / "empty-le.json").string()},
                       log),
            0)
      << file_text(log.string() + ".err");
  const auto warnings = file_text(log.string() + ".err");
  EXPECT_NE(warnings.find("warning: confusion matrix: no ground truth"), std::string::npos) << warnings;
  EXPECT_NE(warnings.find("warning: calibration: no evaluated detections"), std::string::npos);
  EXPECT_NE(warnings.find("warning: diff: the split has no ground truth"), std::string::npos);
  EXPECT_EQ(file_text(kRoot / "empty-confusion.csv"),
            "iou_type,predicted_id,predicted,predicted_frequency,truth_id,truth,truth_frequency,count\n");
  EXPECT_DOUBLE_EQ(read_json(kRoot / "empty-cal.json")["bbox"]["overall"]["ECE"].get<double>(), -1.0);
  EXPECT_TRUE(read_json(kRoot / "empty-le.json")["candidates"].empty());
}

}  // namespace
}  // namespace counterscope::testing
