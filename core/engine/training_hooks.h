#pragma once
// Standard hooks: progress reports, the JSON-lines metrics log, and periodic evaluation.

#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "core/engine/trainer.h"

namespace counterscope::engine {

/// Reports every step through the trainer's JobContext ("train", done, total) with the smoothed losses and
/// the seconds per iteration, so the CLI prints a bar with ETA and the application a live chart.
class ProgressHook : public TrainerHook {
 public:
  explicit ProgressHook(std::string stage = "train", double smoothing = 0.9);
  void before_train(TrainerBase& trainer) override;
  void after_step(TrainerBase& trainer, const StepResult& step) override;
  /// Exponential moving averages of the step metrics.
  const std::map<std::string, double>& smoothed() const { return m_smoothed; }

 private:
  std::string m_stage;
  double m_smoothing;
  std::map<std::string, double> m_smoothed;
};

/// Appends one JSON object per `period` iterations to a .jsonl file: {"iteration", metrics..., "data_time",
/// "time"}. On resume, lines at or after the resumed iteration are dropped first so the log never repeats.
class MetricsLogHook : public TrainerHook {
 public:
  MetricsLogHook(std::string path, std::int64_t period = 20);
  void before_train(TrainerBase& trainer) override;
  void after_step(TrainerBase& trainer, const StepResult& step) override;
  void after_train(TrainerBase& trainer, bool completed) override;
  /// Writes an arbitrary record (evaluation results) as one line.
  void write_record(const nlohmann::json& record);

 private:
  std::string m_path;
  std::int64_t m_period;
  std::ofstream m_stream;
  std::map<std::string, double> m_sums;
  double m_data_seconds = 0, m_step_seconds = 0;
  std::int64_t m_count = 0;
};

/// Calls `evaluate(iteration)` every `period` iterations and at the end; its JSON result goes to the metrics
/// log (when given) under {"iteration", "eval": ...}.
class PeriodicEvalHook : public TrainerHook {
 public:
  using EvaluateFunction = std::function<nlohmann::json(std::int64_t iteration)>;
  PeriodicEvalHook(EvaluateFunction evaluate, std::int64_t period, MetricsLogHook* log = nullptr);
  void after_step(TrainerBase& trainer, const StepResult& step) override;
  void after_train(TrainerBase& trainer, bool completed) override;
  const nlohmann::json& last_result() const { return m_last; }

 private:
  void run(std::int64_t iteration);
  EvaluateFunction m_evaluate;
  std::int64_t m_period;
  MetricsLogHook* m_log;
  std::int64_t m_last_iteration = -1;
  nlohmann::json m_last;
};

}  // namespace counterscope::engine
