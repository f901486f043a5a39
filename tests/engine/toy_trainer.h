#pragma once
// A trainer on a toy regression task for the engine's tests: y = x·w* + noise, with x drawn from LibTorch's
// global generator inside the step, so resuming must restore the generator as well as the model and the
// momentum buffers. `inputs` sets the model's width (another width is "another model").

#include <memory>
#include <string>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "core/engine/checkpoint_parts.h"
#include "core/engine/solver.h"
#include "core/engine/trainer.h"

namespace counterscope::engine {

class ToyTrainer : public TrainerBase {
 public:
  explicit ToyTrainer(std::int64_t iterations, std::int64_t inputs = 4)
      : TrainerBase(iterations), m_model(torch::nn::LinearOptions(inputs, 1)), m_inputs(inputs) {
    torch::NoGradGuard no_grad;
    m_model->weight.fill_(0.1);
    m_model->bias.fill_(0.0);
    SolverOptions solver;
    solver.base_lr = 0.05;
    solver.warmup_iterations = 3;
    solver.decay_steps = {8};
    m_solver = solver;
    m_optimizer = make_sgd(m_model->parameters(), m_solver);
  }
  std::vector<double> losses;

  std::string kind() const override { return "toy"; }
  torch::nn::Linear& model() { return m_model; }

  /// Writes a checkpoint as Counterscope did before its own format: a TorchScript archive holding the
  /// iteration, the CPU generator's state, the module's tensors and the optimiser's own archive.
  void save_legacy(const std::string& path) const {
    torch::serialize::OutputArchive archive;
    archive.write("trainer.iteration", torch::tensor(iteration(), torch::kLong));
    auto generator = at::detail::getDefaultCPUGenerator();
    {
      std::lock_guard<std::mutex> lock(generator.mutex());
      archive.write("trainer.generator_state", generator.get_state());
    }
    for (const auto& item : m_model->named_parameters()) archive.write("model." + item.key(), item.value(), false);
    for (const auto& item : m_model->named_buffers()) archive.write("model." + item.key(), item.value(), true);
    torch::serialize::OutputArchive optimizer;
    m_optimizer->save(optimizer);
    archive.write("optimizer", optimizer);
    archive.save_to(path);
  }

 protected:
  StepResult run_step(std::int64_t iteration) override {
    const torch::Tensor x = torch::randn({8, m_inputs});
    const torch::Tensor w_star = torch::linspace(-2.0, 3.0, m_inputs);
    const torch::Tensor y = x.matmul(w_star).unsqueeze(1) + 0.01 * torch::randn({8, 1});
    set_learning_rate(*m_optimizer, learning_rate_at(m_solver, iteration));
    const torch::Tensor loss = torch::mse_loss(m_model->forward(x), y);
    m_optimizer->zero_grad();
    loss.backward();
    m_optimizer->step();
    losses.push_back(loss.item<double>());
    return StepResult{iteration, {{"loss", loss.item<double>()}, {"lr", learning_rate_at(m_solver, iteration)}}, 0, 0};
  }
  void save_state(CheckpointState& state) const override {
    save_module_state(*m_model, state, "model.");
    save_optimizer_state(*m_optimizer, state, "optimizer.");
  }
  void load_state(const CheckpointState& state) override {
    load_module_state(*m_model, state, "model.");
    load_optimizer_state(*m_optimizer, state, "optimizer.");
  }
  void load_legacy_state(torch::serialize::InputArchive& archive) override {
    load_legacy_module_state(*m_model, archive, "model.");
    torch::serialize::InputArchive optimizer;
    archive.read("optimizer", optimizer);
    m_optimizer->load(optimizer);
  }

 private:
  torch::nn::Linear m_model;
  std::int64_t m_inputs;
  SolverOptions m_solver;
  std::unique_ptr<torch::optim::SGD> m_optimizer;
};

}  // namespace counterscope::engine
