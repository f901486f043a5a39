#include "core/engine/detection_trainer.h"

#include <chrono>
#include <cmath>

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

void save_module_state(const torch::nn::Module& module, torch::serialize::OutputArchive& archive,
                       const std::string& prefix) {
  for (const auto& item : module.named_parameters()) archive.write(prefix + item.key(), item.value(), false);
  for (const auto& item : module.named_buffers()) archive.write(prefix + item.key(), item.value(), true);
}

void load_module_state(torch::nn::Module& module, torch::serialize::InputArchive& archive, const std::string& prefix) {
  torch::NoGradGuard no_grad;
  auto restore = [&](const std::string& name, torch::Tensor& target, bool is_buffer) {
    torch::Tensor value;
    archive.read(prefix + name, value, is_buffer);
    if (!value.sizes().equals(target.sizes()))
      throw InputError("checkpoint", prefix + name, c10::str(value.sizes()), "shape differs from the model's " + c10::str(target.sizes()));
    target.copy_(value);
  };
  for (auto& item : module.named_parameters()) restore(item.key(), item.value(), false);
  for (auto& item : module.named_buffers()) restore(item.key(), item.value(), true);
}

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

void DetectionTrainer::save_state(torch::serialize::OutputArchive& archive) const {
  save_module_state(m_model, archive, "model.");
  torch::serialize::OutputArchive optimizer_archive;
  m_optimizer->save(optimizer_archive);
  archive.write("optimizer", optimizer_archive);
  if (m_loss)
    for (const auto& [name, tensor] : m_loss->state()) archive.write("loss." + name, tensor, true);
}

void DetectionTrainer::load_state(torch::serialize::InputArchive& archive) {
  load_module_state(m_model, archive, "model.");
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
