#pragma once
// The optimiser and learning-rate schedule of training: SGD with momentum and weight decay, linear warm-up,
// multi-step decay (detectron2's and torchvision's reference schedule).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include <torch/torch.h>

namespace counterscope::engine {

struct SolverOptions {
  double base_lr = 0.02;                   ///< learning rate after warm-up, before any decay
  double momentum = 0.9;                   ///< SGD momentum
  double weight_decay = 1e-4;              ///< L2 penalty on every trainable parameter
  std::int64_t warmup_iterations = 100;    ///< linear ramp from base_lr * warmup_factor to base_lr
  double warmup_factor = 1e-3;             ///< learning-rate fraction at iteration 0
  std::vector<std::int64_t> decay_steps;   ///< iterations where the rate is multiplied by gamma
  double gamma = 0.1;                      ///< decay factor
  /// Largest L2 norm of all gradients together before a step (detectron2's "full model" clipping); 0 = off.
  /// Training from scratch (no pretrained backbone) needs it: one bad batch early on can otherwise blow up.
  double clip_grad_norm = 0;

  /// Reads the "solver" object of a training config; unknown keys are rejected to catch typos.
  static SolverOptions from_json(const nlohmann::json& json, const std::string& source = "solver");
  nlohmann::json to_json() const;
};

/// Learning rate in force at `iteration` (0-based).
double learning_rate_at(const SolverOptions& options, std::int64_t iteration);

std::unique_ptr<torch::optim::SGD> make_sgd(const std::vector<torch::Tensor>& parameters,
                                            const SolverOptions& options);
/// Sets the learning rate of every parameter group.
void set_learning_rate(torch::optim::Optimizer& optimizer, double learning_rate);

}  // namespace counterscope::engine
