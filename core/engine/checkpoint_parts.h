#pragma once
// The pieces trainers put into a CheckpointState and take out again: a module's parameters and buffers, an
// optimiser's per-parameter state (SGD momentum, Adam moments and step) and learning rates, and the random
// generators. Loading checks every name and shape against the live object and throws InputError naming the
// file and the entry (a checkpoint of another model or optimiser is refused, not half-applied by accident:
// Checkpointer::resume restores the previous state when anything throws).

#include <string>

#include <torch/torch.h>

#include "core/engine/checkpoint_state.h"

namespace counterscope::engine {

/// Puts every parameter and buffer of `module` under "<prefix><name>".
void save_module_state(const torch::nn::Module& module, CheckpointState& state, const std::string& prefix);
/// Copies them back. The checkpoint must hold exactly the module's names under `prefix`, with the same shapes.
void load_module_state(torch::nn::Module& module, const CheckpointState& state, const std::string& prefix);

/// Puts the state of an SGD or Adam optimiser under "<prefix>": "<prefix>group<g>.lr" and, per parameter p of
/// group g that has state, "<prefix>group<g>.param<p>.<field>". Throws counterscope::Error for other optimisers.
void save_optimizer_state(const torch::optim::Optimizer& optimizer, CheckpointState& state, const std::string& prefix);
/// Restores it; the buffers go to the device of the parameter they belong to. A parameter without state in the
/// checkpoint (not stepped yet) gets none.
void load_optimizer_state(torch::optim::Optimizer& optimizer, const CheckpointState& state, const std::string& prefix);

/// The default CPU generator's state (dropout, samplers, randperm) under "<prefix>cpu", and, when `device` is a
/// CUDA device, that device's default generator under "<prefix>cuda" (builds and runs without CUDA).
void save_generator_states(CheckpointState& state, const std::string& prefix, const torch::Device& device);
/// Restores them. A CUDA state is restored only onto a CUDA device (a run moved to the CPU cannot continue that
/// stream); a checkpoint without one leaves the CUDA generator as it is.
void load_generator_states(const CheckpointState& state, const std::string& prefix, const torch::Device& device);

/// Reads a module's parameters and buffers from a TorchScript archive of earlier versions ("<prefix><name>").
void load_legacy_module_state(torch::nn::Module& module, torch::serialize::InputArchive& archive,
                              const std::string& prefix);

}  // namespace counterscope::engine
