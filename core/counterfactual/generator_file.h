#pragma once
// generator.safetensors: the generator's parameters and buffers plus metadata naming what it was trained
// for — the detector's config hash, class count and feature shape, and the generator options — so that a
// generator is never silently applied to another model.

#include <cstdint>
#include <map>
#include <string>

#include "core/counterfactual/counterfactual_generator.h"
#include "core/modeling/model_config.h"

namespace counterscope::counterfactual {

/// A stable 64-bit hash (FNV-1a, hex) of a model config's JSON without its display name, so the same network
/// loaded from a preset or from a copied file hashes the same.
std::string model_config_hash(const modeling::ModelConfig& config);

/// Writes `generator` with metadata for `model_config` (atomic). `extra` adds free metadata (e.g. the
/// training iteration, target loss).
void save_generator(const CounterfactualGeneratorImpl& generator, const modeling::ModelConfig& model_config,
                    const std::string& path, const std::map<std::string, std::string>& extra = {});

/// Reads a generator file and builds the generator for `model_config`. Throws InputError naming the file when
/// it is not a generator file, or when it was trained for another model (config hash or class count).
CounterfactualGenerator load_generator(const std::string& path, const modeling::ModelConfig& model_config);

/// Copies the weights of the generator file at `path` into `generator` (cf-train --init-generator: a later
/// training phase from an earlier phase's result). Throws InputError naming the file when it was trained for
/// another model, or with other generator options than `generator` has.
void initialize_generator(CounterfactualGeneratorImpl& generator, const std::string& path,
                          const modeling::ModelConfig& model_config);

}  // namespace counterscope::counterfactual
