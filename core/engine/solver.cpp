#include "core/engine/solver.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/util/error.h"

namespace counterscope::engine {

SolverOptions SolverOptions::from_json(const nlohmann::json& json, const std::string& source) {
  SolverOptions options;
  if (!json.is_object()) throw InputError(source, "solver", json.dump(), "expected an object");
  for (const auto& [key, value] : json.items()) {
    const std::string field = "solver." + key;
    auto number = [&]() {
      if (!value.is_number()) throw InputError(source, field, value.dump(), "expected a number");
      return value.get<double>();
    };
    auto count = [&]() {
      if (!value.is_number_integer() || value.get<std::int64_t>() < 0)
        throw InputError(source, field, value.dump(), "expected an integer >= 0");
      return value.get<std::int64_t>();
    };
    if (key == "base_lr") options.base_lr = number();
    else if (key == "momentum") options.momentum = number();
    else if (key == "weight_decay") options.weight_decay = number();
    else if (key == "warmup_iterations") options.warmup_iterations = count();
    else if (key == "warmup_factor") options.warmup_factor = number();
    else if (key == "gamma") options.gamma = number();
    else if (key == "clip_grad_norm") options.clip_grad_norm = number();
    else if (key == "decay_steps") {
      if (!value.is_array()) throw InputError(source, field, value.dump(), "expected a list of iterations");
      options.decay_steps.clear();
      for (const auto& step : value) {
        if (!step.is_number_integer() || step.get<std::int64_t>() < 0)
          throw InputError(source, field, step.dump(), "expected iterations >= 0");
        options.decay_steps.push_back(step.get<std::int64_t>());
      }
      std::sort(options.decay_steps.begin(), options.decay_steps.end());
    } else {
      throw InputError(source, field, value.dump(), "unknown solver option");
    }
  }
  if (!(options.base_lr > 0)) throw InputError(source, "solver.base_lr", std::to_string(options.base_lr), "expected > 0");
  if (!(options.clip_grad_norm >= 0))
    throw InputError(source, "solver.clip_grad_norm", std::to_string(options.clip_grad_norm), "expected >= 0 (0 = off)");
  return options;
}

nlohmann::json SolverOptions::to_json() const {
  return {{"base_lr", base_lr},           {"momentum", momentum},         {"weight_decay", weight_decay},
          {"warmup_iterations", warmup_iterations}, {"warmup_factor", warmup_factor}, {"decay_steps", decay_steps},
          {"gamma", gamma}, {"clip_grad_norm", clip_grad_norm}};
}

double learning_rate_at(const SolverOptions& options, std::int64_t iteration) {
  double rate = options.base_lr;
  for (std::int64_t step : options.decay_steps)
    if (iteration >= step) rate *= options.gamma;
  if (iteration < options.warmup_iterations) {
    const double alpha = static_cast<double>(iteration) / static_cast<double>(options.warmup_iterations);
    rate *= options.warmup_factor * (1.0 - alpha) + alpha;
  }
  return rate;
}

std::unique_ptr<torch::optim::SGD> make_sgd(const std::vector<torch::Tensor>& parameters,
                                            const SolverOptions& options) {
  return std::make_unique<torch::optim::SGD>(
      parameters, torch::optim::SGDOptions(learning_rate_at(options, 0))
                      .momentum(options.momentum)
                      .weight_decay(options.weight_decay));
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double learning_rate) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(learning_rate);
}

}  // namespace counterscope::engine
