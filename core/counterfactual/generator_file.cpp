#include "core/counterfactual/generator_file.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/modeling/weights/apply_state_dict.h"
#include "core/modeling/weights/safetensors.h"
#include "core/util/error.h"

namespace counterscope::counterfactual {
namespace {

constexpr const char* kFormat = "counterscope-counterfactual-generator";

const std::string& metadata_field(const std::map<std::string, std::string>& metadata, const std::string& key,
                                  const std::string& path) {
  const auto it = metadata.find(key);
  if (it == metadata.end())
    throw InputError(path, "__metadata__." + key, "", "missing: not a Counterscope generator file");
  return it->second;
}

std::int64_t metadata_int(const std::map<std::string, std::string>& metadata, const std::string& key,
                          const std::string& path) {
  const std::string& text = metadata_field(metadata, key, path);
  try {
    std::size_t used = 0;
    const long long value = std::stoll(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  throw InputError(path, "__metadata__." + key, quote_for_message(text), "expected an integer");
}

}  // namespace

std::string model_config_hash(const modeling::ModelConfig& config) {
  nlohmann::json json = config.to_json();
  json.erase("name");
  const std::string text = json.dump();
  std::uint64_t hash = 1469598103934665603ull;
  for (const unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(hash));
  return buffer;
}

void save_generator(const CounterfactualGeneratorImpl& generator, const modeling::ModelConfig& model_config,
                    const std::string& path, const std::map<std::string, std::string>& extra) {
  modeling::StateDict state;
  for (const auto& item : generator.named_parameters()) state.insert(item.key(), item.value().detach().cpu());
  for (const auto& item : generator.named_buffers()) state.insert(item.key(), item.value().detach().cpu());
  std::map<std::string, std::string> metadata = extra;
  const GeneratorShape& shape = generator.shape();
  metadata["format"] = kFormat;
  metadata["model_config_hash"] = model_config_hash(model_config);
  metadata["model_name"] = model_config.name;
  metadata["num_classes"] = std::to_string(shape.num_classes);
  metadata["feature_channels"] = std::to_string(shape.feature_channels);
  metadata["levels"] = std::to_string(shape.levels);
  metadata["generator_options"] = shape.options.to_json().dump();
  modeling::save_safetensors(state, path, metadata);
}

CounterfactualGenerator load_generator(const std::string& path, const modeling::ModelConfig& model_config) {
  const modeling::SafetensorsContents contents = modeling::read_safetensors(path);
  const auto& metadata = contents.metadata;
  if (metadata_field(metadata, "format", path) != kFormat)
    throw InputError(path, "__metadata__.format", quote_for_message(metadata.at("format")),
                     std::string("expected \"") + kFormat + "\"");
  const std::int64_t num_classes = metadata_int(metadata, "num_classes", path);
  const std::string hash = metadata_field(metadata, "model_config_hash", path);
  const std::string trained_for = metadata.count("model_name") ? metadata.at("model_name") : std::string("?");
  if (num_classes != model_config.num_classes)
    throw InputError(path, "__metadata__.num_classes", std::to_string(num_classes),
                     "the generator was trained for a model with " + std::to_string(num_classes) +
                         " classes (\"" + trained_for + "\"), this model has " +
                         std::to_string(model_config.num_classes) + ": train a generator for this model (cf-train)");
  if (hash != model_config_hash(model_config))
    throw InputError(path, "__metadata__.model_config_hash", hash,
                     "the generator was trained for another model (\"" + trained_for + "\", config hash " + hash +
                         "; this model \"" + model_config.name + "\" hashes to " + model_config_hash(model_config) +
                         "): train a generator for this model (cf-train)");
  GeneratorShape shape;
  try {
    shape.options = GeneratorOptions::from_json(nlohmann::json::parse(metadata_field(metadata, "generator_options", path)),
                                                path + " (__metadata__.generator_options)");
  } catch (const nlohmann::json::exception& error) {
    throw InputError(path, "__metadata__.generator_options", "", std::string("not JSON: ") + error.what());
  }
  shape.num_classes = num_classes;
  shape.feature_channels = metadata_int(metadata, "feature_channels", path);
  shape.levels = metadata_int(metadata, "levels", path);
  CounterfactualGenerator generator(shape);
  modeling::ApplyStateDictOptions options;
  options.source = path;
  modeling::apply_state_dict(*generator, contents.tensors, options);
  return generator;
}

void initialize_generator(CounterfactualGeneratorImpl& generator, const std::string& path,
                          const modeling::ModelConfig& model_config) {
  const CounterfactualGenerator start = load_generator(path, model_config);
  const nlohmann::json wanted = generator.shape().options.to_json(), found = start->shape().options.to_json();
  if (wanted != found)
    throw InputError(path, "__metadata__.generator_options", found.dump(),
                     "this training builds a generator with other options (" + wanted.dump() +
                         "): use the earlier phase's generator options in the config");
  modeling::StateDict state;
  for (const auto& item : start->named_parameters()) state.insert(item.key(), item.value().detach());
  for (const auto& item : start->named_buffers()) state.insert(item.key(), item.value().detach());
  modeling::ApplyStateDictOptions options;
  options.source = path;
  torch::NoGradGuard no_grad;
  modeling::apply_state_dict(generator, state, options);
}

}  // namespace counterscope::counterfactual
