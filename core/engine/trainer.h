#pragma once
// The training loop shared by every job that iterates (detector training, counterfactual-generator
// training): a subclass implements run_step(); progress, checkpoints, evaluation and logging are hooks, so
// the loop itself stays a dozen lines (detectron2's TrainerBase design).

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/engine/checkpoint_state.h"
#include "core/util/progress.h"

namespace counterscope::engine {

/// What one iteration produced.
struct StepResult {
  std::int64_t iteration = 0;              ///< the iteration that just ran (0-based)
  std::map<std::string, double> metrics;   ///< losses, learning rate, ... (all finite)
  double data_seconds = 0;                 ///< time spent waiting for the batch
  double step_seconds = 0;                 ///< whole iteration, data wait included
};

class TrainerBase;

class TrainerHook {
 public:
  virtual ~TrainerHook() = default;
  virtual void before_train(TrainerBase& trainer) {}
  virtual void after_step(TrainerBase& trainer, const StepResult& step) {}
  /// `completed` is false when the run stopped early (cancelled or failed).
  virtual void after_train(TrainerBase& trainer, bool completed) {}
};

class TrainerBase {
 public:
  explicit TrainerBase(std::int64_t max_iterations);
  virtual ~TrainerBase() = default;

  void register_hook(std::shared_ptr<TrainerHook> hook);

  /// Runs iterations from iteration() up to max_iterations(). Stops after the current step when the
  /// context's cancel flag is set. Returns true when all iterations ran. Exceptions from a step propagate
  /// after the hooks' after_train(false) ran (so a checkpoint hook can still save the last good state).
  bool train(const JobContext& context = {});

  /// The next iteration to run (= iterations done so far).
  std::int64_t iteration() const { return m_iteration; }
  std::int64_t max_iterations() const { return m_max_iterations; }
  const JobContext& context() const { return m_context; }

  /// Everything needed to continue exactly: the iteration, the random generators (the CPU's, and the CUDA
  /// device's when random_device() is one) and the subclass's state. The tensors are the live ones, not copies.
  CheckpointState checkpoint_state() const;
  /// Restores what checkpoint_state() gave. Throws InputError naming the file and the entry when the checkpoint
  /// belongs to another kind of trainer or another model; the trainer may then be partly loaded (see
  /// Checkpointer::resume, which restores it).
  void load_checkpoint(const CheckpointState& state);
  /// Reads a checkpoint in the TorchScript archive format that Counterscope wrote before its own format.
  void load_legacy_checkpoint(torch::serialize::InputArchive& archive);

  /// Names the trainer in its checkpoints ("detection", "counterfactual"): another kind's are refused.
  virtual std::string kind() const { return "trainer"; }
  /// The device whose random generator the steps draw from besides the CPU's (the model's device).
  virtual torch::Device random_device() const { return torch::kCPU; }

 protected:
  virtual StepResult run_step(std::int64_t iteration) = 0;
  virtual void save_state(CheckpointState& state) const = 0;
  virtual void load_state(const CheckpointState& state) = 0;
  /// The subclass's part of a legacy (TorchScript) checkpoint; by default such checkpoints are refused.
  virtual void load_legacy_state(torch::serialize::InputArchive& archive);

 private:
  std::int64_t m_max_iterations;
  std::int64_t m_iteration = 0;
  std::vector<std::shared_ptr<TrainerHook>> m_hooks;
  JobContext m_context;
};


}  // namespace counterscope::engine
