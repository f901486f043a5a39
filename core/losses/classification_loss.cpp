#include "core/losses/classification_loss.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/losses/loss_registry.h"
#include "core/util/error.h"

namespace counterscope::losses {

torch::Tensor ClassificationLoss::probabilities(const torch::Tensor& logits) const {
  return torch::softmax(logits, -1);
}

LossOptions LossOptions::from_json(const nlohmann::json& json, const std::string& source) {
  LossOptions options;
  if (!json.is_object()) throw InputError(source, "loss", json.dump(), "expected an object");
  auto read_number = [&](const char* key, double& target) {
    if (!json.contains(key)) return;
    if (!json[key].is_number()) throw InputError(source, std::string("loss.") + key, json[key].dump(), "expected a number");
    target = json[key].get<double>();
  };
  if (json.contains("name")) {
    if (!json["name"].is_string()) throw InputError(source, "loss.name", json["name"].dump(), "expected a string");
    options.name = json["name"].get<std::string>();
  }
  read_number("cm_max_margin", options.cm_max_margin);
  read_number("cm_scale", options.cm_scale);
  read_number("lr_beta", options.lr_beta);
  read_number("focal_gamma", options.focal_gamma);
  read_number("seesaw_p", options.seesaw_p);
  read_number("seesaw_q", options.seesaw_q);
  read_number("seesaw_eps", options.seesaw_eps);
  if (json.contains("lr_weighting")) {
    const auto& value = json["lr_weighting"];
    if (!value.is_string() || (value != "inverse_frequency" && value != "effective_number"))
      throw InputError(source, "loss.lr_weighting", value.dump(), "expected \"inverse_frequency\" or \"effective_number\"");
    options.lr_weighting = value.get<std::string>();
  }
  if (json.contains("seesaw_objectness")) {
    if (!json["seesaw_objectness"].is_boolean())
      throw InputError(source, "loss.seesaw_objectness", json["seesaw_objectness"].dump(), "expected true or false");
    options.seesaw_objectness = json["seesaw_objectness"].get<bool>();
  }
  return options;
}

std::vector<std::string> classification_loss_names() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : loss_factories()) names.push_back(name);
  return names;
}

std::unique_ptr<ClassificationLoss> make_classification_loss(const LossOptions& options) {
  const auto& factories = loss_factories();
  const auto it = factories.find(options.name);
  if (it == factories.end()) {
    std::string known;
    for (const auto& name : classification_loss_names()) known += (known.empty() ? "" : ", ") + name;
    throw InputError("loss", "name", quote_for_message(options.name), "unknown loss; known: " + known);
  }
  return it->second(options);
}

}  // namespace counterscope::losses
