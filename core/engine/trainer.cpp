#include "core/engine/trainer.h"

#include <ATen/CPUGeneratorImpl.h>

#include "core/util/error.h"

namespace counterscope::engine {

TrainerBase::TrainerBase(std::int64_t max_iterations) : m_max_iterations(max_iterations) {
  if (max_iterations < 0) throw InputError("trainer", "iterations", std::to_string(max_iterations), "expected >= 0");
}

void TrainerBase::register_hook(std::shared_ptr<TrainerHook> hook) { m_hooks.push_back(std::move(hook)); }

bool TrainerBase::train(const JobContext& context) {
  m_context = context;
  for (auto& hook : m_hooks) hook->before_train(*this);
  bool completed = false;
  try {
    while (m_iteration < m_max_iterations && !context.cancelled()) {
      const StepResult step = run_step(m_iteration);
      ++m_iteration;
      for (auto& hook : m_hooks) hook->after_step(*this, step);
    }
    completed = m_iteration >= m_max_iterations;
  } catch (...) {
    for (auto& hook : m_hooks) hook->after_train(*this, false);
    throw;
  }
  for (auto& hook : m_hooks) hook->after_train(*this, completed);
  return completed;
}

void TrainerBase::save_checkpoint(torch::serialize::OutputArchive& archive) const {
  archive.write("trainer.iteration", torch::tensor(m_iteration, torch::kLong));
  archive.write("trainer.generator_state", default_generator_state());
  save_state(archive);
}

void TrainerBase::load_checkpoint(torch::serialize::InputArchive& archive) {
  torch::Tensor iteration, generator_state;
  archive.read("trainer.iteration", iteration);
  archive.read("trainer.generator_state", generator_state);
  load_state(archive);
  m_iteration = iteration.item<std::int64_t>();
  set_default_generator_state(generator_state);
}

torch::Tensor default_generator_state() {
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  return generator.get_state();
}

void set_default_generator_state(const torch::Tensor& state) {
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(state);
}

}  // namespace counterscope::engine
