#include "core/engine/trainer.h"

#include <ATen/CPUGeneratorImpl.h>

#include "core/engine/checkpoint_parts.h"
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

CheckpointState TrainerBase::checkpoint_state() const {
  CheckpointState state;
  state.set_metadata("trainer", kind());
  state.set_metadata("iteration", std::to_string(m_iteration));
  state.put("trainer.iteration", torch::tensor(m_iteration, torch::kLong));
  save_generator_states(state, "trainer.generator.", random_device());
  save_state(state);
  return state;
}

void TrainerBase::load_checkpoint(const CheckpointState& state) {
  const auto trainer = state.metadata("trainer");
  if (trainer != kind())
    throw InputError(state.source(), "__metadata__.trainer", quote_for_message(trainer.value_or("")),
                     "a checkpoint of another kind of training (this is a " + kind() + " training)");
  const torch::Tensor& iteration = state.get("trainer.iteration");
  if (iteration.numel() != 1 || iteration.scalar_type() != torch::kLong || iteration.item<std::int64_t>() < 0)
    throw InputError(state.source(), "trainer.iteration", c10::str(iteration.sizes()), "expected one non-negative int64");
  load_state(state);
  load_generator_states(state, "trainer.generator.", random_device());
  m_iteration = iteration.item<std::int64_t>();
}

void TrainerBase::load_legacy_checkpoint(torch::serialize::InputArchive& archive) {
  torch::Tensor iteration, generator_state;
  archive.read("trainer.iteration", iteration);
  archive.read("trainer.generator_state", generator_state);
  load_legacy_state(archive);
  m_iteration = iteration.item<std::int64_t>();
  auto generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(generator_state);
}

void TrainerBase::load_legacy_state(torch::serialize::InputArchive&) {
  throw Error("this " + kind() + " training has no reader for the earlier TorchScript checkpoint format");
}

}  // namespace counterscope::engine
