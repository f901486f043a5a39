#pragma once
// Supervised training of a detector: batches from a DetectionDataSource prefetched in background threads,
// the model's named losses summed, SGD with warm-up and multi-step decay. Checkpoints hold the model's
// parameters and buffers, the optimizer (momentum buffers), the classification loss's state (seesaw counts),
// the iteration and the random generator, so a resumed run continues exactly.

#include <cstdint>
#include <functional>
#include <memory>

#include <torch/torch.h>

#include "core/engine/detection_data.h"
#include "core/engine/prefetcher.h"
#include "core/engine/solver.h"
#include "core/engine/trainer.h"
#include "core/losses/classification_loss.h"
#include "core/modeling/detection_types.h"

namespace counterscope::engine {

class DetectionTrainer : public TrainerBase {
 public:
  /// Computes the named losses of a batch in training mode.
  using LossFunction = std::function<modeling::LossDict(const DetectionBatch& batch)>;

  /// `model` is the module whose parameters are trained and checkpointed; `loss` (may be null) is the
  /// classification loss whose state is checkpointed. Both must outlive the trainer.
  DetectionTrainer(torch::nn::Module& model, LossFunction compute_losses, const DetectionDataSource& data,
                   SolverOptions solver, std::int64_t max_iterations, int loader_threads = 2,
                   losses::ClassificationLoss* loss = nullptr);

  /// Seconds the training loop waited for batches so far (0 = data always ready).
  double data_wait_seconds() const { return m_prefetcher ? m_prefetcher->wait_seconds() : 0.0; }

  std::string kind() const override { return "detection"; }
  torch::Device random_device() const override;

 protected:
  StepResult run_step(std::int64_t iteration) override;
  void save_state(CheckpointState& state) const override;
  void load_state(const CheckpointState& state) override;
  void load_legacy_state(torch::serialize::InputArchive& archive) override;

 private:
  torch::nn::Module& m_model;
  LossFunction m_compute_losses;
  const DetectionDataSource& m_data;
  SolverOptions m_solver;
  int m_loader_threads;
  losses::ClassificationLoss* m_loss;
  std::unique_ptr<torch::optim::SGD> m_optimizer;
  std::unique_ptr<Prefetcher<DetectionBatch>> m_prefetcher;
  std::int64_t m_prefetch_next = -1;
};

}  // namespace counterscope::engine
