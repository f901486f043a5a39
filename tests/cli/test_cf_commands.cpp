// The counterfactual commands end to end, chained as a user runs them on a tiny world: `train` a detector,
// `cf-train` a generator for it, a second phase from that generator (`--init-generator`), then `cf-eval`, whose
// JSON must hold the mean measures and the attainment per frequency group of the targets, and `cf-eval --refine`
// (the generator's maps refined by the optimiser). On a world written by `synth`: `cf-eval --twin` (the
// ground-truth twins as the maps) and `--with-twin` (an explainer split by where the twins attain).

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/cli_process.h"
#include "tests/support/tiny_synthetic_world.h"
#include "tests/test_paths.h"

namespace counterscope::testing {
namespace {

namespace fs = std::filesystem;

const fs::path kRoot = fs::path(COUNTERSCOPE_TEST_TMP_DIR) / "test_cf_commands";

nlohmann::json printed_json(const fs::path& log) {
  const std::string text = file_text(log);
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
}

TEST(CounterfactualCommands, TrainAGeneratorContinueItFromItsFileAndEvaluate) {
  fs::remove_all(kRoot);
  fs::create_directories(kRoot);
  const std::string cli = COUNTERSCOPE_CLI_PATH;
  const TinyWorldPaths world = write_tiny_world(kRoot / "world");
  write_tiny_64px_model_config(kRoot / "model.json");
  const std::string model = (kRoot / "model.json").string();
  const std::string detector = (kRoot / "detector" / "model.safetensors").string();
  const std::string trained_model = (kRoot / "detector" / "model.json").string();  // with the world's class count

  ASSERT_EQ(run_to_end({cli, "train", "--model", model, "--ann", world.train_annotations.string(), "--images",
                        world.image_root.string(), "--iters", "2", "--batch", "2", "--lr", "0.005", "--threads", "1",
                        "--out", (kRoot / "detector").string()},
                       kRoot / "train.log"),
            0)
      << file_text(kRoot / "train.log.err");

  const std::vector<std::string> cf_train = {cli, "cf-train", "--model", trained_model, "--weights", detector, "--ann",
                                             world.train_annotations.string(), "--images", world.image_root.string(),
                                             "--target-loss", "cls", "--threads", "1"};
  std::vector<std::string> phase1 = cf_train;
  phase1.insert(phase1.end(), {"--iters", "2", "--out", (kRoot / "phase1").string()});
  ASSERT_EQ(run_to_end(phase1, kRoot / "phase1.log"), 0) << file_text(kRoot / "phase1.log.err");
  const std::string first_generator = (kRoot / "phase1" / "generator.safetensors").string();
  ASSERT_TRUE(fs::exists(first_generator));

  // Phase 2 starts from phase 1's file, and says so.
  std::vector<std::string> phase2 = cf_train;
  phase2.insert(phase2.end(),
                {"--iters", "1", "--out", (kRoot / "phase2").string(), "--init-generator", first_generator});
  ASSERT_EQ(run_to_end(phase2, kRoot / "phase2.log"), 0) << file_text(kRoot / "phase2.log.err");
  const nlohmann::json phase2_summary = printed_json(kRoot / "phase2.log");
  ASSERT_TRUE(phase2_summary.is_object()) << file_text(kRoot / "phase2.log");
  EXPECT_EQ(phase2_summary.value("initialized_from", ""), first_generator);
  EXPECT_TRUE(phase2_summary.value("completed", false));

  // A file that is no generator is refused with its name and the field at fault, before any training.
  std::vector<std::string> wrong = cf_train;
  wrong.insert(wrong.end(), {"--iters", "1", "--out", (kRoot / "wrong").string(), "--init-generator", detector});
  EXPECT_NE(run_to_end(wrong, kRoot / "wrong.log"), 0);
  const std::string refusal = file_text(kRoot / "wrong.log.err");
  EXPECT_NE(refusal.find(detector), std::string::npos) << refusal;
  EXPECT_NE(refusal.find("__metadata__.format"), std::string::npos) << refusal;
  EXPECT_FALSE(fs::exists(kRoot / "wrong" / "generator.safetensors"));

  const int pairs = 6;
  ASSERT_EQ(run_to_end({cli, "cf-eval", "--model", trained_model, "--weights", detector, "--generator",
                        (kRoot / "phase2" / "generator.safetensors").string(), "--ann", world.val_annotations.string(),
                        "--images", world.image_root.string(), "--pairs", std::to_string(pairs), "--seed", "0",
                        "--threads", "1"},
                       kRoot / "cf-eval.log"),
            0)
      << file_text(kRoot / "cf-eval.log.err");
  const nlohmann::json measures = printed_json(kRoot / "cf-eval.log");
  ASSERT_TRUE(measures.is_object()) << file_text(kRoot / "cf-eval.log");
  EXPECT_EQ(measures.at("method"), "generator");
  EXPECT_EQ(measures.at("pairs"), pairs);
  const double attained = measures.at("target_attained").get<double>();
  EXPECT_GE(attained, 0.0);
  EXPECT_LE(attained, 1.0);
  // The per-group rates cover every pair once and average back to the overall rate.
  std::int64_t grouped_pairs = 0;
  double grouped_attained = 0;
  for (const auto& [group, rate] : measures.at("target_attained_by_group").items()) {
    EXPECT_TRUE(std::set<std::string>({"rare", "common", "frequent"}).count(group)) << group;
    const std::int64_t count = rate.at("pairs").get<std::int64_t>();
    EXPECT_GT(count, 0);
    grouped_pairs += count;
    grouped_attained += rate.at("attained").get<double>() * static_cast<double>(count);
  }
  EXPECT_EQ(grouped_pairs, pairs);
  EXPECT_NEAR(grouped_attained / pairs, attained, 1e-9);
  for (const char* key : {"score_gain", "locality", "sparsity", "seconds"})
    EXPECT_TRUE(measures.at(key).is_number()) << key;
  const double recognised = measures.at("source_recognised").get<double>();
  EXPECT_GE(recognised, 0.0);
  EXPECT_LE(recognised, 1.0);

  // The same pairs refined from the generator's maps: the refinement stops at the first attaining step, so it
  // attains at least as often as the generator alone, within its step cap.
  const int refine_steps = 3;
  ASSERT_EQ(run_to_end({cli, "cf-eval", "--model", trained_model, "--weights", detector, "--generator",
                        (kRoot / "phase2" / "generator.safetensors").string(), "--refine", std::to_string(refine_steps),
                        "--outside-weight", "50", "--per-pair", (kRoot / "pairs.jsonl").string(), "--ann",
                        world.val_annotations.string(), "--images",
                        world.image_root.string(), "--pairs", std::to_string(pairs), "--seed", "0", "--threads", "1"},
                       kRoot / "cf-eval-refine.log"),
            0)
      << file_text(kRoot / "cf-eval-refine.log.err");
  const nlohmann::json refined = printed_json(kRoot / "cf-eval-refine.log");
  ASSERT_TRUE(refined.is_object()) << file_text(kRoot / "cf-eval-refine.log");
  EXPECT_EQ(refined.at("method"), "generator+optimize");
  EXPECT_GE(refined.at("target_attained").get<double>(), attained);
  EXPECT_LE(refined.at("steps").get<double>(), refine_steps);
  // Attainment within step budgets: non-decreasing, and at the cap it is the overall rate.
  const auto& within = refined.at("attained_within_steps");
  EXPECT_EQ(within.size(), 3u) << within.dump();  // budgets 0, 1 and 2 (5 is over the cap of 3)
  double previous = 0;
  for (const auto& [budget, rate] : within.items()) {
    EXPECT_GE(rate.get<double>(), previous) << budget;
    previous = rate.get<double>();
  }
  // One line per pair, whose attained flags and steps give the same rates.
  std::ifstream lines(kRoot / "pairs.jsonl");
  std::string line;
  int count = 0, attained_pairs = 0, attained_by_step_two = 0;
  while (std::getline(lines, line)) {
    const auto record = nlohmann::json::parse(line);
    ++count;
    const bool hit = record.at("target_attained").get<bool>();
    attained_pairs += hit ? 1 : 0;
    attained_by_step_two += hit && record.at("steps").get<int>() <= 2 ? 1 : 0;
    EXPECT_TRUE(record.contains("target_group") && record.contains("annotation_id")) << line;
  }
  EXPECT_EQ(count, pairs);
  EXPECT_NEAR(static_cast<double>(attained_pairs) / pairs, refined.at("target_attained").get<double>(), 1e-12);
  EXPECT_NEAR(static_cast<double>(attained_by_step_two) / pairs, within.at("2").get<double>(), 1e-12);

  // augment with refined maps: the run's settings name the refinement, so that resuming it with another
  // explainer (here: without --refine) is refused instead of mixing two explainers' images.
  const std::vector<std::string> augment = {cli, "augment", "--method", "counterfactual", "--model", trained_model,
                                            "--weights", detector, "--generator",
                                            (kRoot / "phase2" / "generator.safetensors").string(), "--ann",
                                            world.train_annotations.string(), "--images", world.image_root.string(),
                                            "--min-images", "3", "--max-attempts", "1", "--accept-score", "0",
                                            "--threads", "1", "--out", (kRoot / "augment").string()};
  std::vector<std::string> refined_augment = augment;
  refined_augment.insert(refined_augment.end(), {"--refine", "2", "--outside-weight", "50"});
  const int augment_exit = run_to_end(refined_augment, kRoot / "augment.log");
  EXPECT_TRUE(augment_exit == 0 || augment_exit == 3) << augment_exit << file_text(kRoot / "augment.log.err");
  const auto settings = nlohmann::json::parse(file_text(kRoot / "augment" / "augment.json"), nullptr, false);
  ASSERT_TRUE(settings.is_object()) << file_text(kRoot / "augment.log.err");
  EXPECT_EQ(settings.value("refine", ""), "2");
  EXPECT_EQ(settings.value("outside_weight", ""), "50");
  EXPECT_NE(run_to_end(augment, kRoot / "augment-unrefined.log"), 0);
  EXPECT_NE(file_text(kRoot / "augment-unrefined.log.err").find("other settings"), std::string::npos)
      << file_text(kRoot / "augment-unrefined.log.err");
  std::vector<std::string> transforms_refined = {cli, "augment", "--method", "transforms", "--ann",
                                                 world.train_annotations.string(), "--images",
                                                 world.image_root.string(), "--min-images", "3", "--refine", "2",
                                                 "--out", (kRoot / "augment-transforms").string()};
  EXPECT_EQ(run_to_end(transforms_refined, kRoot / "augment-transforms.log"), 2);

  // --refine refines a generator's map: without --generator it is a usage error, before any loading.
  EXPECT_NE(run_to_end({cli, "cf-eval", "--model", trained_model, "--weights", detector, "--optimize", "5",
                        "--refine", "3", "--ann", world.val_annotations.string(), "--images",
                        world.image_root.string(), "--pairs", "1"},
                       kRoot / "cf-eval-bad.log"),
            0);
  EXPECT_NE(file_text(kRoot / "cf-eval-bad.log.err").find("--refine"), std::string::npos)
      << file_text(kRoot / "cf-eval-bad.log.err");
  // --twin replaces the explainer by the synthetic world's twins: with another explainer, or without the world
  // it reads them from, it is a usage error.
  const std::vector<std::string> eval_base = {cli, "cf-eval", "--model", trained_model, "--weights", detector,
                                              "--ann", world.val_annotations.string(), "--images",
                                              world.image_root.string(), "--pairs", "1"};
  std::vector<std::string> twin_and_generator = eval_base;
  twin_and_generator.insert(twin_and_generator.end(), {"--twin", "--world", (kRoot / "world").string(), "--generator",
                                                       (kRoot / "phase2" / "generator.safetensors").string()});
  EXPECT_EQ(run_to_end(twin_and_generator, kRoot / "cf-eval-twin-twice.log"), 2);
  EXPECT_NE(file_text(kRoot / "cf-eval-twin-twice.log.err").find("exactly one"), std::string::npos)
      << file_text(kRoot / "cf-eval-twin-twice.log.err");
  std::vector<std::string> twin_without_world = eval_base;
  twin_without_world.push_back("--twin");
  EXPECT_EQ(run_to_end(twin_without_world, kRoot / "cf-eval-twin-alone.log"), 2);
  EXPECT_NE(file_text(kRoot / "cf-eval-twin-alone.log.err").find("--world"), std::string::npos)
      << file_text(kRoot / "cf-eval-twin-alone.log.err");
  std::vector<std::string> context_without_twin = eval_base;
  context_without_twin.insert(context_without_twin.end(), {"--twin-context", "--optimize", "2"});
  EXPECT_EQ(run_to_end(context_without_twin, kRoot / "cf-eval-context-alone.log"), 2);
  EXPECT_NE(file_text(kRoot / "cf-eval-context-alone.log.err").find("--twin-context"), std::string::npos)
      << file_text(kRoot / "cf-eval-context-alone.log.err");
  std::vector<std::string> box_without_twin = eval_base;
  box_without_twin.insert(box_without_twin.end(), {"--twin-box", "--optimize", "2"});
  EXPECT_EQ(run_to_end(box_without_twin, kRoot / "cf-eval-box-alone.log"), 2);
  EXPECT_NE(file_text(kRoot / "cf-eval-box-alone.log.err").find("--twin-box"), std::string::npos)
      << file_text(kRoot / "cf-eval-box-alone.log.err");
}

TEST(CounterfactualCommands, TwinsOfASyntheticWorldAreTheReference) {
  const fs::path root = kRoot.parent_path() / "test_cf_commands_twin";
  fs::remove_all(root);
  fs::create_directories(root);
  const std::string cli = COUNTERSCOPE_CLI_PATH;
  ASSERT_EQ(run_to_end({cli, "synth", "--out", (root / "world").string(), "--train-images", "24", "--val-images", "16",
                        "--size", "64x64"},
                       root / "synth.log"),
            0)
      << file_text(root / "synth.log.err");
  write_tiny_64px_model_config(root / "model.json");
  const std::string annotations = (root / "world" / "annotations" / "val.json").string();
  const std::string images = (root / "world" / "images").string();
  ASSERT_EQ(run_to_end({cli, "train", "--model", (root / "model.json").string(), "--ann",
                        (root / "world" / "annotations" / "train.json").string(), "--images", images, "--iters", "2",
                        "--batch", "2", "--threads", "1", "--out", (root / "detector").string()},
                       root / "train.log"),
            0)
      << file_text(root / "train.log.err");
  const std::vector<std::string> eval = {cli, "cf-eval", "--model", (root / "detector" / "model.json").string(),
                                         "--weights", (root / "detector" / "model.safetensors").string(), "--ann",
                                         annotations, "--images", images, "--world", (root / "world").string(),
                                         "--pairs", "4", "--seed", "3", "--threads", "1"};

  // The twin as the map: it is its own ground truth (NCC 1 up to clamping and the JPEG of X).
  std::vector<std::string> twin = eval;
  twin.insert(twin.end(), {"--twin", "--per-pair", (root / "twin.jsonl").string()});
  ASSERT_EQ(run_to_end(twin, root / "twin.log"), 0) << file_text(root / "twin.log.err");
  const nlohmann::json twins = printed_json(root / "twin.log");
  ASSERT_TRUE(twins.is_object()) << file_text(root / "twin.log");
  EXPECT_EQ(twins.at("method"), "twin");
  EXPECT_EQ(twins.at("ncc_pairs"), 4);
  EXPECT_GT(twins.at("ncc").get<double>(), 0.95);
  EXPECT_EQ(twins.at("steps").get<double>(), 0.0);

  // Another explainer beside the twins: the same pairs, so the twins attain exactly as in the run above, and
  // the explainer's rates split by the twin's outcome average back to its overall rate.
  std::vector<std::string> beside = eval;
  beside.insert(beside.end(), {"--optimize", "2", "--with-twin", "--per-pair", (root / "beside.jsonl").string()});
  ASSERT_EQ(run_to_end(beside, root / "beside.log"), 0) << file_text(root / "beside.log.err");
  const nlohmann::json both = printed_json(root / "beside.log");
  ASSERT_TRUE(both.is_object()) << file_text(root / "beside.log");
  const auto& reference = both.at("twin");
  EXPECT_NEAR(reference.at("target_attained").get<double>(), twins.at("target_attained").get<double>(), 1e-12);
  const auto twin_pairs = reference.at("pairs_attained").get<std::int64_t>();
  const auto rate = [](const nlohmann::json& value) { return value.is_null() ? 0.0 : value.get<double>(); };
  EXPECT_NEAR((rate(reference.at("explainer_attained_where_twin_attains")) * static_cast<double>(twin_pairs) +
               rate(reference.at("explainer_attained_elsewhere")) * static_cast<double>(4 - twin_pairs)) / 4.0,
              both.at("target_attained").get<double>(), 1e-12);
  std::ifstream lines(root / "beside.jsonl");
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    ++count;
    EXPECT_TRUE(nlohmann::json::parse(line).at("twin_attained").is_boolean()) << line;
  }
  EXPECT_EQ(count, 4);

  // --with-twin needs the world, and is no explainer of its own.
  std::vector<std::string> no_world = {cli, "cf-eval", "--model", (root / "detector" / "model.json").string(),
                                       "--weights", (root / "detector" / "model.safetensors").string(), "--ann",
                                       annotations, "--images", images, "--optimize", "2", "--with-twin"};
  EXPECT_EQ(run_to_end(no_world, root / "no-world.log"), 2);
  EXPECT_NE(file_text(root / "no-world.log.err").find("--with-twin"), std::string::npos);
}

}  // namespace
}  // namespace counterscope::testing
