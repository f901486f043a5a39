#include "core/engine/checkpoint_parts.h"

#include <memory>
#include <set>
#include <type_traits>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>

#include "core/util/error.h"

namespace counterscope::engine {
namespace {

std::string shape_text(const torch::Tensor& tensor) { return c10::str(tensor.sizes()); }

/// `value` for `target`'s slot `name`: same shape and dtype, or InputError naming the checkpoint entry.
void check_like(const CheckpointState& state, const std::string& name, const torch::Tensor& value,
                const torch::Tensor& target) {
  if (!value.sizes().equals(target.sizes()))
    throw InputError(state.source(), name, shape_text(value),
                     "shape differs from the model's " + shape_text(target) + ": a checkpoint of another model?");
  if (value.scalar_type() != target.scalar_type())
    throw InputError(state.source(), name, c10::toString(value.scalar_type()),
                     std::string("dtype differs from the model's ") + c10::toString(target.scalar_type()));
}

/// The optimiser's key of a parameter's state: its TensorImpl address, as a string (LibTorch 1.x) or as the
/// pointer itself (later versions), whichever the state map is keyed by.
template <typename Map>
typename Map::key_type state_key(const torch::Tensor& parameter) {
  using Key = typename Map::key_type;
  if constexpr (std::is_same_v<Key, std::string>) {
    return c10::guts::to_string(parameter.unsafeGetTensorImpl());
  } else {
    return static_cast<Key>(parameter.unsafeGetTensorImpl());
  }
}

std::string group_prefix(const std::string& prefix, std::size_t group) {
  return prefix + "group" + std::to_string(group) + ".";
}

std::string param_prefix(const std::string& prefix, std::size_t group, std::size_t param) {
  return group_prefix(prefix, group) + "param" + std::to_string(param) + ".";
}

/// A tensor from the checkpoint shaped like `like`, on `like`'s device and of its dtype.
torch::Tensor buffer_like(const CheckpointState& state, const std::string& name, const torch::Tensor& like) {
  const torch::Tensor& value = state.get(name);
  check_like(state, name, value, like);
  return value.to(like.device(), like.scalar_type(), /*non_blocking=*/false, /*copy=*/true);
}

}  // namespace

void save_module_state(const torch::nn::Module& module, CheckpointState& state, const std::string& prefix) {
  for (const auto& item : module.named_parameters()) state.put(prefix + item.key(), item.value().detach());
  for (const auto& item : module.named_buffers()) state.put(prefix + item.key(), item.value().detach());
}

void load_module_state(torch::nn::Module& module, const CheckpointState& state, const std::string& prefix) {
  torch::NoGradGuard no_grad;
  auto parameters = module.named_parameters();
  auto buffers = module.named_buffers();
  // Check everything first, so that a mismatch leaves the module untouched.
  std::set<std::string> expected;
  for (const auto* items : {&parameters, &buffers}) {
    for (const auto& item : *items) {
      const std::string name = prefix + item.key();
      check_like(state, name, state.get(name), item.value());
      expected.insert(name);
    }
  }
  for (const auto& name : state.names_with_prefix(prefix))
    if (expected.count(name) == 0)
      throw InputError(state.source(), name, "", "not a parameter or buffer of this model: a checkpoint of another model?");
  for (auto* items : {&parameters, &buffers})
    for (auto& item : *items) item.value().copy_(state.get(prefix + item.key()));
}

void save_optimizer_state(const torch::optim::Optimizer& optimizer, CheckpointState& state, const std::string& prefix) {
  const auto& states = optimizer.state();
  using Map = std::decay_t<decltype(states)>;
  const auto& groups = optimizer.param_groups();
  for (std::size_t g = 0; g < groups.size(); ++g) {
    state.put(group_prefix(prefix, g) + "lr", torch::tensor(groups[g].options().get_lr(), torch::kDouble));
    const auto& params = groups[g].params();
    for (std::size_t p = 0; p < params.size(); ++p) {
      const auto found = states.find(state_key<Map>(params[p]));
      if (found == states.end()) continue;
      const std::string name = param_prefix(prefix, g, p);
      if (const auto* sgd = dynamic_cast<const torch::optim::SGDParamState*>(found->second.get())) {
        if (sgd->momentum_buffer().defined()) state.put(name + "momentum_buffer", sgd->momentum_buffer().detach());
      } else if (const auto* adam = dynamic_cast<const torch::optim::AdamParamState*>(found->second.get())) {
        state.put(name + "step", torch::tensor(static_cast<std::int64_t>(adam->step()), torch::kLong));
        state.put(name + "exp_avg", adam->exp_avg().detach());
        state.put(name + "exp_avg_sq", adam->exp_avg_sq().detach());
        if (adam->max_exp_avg_sq().defined()) state.put(name + "max_exp_avg_sq", adam->max_exp_avg_sq().detach());
      } else {
        throw Error("checkpoint: optimiser state of an unsupported kind (only SGD and Adam are saved)");
      }
    }
  }
}

void load_optimizer_state(torch::optim::Optimizer& optimizer, const CheckpointState& state, const std::string& prefix) {
  auto& states = optimizer.state();
  using Map = std::decay_t<decltype(states)>;
  auto& groups = optimizer.param_groups();
  const bool is_sgd = dynamic_cast<torch::optim::SGD*>(&optimizer) != nullptr;
  const bool is_adam = dynamic_cast<torch::optim::Adam*>(&optimizer) != nullptr;
  if (!is_sgd && !is_adam) throw Error("checkpoint: only SGD and Adam optimisers are restored");

  // Build everything first; the optimiser changes only once the whole checkpoint fits it.
  struct Restored {
    typename Map::key_type key;
    std::unique_ptr<torch::optim::OptimizerParamState> param_state;  // null: the parameter has no state
  };
  std::vector<Restored> restored;
  std::vector<double> learning_rates;
  std::set<std::string> used;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const std::string lr_name = group_prefix(prefix, g) + "lr";
    const torch::Tensor& lr = state.get(lr_name);
    if (lr.numel() != 1) throw InputError(state.source(), lr_name, shape_text(lr), "expected one learning rate");
    learning_rates.push_back(lr.to(torch::kDouble).item<double>());
    used.insert(lr_name);
    const auto& params = groups[g].params();
    for (std::size_t p = 0; p < params.size(); ++p) {
      const std::string name = param_prefix(prefix, g, p);
      Restored entry{state_key<Map>(params[p]), nullptr};
      if (is_sgd && state.find(name + "momentum_buffer") != nullptr) {
        auto sgd = std::make_unique<torch::optim::SGDParamState>();
        sgd->momentum_buffer(buffer_like(state, name + "momentum_buffer", params[p]));
        used.insert(name + "momentum_buffer");
        entry.param_state = std::move(sgd);
      } else if (is_adam && state.find(name + "step") != nullptr) {
        auto adam = std::make_unique<torch::optim::AdamParamState>();
        const torch::Tensor& step = state.get(name + "step");
        if (step.numel() != 1 || step.scalar_type() != torch::kLong || step.item<std::int64_t>() < 0)
          throw InputError(state.source(), name + "step", shape_text(step), "expected one non-negative int64 step count");
        adam->step(static_cast<std::decay_t<decltype(adam->step())>>(step.item<std::int64_t>()));
        adam->exp_avg(buffer_like(state, name + "exp_avg", params[p]));
        adam->exp_avg_sq(buffer_like(state, name + "exp_avg_sq", params[p]));
        used.insert({name + "step", name + "exp_avg", name + "exp_avg_sq"});
        if (state.find(name + "max_exp_avg_sq") != nullptr) {
          adam->max_exp_avg_sq(buffer_like(state, name + "max_exp_avg_sq", params[p]));
          used.insert(name + "max_exp_avg_sq");
        }
        entry.param_state = std::move(adam);
      }
      restored.push_back(std::move(entry));
    }
  }
  for (const auto& name : state.names_with_prefix(prefix))
    if (used.count(name) == 0)
      throw InputError(state.source(), name, "", "not part of this optimiser: a checkpoint of another model or optimiser?");

  for (std::size_t g = 0; g < groups.size(); ++g) groups[g].options().set_lr(learning_rates[g]);
  for (auto& entry : restored) {
    states.erase(entry.key);
    if (entry.param_state) states[entry.key] = std::move(entry.param_state);
  }
}

void save_generator_states(CheckpointState& state, const std::string& prefix, const torch::Device& device) {
  {
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    state.put(prefix + "cpu", generator.get_state());
  }
  if (device.is_cuda()) {
    auto generator = at::globalContext().defaultGenerator(device);
    std::lock_guard<std::mutex> lock(generator.mutex());
    state.put(prefix + "cuda", generator.get_state());
  }
}

void load_generator_states(const CheckpointState& state, const std::string& prefix, const torch::Device& device) {
  const auto restore = [&](at::Generator generator, const std::string& name) {
    const torch::Tensor& value = state.get(name);
    std::lock_guard<std::mutex> lock(generator.mutex());
    try {
      generator.set_state(value);
    } catch (const c10::Error& error) {
      throw InputError(state.source(), name, shape_text(value),
                       std::string("not a random generator state (") + error.what_without_backtrace() + ")");
    }
  };
  restore(at::detail::getDefaultCPUGenerator(), prefix + "cpu");
  if (device.is_cuda() && state.find(prefix + "cuda") != nullptr)
    restore(at::globalContext().defaultGenerator(device), prefix + "cuda");
}

void load_legacy_module_state(torch::nn::Module& module, torch::serialize::InputArchive& archive,
                              const std::string& prefix) {
  torch::NoGradGuard no_grad;
  auto restore = [&](const std::string& name, torch::Tensor& target, bool is_buffer) {
    torch::Tensor value;
    archive.read(prefix + name, value, is_buffer);
    if (!value.sizes().equals(target.sizes()))
      throw InputError("checkpoint", prefix + name, c10::str(value.sizes()),
                       "shape differs from the model's " + c10::str(target.sizes()));
    target.copy_(value);
  };
  for (auto& item : module.named_parameters()) restore(item.key(), item.value(), false);
  for (auto& item : module.named_buffers()) restore(item.key(), item.value(), true);
}

}  // namespace counterscope::engine
