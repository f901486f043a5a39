#include "core/counterfactual/counterfactual_options.h"

#include <set>

#include <nlohmann/json.hpp>

#include "core/util/error.h"

namespace counterscope::counterfactual {
namespace {

using json = nlohmann::json;

/// Reads the known fields of one JSON object with type checks and rejects unknown ones (typos).
class FieldReader {
 public:
  FieldReader(const json& object, std::string source, std::string path)
      : m_object(object), m_source(std::move(source)), m_path(std::move(path)) {
    if (!m_object.is_object()) throw InputError(m_source, m_path.empty() ? "(top)" : m_path, m_object.dump(), "expected an object");
  }

  template <typename T>
  void read(const std::string& key, T& target) {
    m_known.insert(key);
    const auto it = m_object.find(key);
    if (it == m_object.end()) return;
    try {
      target = it->template get<T>();
    } catch (const json::exception&) {
      throw InputError(m_source, field(key), quote_for_message(it->dump()), "wrong type");
    }
  }
  void positive(const std::string& key, double value) const {
    if (!(value > 0)) throw InputError(m_source, field(key), std::to_string(value), "must be positive");
  }
  void non_negative(const std::string& key, double value) const {
    if (!(value >= 0)) throw InputError(m_source, field(key), std::to_string(value), "must not be negative");
  }
  const json* child(const std::string& key) {
    m_known.insert(key);
    const auto it = m_object.find(key);
    return it == m_object.end() ? nullptr : &*it;
  }
  void reject_unknown() const {
    for (const auto& item : m_object.items())
      if (!m_known.count(item.key())) throw InputError(m_source, field(item.key()), "", "unknown field");
  }
  std::string field(const std::string& key) const { return m_path.empty() ? key : m_path + "." + key; }
  const std::string& source() const { return m_source; }

 private:
  const json& m_object;
  std::string m_source, m_path;
  std::set<std::string> m_known;
};

GeneratorOptions read_generator(const json& node, const std::string& source, const std::string& path) {
  GeneratorOptions o;
  FieldReader r(node, source, path);
  r.read("code_dim", o.code_dim);
  r.read("decoder_width", o.decoder_width);
  std::string region = o.region == CodeRegion::box ? "box" : "mask";
  r.read("region", region);
  r.read("leaky_slope", o.leaky_slope);
  r.read("mark_changes", o.mark_changes);
  r.reject_unknown();
  r.positive("code_dim", static_cast<double>(o.code_dim));
  if (o.decoder_width < 4 || o.decoder_width % 4 != 0)
    throw InputError(source, r.field("decoder_width"), std::to_string(o.decoder_width), "must be a multiple of 4, at least 4");
  if (region == "box") o.region = CodeRegion::box;
  else if (region == "mask") o.region = CodeRegion::mask;
  else throw InputError(source, r.field("region"), quote_for_message(region), "expected \"box\" or \"mask\"");
  r.non_negative("leaky_slope", o.leaky_slope);
  return o;
}

DiscriminatorOptions read_discriminator(const json& node, const std::string& source, const std::string& path) {
  DiscriminatorOptions o;
  FieldReader r(node, source, path);
  r.read("width", o.width);
  r.read("layers", o.layers);
  r.reject_unknown();
  r.positive("width", static_cast<double>(o.width));
  if (o.layers < 1 || o.layers > 6) throw InputError(source, r.field("layers"), std::to_string(o.layers), "expected 1..6");
  return o;
}

LossWeights read_weights(const json& node, const std::string& source, const std::string& path) {
  LossWeights w;
  FieldReader r(node, source, path);
  const std::pair<const char*, double*> fields[] = {
      {"target", &w.target},         {"map_l1", &w.map_l1},   {"map_l2", &w.map_l2},
      {"adversarial", &w.adversarial}, {"cycle", &w.cycle},   {"discriminator", &w.discriminator},
      {"total_variation", &w.total_variation}, {"map_outside", &w.map_outside}};
  for (const auto& [key, value] : fields) {
    r.read(key, *value);
    r.non_negative(key, *value);
  }
  r.reject_unknown();
  return w;
}

}  // namespace

const char* target_loss_name(TargetLoss loss) {
  switch (loss) {
    case TargetLoss::classification: return "cls";
    case TargetLoss::box: return "box";
    case TargetLoss::mask: return "mask";
  }
  return "cls";
}

TargetLoss parse_target_loss(const std::string& name, const std::string& source, const std::string& field) {
  if (name == "cls" || name == "classification") return TargetLoss::classification;
  if (name == "box") return TargetLoss::box;
  if (name == "mask") return TargetLoss::mask;
  throw InputError(source, field, quote_for_message(name), "expected cls, box or mask");
}

GeneratorOptions GeneratorOptions::from_json(const json& node, const std::string& source) {
  return read_generator(node, source, "");
}

json GeneratorOptions::to_json() const {
  return {{"code_dim", code_dim}, {"decoder_width", decoder_width},
          {"region", region == CodeRegion::box ? "box" : "mask"}, {"leaky_slope", leaky_slope},
          {"mark_changes", mark_changes}};
}

DiscriminatorOptions DiscriminatorOptions::from_json(const json& node, const std::string& source) {
  return read_discriminator(node, source, "");
}

json DiscriminatorOptions::to_json() const { return {{"width", width}, {"layers", layers}}; }

LossWeights LossWeights::from_json(const json& node, const std::string& source) { return read_weights(node, source, ""); }

json LossWeights::to_json() const {
  return {{"target", target},   {"map_l1", map_l1}, {"map_l2", map_l2}, {"adversarial", adversarial},
          {"cycle", cycle},     {"discriminator", discriminator}, {"total_variation", total_variation},
          {"map_outside", map_outside}};
}

TrainingOptions TrainingOptions::from_json(const json& node, const std::string& source) {
  TrainingOptions o;
  FieldReader r(node, source, "");
  if (const json* child = r.child("generator")) o.generator = read_generator(*child, source, "generator");
  if (const json* child = r.child("discriminator")) o.discriminator = read_discriminator(*child, source, "discriminator");
  if (const json* child = r.child("weights")) o.weights = read_weights(*child, source, "weights");
  std::string loss = target_loss_name(o.target_loss);
  r.read("target_loss", loss);
  o.target_loss = parse_target_loss(loss, source, "target_loss");
  r.read("generator_lr", o.generator_lr);
  r.read("discriminator_lr", o.discriminator_lr);
  r.read("beta1", o.beta1);
  r.read("beta2", o.beta2);
  r.read("batch_size", o.batch_size);
  r.read("horizontal_flip", o.horizontal_flip);
  r.read("seed", o.seed);
  r.read("swap_share", o.swap_share);
  r.read("checkpoint_period", o.checkpoint_period);
  r.read("log_period", o.log_period);
  r.reject_unknown();
  r.positive("generator_lr", o.generator_lr);
  r.positive("discriminator_lr", o.discriminator_lr);
  if (!(o.beta1 >= 0 && o.beta1 < 1)) throw InputError(source, "beta1", std::to_string(o.beta1), "expected [0, 1)");
  if (!(o.beta2 >= 0 && o.beta2 < 1)) throw InputError(source, "beta2", std::to_string(o.beta2), "expected [0, 1)");
  r.positive("batch_size", static_cast<double>(o.batch_size));
  if (!(o.swap_share >= 0 && o.swap_share <= 1))
    throw InputError(source, "swap_share", std::to_string(o.swap_share), "expected [0, 1] (0: one instance per image)");
  r.positive("checkpoint_period", static_cast<double>(o.checkpoint_period));
  r.positive("log_period", static_cast<double>(o.log_period));
  return o;
}

json TrainingOptions::to_json() const {
  return {{"generator", generator.to_json()},
          {"discriminator", discriminator.to_json()},
          {"weights", weights.to_json()},
          {"target_loss", target_loss_name(target_loss)},
          {"generator_lr", generator_lr},
          {"discriminator_lr", discriminator_lr},
          {"beta1", beta1},
          {"beta2", beta2},
          {"batch_size", batch_size},
          {"horizontal_flip", horizontal_flip},
          {"seed", seed},
          {"swap_share", swap_share},
          {"checkpoint_period", checkpoint_period},
          {"log_period", log_period}};
}

OptimizerExplainerOptions OptimizerExplainerOptions::from_json(const json& node, const std::string& source) {
  OptimizerExplainerOptions o;
  FieldReader r(node, source, "");
  r.read("max_steps", o.max_steps);
  r.read("learning_rate", o.learning_rate);
  r.read("stop_when_attained", o.stop_when_attained);
  std::string loss = target_loss_name(o.target_loss);
  r.read("target_loss", loss);
  o.target_loss = parse_target_loss(loss, source, "target_loss");
  if (const json* child = r.child("weights")) o.weights = read_weights(*child, source, "weights");
  r.reject_unknown();
  r.positive("max_steps", static_cast<double>(o.max_steps));
  r.positive("learning_rate", o.learning_rate);
  return o;
}

json OptimizerExplainerOptions::to_json() const {
  return {{"max_steps", max_steps},
          {"learning_rate", learning_rate},
          {"stop_when_attained", stop_when_attained},
          {"target_loss", target_loss_name(target_loss)},
          {"weights", weights.to_json()}};
}

}  // namespace counterscope::counterfactual
