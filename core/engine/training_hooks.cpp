#include "core/engine/training_hooks.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <vector>

#include "core/util/error.h"

namespace counterscope::engine {

ProgressHook::ProgressHook(std::string stage, double smoothing) : m_stage(std::move(stage)), m_smoothing(smoothing) {}

void ProgressHook::before_train(TrainerBase& trainer) {
  trainer.context().report(m_stage, trainer.iteration(), trainer.max_iterations());
}

void ProgressHook::after_step(TrainerBase& trainer, const StepResult& step) {
  for (const auto& [name, value] : step.metrics) {
    auto it = m_smoothed.find(name);
    if (it == m_smoothed.end()) m_smoothed[name] = value;
    else it->second = m_smoothing * it->second + (1.0 - m_smoothing) * value;
  }
  std::ostringstream message;
  message.precision(4);
  if (auto it = m_smoothed.find("loss"); it != m_smoothed.end()) message << "loss " << it->second;
  if (auto it = m_smoothed.find("lr"); it != m_smoothed.end()) message << "  lr " << it->second;
  message << "  " << step.step_seconds << " s/it";
  trainer.context().report(m_stage, trainer.iteration(), trainer.max_iterations(), message.str());
}

MetricsLogHook::MetricsLogHook(std::string path, std::int64_t period) : m_path(std::move(path)), m_period(period) {}

void MetricsLogHook::before_train(TrainerBase& trainer) {
  // Keep only the records of iterations before the one we resume from.
  std::vector<std::string> kept;
  if (std::ifstream existing(m_path); existing) {
    std::string line;
    while (std::getline(existing, line)) {
      const auto record = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (record.is_object() && record.contains("iteration") && record["iteration"].is_number_integer() &&
          record["iteration"].get<std::int64_t>() <= trainer.iteration())
        kept.push_back(line);
    }
  }
  std::filesystem::create_directories(std::filesystem::path(m_path).parent_path());
  m_stream.open(m_path, std::ios::trunc);
  if (!m_stream) throw Error("cannot write metrics log " + m_path);
  for (const auto& line : kept) m_stream << line << "\n";
  m_stream.flush();
}

void MetricsLogHook::after_step(TrainerBase& trainer, const StepResult& step) {
  for (const auto& [name, value] : step.metrics) m_sums[name] += value;
  m_data_seconds += step.data_seconds;
  m_step_seconds += step.step_seconds;
  ++m_count;
  if (m_period > 0 && trainer.iteration() % m_period == 0) after_train(trainer, true);
}

void MetricsLogHook::after_train(TrainerBase& trainer, bool) {
  if (m_count == 0) return;
  nlohmann::json record = {{"iteration", trainer.iteration()}};
  for (const auto& [name, sum] : m_sums) record[name] = sum / static_cast<double>(m_count);
  record["data_time"] = m_data_seconds / static_cast<double>(m_count);
  record["time"] = m_step_seconds / static_cast<double>(m_count);
  write_record(record);
  m_sums.clear();
  m_data_seconds = m_step_seconds = 0;
  m_count = 0;
}

void MetricsLogHook::write_record(const nlohmann::json& record) {
  if (!m_stream.is_open()) return;
  m_stream << record.dump() << "\n";
  m_stream.flush();
}

PeriodicEvalHook::PeriodicEvalHook(EvaluateFunction evaluate, std::int64_t period, MetricsLogHook* log)
    : m_evaluate(std::move(evaluate)), m_period(period), m_log(log) {}

void PeriodicEvalHook::after_step(TrainerBase& trainer, const StepResult&) {
  if (m_period > 0 && trainer.iteration() % m_period == 0 && trainer.iteration() < trainer.max_iterations())
    run(trainer.iteration());
}

void PeriodicEvalHook::after_train(TrainerBase& trainer, bool completed) {
  if (completed && trainer.iteration() != m_last_iteration) run(trainer.iteration());
}

void PeriodicEvalHook::run(std::int64_t iteration) {
  m_last = m_evaluate(iteration);
  m_last_iteration = iteration;
  if (m_log) m_log->write_record({{"iteration", iteration}, {"eval", m_last}});
}

}  // namespace counterscope::engine
