// The training engine on a toy regression task: hooks, cancellation, the learning-rate schedule, atomic
// checkpoints with fallback, and exact resumption (losses after resuming equal an uninterrupted run's).

#include <atomic>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/engine/checkpointer.h"
#include "core/engine/detection_trainer.h"
#include "core/engine/prefetcher.h"
#include "core/engine/solver.h"
#include "core/engine/training_hooks.h"
#include "core/util/error.h"
#include "tests/engine/toy_trainer.h"
#include "tests/test_paths.h"

namespace counterscope::engine {
namespace {

namespace fs = std::filesystem;

fs::path scratch(const std::string& name) {
  const fs::path path = fs::path(COUNTERSCOPE_TEST_TMP_DIR) / "test_trainer" / name;
  fs::remove_all(path);
  fs::create_directories(path);
  return path;
}

TEST(LearningRate, WarmupThenMultiStepDecay) {
  SolverOptions options;
  options.base_lr = 0.02;
  options.warmup_iterations = 100;
  options.warmup_factor = 0.001;
  options.decay_steps = {1000, 1500};
  EXPECT_DOUBLE_EQ(learning_rate_at(options, 0), 0.02 * 0.001);
  EXPECT_DOUBLE_EQ(learning_rate_at(options, 50), 0.02 * (0.001 * 0.5 + 0.5));
  EXPECT_DOUBLE_EQ(learning_rate_at(options, 100), 0.02);
  EXPECT_DOUBLE_EQ(learning_rate_at(options, 1000), 0.02 * 0.1);
  EXPECT_NEAR(learning_rate_at(options, 1500), 0.02 * 0.01, 1e-15);
}

TEST(SolverOptions, ParsesJsonAndRejectsUnknownKeys) {
  const auto options = SolverOptions::from_json(nlohmann::json::parse(R"({"base_lr": 0.01, "decay_steps": [20, 10]})"));
  EXPECT_EQ(options.base_lr, 0.01);
  EXPECT_EQ(options.decay_steps, (std::vector<std::int64_t>{10, 20}));
  EXPECT_THROW(SolverOptions::from_json(nlohmann::json::parse(R"({"base_lr": 0.01, "momentun": 0.9})")), InputError);
  EXPECT_THROW(SolverOptions::from_json(nlohmann::json::parse(R"({"base_lr": -1})")), InputError);
  EXPECT_EQ(SolverOptions::from_json(nlohmann::json::parse(R"({"clip_grad_norm": 5})")).clip_grad_norm, 5.0);
  EXPECT_THROW(SolverOptions::from_json(nlohmann::json::parse(R"({"clip_grad_norm": -1})")), InputError);
}

TEST(Trainer, ResumedRunEqualsUninterruptedRun) {
  const fs::path dir = scratch("resume");
  torch::manual_seed(7);
  ToyTrainer uninterrupted(12);
  uninterrupted.train();

  torch::manual_seed(7);
  ToyTrainer first_half(12);
  auto cancel = std::make_shared<std::atomic<bool>>(false);
  Checkpointer checkpointer((dir / "checkpoints").string());
  first_half.register_hook(std::make_shared<CheckpointHook>(checkpointer, 0));
  // Cancel after 5 steps: the checkpoint hook saves on the way out.
  struct CancelAfter : TrainerHook {
    std::atomic<bool>* flag;
    void after_step(TrainerBase& trainer, const StepResult&) override {
      if (trainer.iteration() == 5) flag->store(true);
    }
  };
  auto canceller = std::make_shared<CancelAfter>();
  canceller->flag = cancel.get();
  first_half.register_hook(canceller);
  EXPECT_FALSE(first_half.train(JobContext{{}, cancel.get()}));
  EXPECT_EQ(first_half.iteration(), 5);

  torch::manual_seed(12345);  // a different seed must not matter: the generator state is in the checkpoint
  ToyTrainer resumed(12);
  std::vector<std::string> warnings;
  ASSERT_TRUE(checkpointer.resume(resumed, &warnings).has_value());
  EXPECT_TRUE(warnings.empty());
  EXPECT_EQ(resumed.iteration(), 5);
  EXPECT_TRUE(resumed.train());

  std::vector<double> combined = first_half.losses;
  combined.insert(combined.end(), resumed.losses.begin(), resumed.losses.end());
  ASSERT_EQ(combined.size(), uninterrupted.losses.size());
  for (std::size_t i = 0; i < combined.size(); ++i) EXPECT_EQ(combined[i], uninterrupted.losses[i]) << "iteration " << i;
}

TEST(Checkpointer, CorruptNewestFallsBackToPrevious) {
  const fs::path dir = scratch("corrupt");
  torch::manual_seed(1);
  ToyTrainer trainer(6);
  Checkpointer checkpointer((dir / "checkpoints").string(), 5);
  trainer.register_hook(std::make_shared<CheckpointHook>(checkpointer, 2));
  trainer.train();
  const auto files = checkpointer.list();
  ASSERT_EQ(files.size(), 3u);  // iterations 2, 4, 6
  { std::ofstream(files.back(), std::ios::trunc) << "not a checkpoint"; }
  ToyTrainer resumed(6);
  std::vector<std::string> warnings;
  const auto used = checkpointer.resume(resumed, &warnings);
  ASSERT_TRUE(used.has_value());
  EXPECT_EQ(*used, files[1]);
  EXPECT_EQ(resumed.iteration(), 4);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find(files.back()), std::string::npos);
  // No temporary files are left behind.
  for (const auto& entry : fs::directory_iterator(dir / "checkpoints"))
    EXPECT_EQ(entry.path().extension(), ".safetensors") << entry.path();
}

TEST(Checkpointer, KeepsOnlyTheNewest) {
  const fs::path dir = scratch("keep");
  ToyTrainer trainer(10);
  Checkpointer checkpointer((dir / "c").string(), 2);
  trainer.register_hook(std::make_shared<CheckpointHook>(checkpointer, 1));
  trainer.train();
  const auto files = checkpointer.list();
  ASSERT_EQ(files.size(), 2u);
  EXPECT_NE(files.back().find("checkpoint_000000010.safetensors"), std::string::npos);
}

TEST(MetricsLog, AveragesPerPeriodAndNeverRepeatsAfterResume) {
  const fs::path dir = scratch("metrics");
  const std::string log_path = (dir / "metrics.jsonl").string();
  Checkpointer checkpointer((dir / "checkpoints").string());
  {
    ToyTrainer trainer(4);
    trainer.register_hook(std::make_shared<MetricsLogHook>(log_path, 2));
    trainer.register_hook(std::make_shared<CheckpointHook>(checkpointer, 0));
    trainer.train();
  }
  {
    ToyTrainer trainer(8);
    checkpointer.resume(trainer);
    trainer.register_hook(std::make_shared<MetricsLogHook>(log_path, 2));
    trainer.train();
  }
  std::ifstream in(log_path);
  std::vector<std::int64_t> iterations;
  for (std::string line; std::getline(in, line);) iterations.push_back(nlohmann::json::parse(line)["iteration"]);
  EXPECT_EQ(iterations, (std::vector<std::int64_t>{2, 4, 6, 8}));
}

TEST(ProgressAndEvalHooks, ReportEveryStepAndEvaluatePeriodically) {
  ToyTrainer trainer(6);
  std::vector<std::int64_t> reported;
  std::vector<std::int64_t> evaluated;
  trainer.register_hook(std::make_shared<ProgressHook>());
  trainer.register_hook(std::make_shared<PeriodicEvalHook>(
      [&](std::int64_t iteration) {
        evaluated.push_back(iteration);
        return nlohmann::json{{"AP", 0.5}};
      },
      4));
  trainer.train(JobContext{[&](const Progress& p) { reported.push_back(p.done); }, nullptr});
  EXPECT_EQ(reported, (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(evaluated, (std::vector<std::int64_t>{4, 6}));
}

TEST(Trainer, FailingStepRunsAfterTrainAndPropagates) {
  struct Failing : ToyTrainer {
    Failing() : ToyTrainer(5) {}
    StepResult run_step(std::int64_t iteration) override {
      if (iteration == 2) throw Error("boom");
      return ToyTrainer::run_step(iteration);
    }
  };
  struct Recorder : TrainerHook {
    bool completed = true;
    void after_train(TrainerBase&, bool done) override { completed = done; }
  };
  Failing trainer;
  auto recorder = std::make_shared<Recorder>();
  trainer.register_hook(recorder);
  EXPECT_THROW(trainer.train(), Error);
  EXPECT_FALSE(recorder->completed);
  EXPECT_EQ(trainer.iteration(), 2);
}

TEST(Prefetcher, DeliversInOrderWhateverTheThreadsAndPropagatesErrors) {
  Prefetcher<std::int64_t> prefetcher([](std::int64_t i) {
    if (i == 40) throw Error("bad item 40");
    return i * i;
  }, 3, 4, 10);
  for (std::int64_t i = 10; i < 40; ++i) EXPECT_EQ(prefetcher.next(), i * i);
  EXPECT_THROW(prefetcher.next(), Error);
  EXPECT_EQ(prefetcher.next(), 41 * 41);
}

}  // namespace
}  // namespace counterscope::engine
