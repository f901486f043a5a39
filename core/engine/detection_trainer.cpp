#include "core/engine/detection_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "core/engine/checkpoint_parts.h"
#include "core/util/error.h"

namespace counterscope::engine {
namespace {

std::vector<torch::Tensor> trainable_parameters(torch::nn::Module& model) {
  std::vector<torch::Tensor> parameters;
  for (const auto& parameter : model.parameters())
    if (parameter.requires_grad()) parameters.push_back(parameter);
  return parameters;
}

}  // namespace

DetectionTrainer::DetectionTrainer(torch::nn::Module& model, LossFunction compute_losses,
                                   const DetectionDataSource& data, SolverOptions solver,
                                   std::int64_t max_iterations, int loader_threads,
                                   losses::ClassificationLoss* loss)
    : TrainerBase(max_iterations), m_model(model), m_compute_losses(std::move(compute_losses)), m_data(data),
      m_solver(std::move(solver)), m_loader_threads(loader_threads), m_loss(loss),
      m_optimizer(make_sgd(trainable_parameters(model), m_solver)) {}

StepResult DetectionTrainer::run_step(std::int64_t iteration) {
  const auto start = std::chrono::steady_clock::now();
  if (!m_prefetcher || m_prefetch_next != iteration) {
    m_prefetcher.reset();  // joins the old workers before the new ones start
    m_prefetcher = std::make_unique<Prefetcher<DetectionBatch>>(
        [this](std::int64_t i) { return m_data.batch(i); }, m_loader_threads, 2 * m_loader_threads, iteration);
  }
  const double waited_before = m_prefetcher->wait_seconds();
  DetectionBatch batch = m_prefetcher->next();
  m_prefetch_next = iteration + 1;
  const double data_seconds = m_prefetcher->wait_seconds() - waited_before;

  const double learning_rate = learning_rate_at(m_solver, iteration);
  set_learning_rate(*m_optimizer, learning_rate);
  m_model.train();
  modeling::LossDict losses = m_compute_losses(batch);
  torch::Tensor total;
  StepResult result;
  result.iteration = iteration;
  for (const auto& [name, value] : losses) {
    total = total.defined() ? total + value : value;
    result.metrics[name] = value.item<double>();
  }
  if (!total.defined()) throw Error("the model returned no losses at iteration " + std::to_string(iteration));
  const double total_value = total.item<double>();
  if (!std::isfinite(total_value)) {
    std::string detail;
    for (const auto& [name, value] : result.metrics) detail += " " + name + "=" + std::to_string(value);
    throw Error("training diverged: the loss is not finite at iteration " + std::to_string(iteration) + " (" + detail +
                " ); lower solver.base_lr or lengthen the warm-up");
  }
  m_optimizer->zero_grad();
  total.backward();
  if (m_solver.clip_grad_norm > 0) {
    std::vector<torch::Tensor> parameters;
    for (const auto& group : m_optimizer->param_groups())
      for (const auto& parameter : group.params()) parameters.push_back(parameter);
    result.metrics["grad_norm"] = torch::nn::utils::clip_grad_norm_(parameters, m_solver.clip_grad_norm);
  }
  m_optimizer->step();
  result.metrics["loss"] = total_value;
  result.metrics["lr"] = learning_rate;
  result.data_seconds = data_seconds;
  result.step_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

torch::Device DetectionTrainer::random_device() const {
  const auto parameters = m_model.parameters();
  return parameters.empty() ? torch::Device(torch::kCPU) : parameters.front().device();
}

void DetectionTrainer::save_state(CheckpointState& state) const {
  save_module_state(m_model, state, "model.");
  save_optimizer_state(*m_optimizer, state, "optimizer.");
  if (m_loss)
    for (const auto& [name, tensor] : m_loss->state()) state.put("loss." + name, tensor);
}

void DetectionTrainer::load_state(const CheckpointState& state) {
  losses::LossState loss_state;
  if (m_loss)
    for (const auto& [name, tensor] : m_loss->state()) loss_state.emplace_back(name, state.get("loss." + name));
  for (const auto& name : state.names_with_prefix("loss."))
    if (std::none_of(loss_state.begin(), loss_state.end(), [&](const auto& entry) { return "loss." + entry.first == name; }))
      throw InputError(state.source(), name, "", "state of another classification loss than this training's " +
                                                     (m_loss ? m_loss->name() : std::string("(none)")));
  load_module_state(m_model, state, "model.");
  load_optimizer_state(*m_optimizer, state, "optimizer.");
  if (m_loss) m_loss->load_state(loss_state);
  m_prefetcher.reset();
  m_prefetch_next = -1;
}

void DetectionTrainer::load_legacy_state(torch::serialize::InputArchive& archive) {
  load_legacy_module_state(m_model, archive, "model.");
  torch::serialize::InputArchive optimizer_archive;
  archive.read("optimizer", optimizer_archive);
  m_optimizer->load(optimizer_archive);
  if (m_loss) {
    losses::LossState state;
    for (const auto& [name, tensor] : m_loss->state()) {
      torch::Tensor value;
      archive.read("loss." + name, value, true);
      state.emplace_back(name, value);
    }
    m_loss->load_state(state);
  }
  m_prefetcher.reset();
  m_prefetch_next = -1;
}

}  // namespace counterscope::engine
