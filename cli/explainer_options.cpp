#include "cli/explainer_options.h"

#include <optional>
#include <string>

#include "core/counterfactual/counterfactual_options.h"
#include "core/counterfactual/generator_file.h"

namespace counterscope::cli {

using namespace counterfactual;

void add_explainer_options(ArgParser& parser) {
  parser.option("model", "CONFIG", "model preset or config JSON", std::nullopt, true)
      .option("weights", "W", "detector weights (.pth or .safetensors)", std::nullopt, true)
      .option("generator", "G", "trained generator (generator.safetensors from cf-train)")
      .option("optimize", "STEPS", "no generator: optimise M directly for at most STEPS Adam steps")
      .option("refine", "STEPS", "with --generator: refine the generator's map for at most STEPS optimiser steps")
      .option("lr", "RATE", "learning rate of --optimize and --refine", "0.01")
      .option("target-loss", "KIND", "loss of --optimize and --refine: cls, box or mask", "cls")
      .option("outside-weight", "W",
              "--optimize and --refine: weight of mean |M| outside the instance's box enlarged 2x", "0")
      .flag("twin",
            "no explainer: M is the ground-truth twin - X of the synthetic world (needs --world); the attainment a "
            "perfectly semantic map reaches on this model")
      .flag("twin-context", "with --twin: the twin also moves the scene to the target class's usual background");
}

void check_explainer_choice(const ArgParser& parser) {
  const int chosen = int{parser.get_optional("generator").has_value()} +
                     int{parser.get_optional("optimize").has_value()} + int{parser.get_flag("twin")};
  if (chosen != 1) throw UsageError("give exactly one of --generator G, --optimize STEPS and --twin");
  if (parser.get_flag("twin") && !parser.get_optional("world"))
    throw UsageError("--twin shows the synthetic world's ground-truth twin: give --world DIR too");
  if (parser.get_flag("twin-context") && !parser.get_flag("twin"))
    throw UsageError("--twin-context changes the twin's background: give --twin too");
  if (parser.get_optional("refine") && !parser.get_optional("generator"))
    throw UsageError("--refine STEPS refines a generator's map: give --generator G too");
}

namespace {

OptimizerExplainerOptions optimizer_options(const ArgParser& parser, const std::string& steps_option) {
  OptimizerExplainerOptions options;
  options.max_steps = parser.get_int(steps_option);
  if (options.max_steps < 1)
    throw UsageError("--" + steps_option + " = " + parser.get(steps_option) + ": expected a positive step count");
  options.learning_rate = parser.get_double("lr");
  options.target_loss = parse_target_loss(parser.get("target-loss"), "--target-loss", "kind");
  options.weights.map_outside = parser.get_double("outside-weight");
  if (!(options.weights.map_outside >= 0))
    throw UsageError("--outside-weight = " + parser.get("outside-weight") + ": expected a weight >= 0");
  return options;
}

}  // namespace

std::unique_ptr<Explainer> make_explainer(const ArgParser& parser, modeling::MaskRcnn model) {
  if (const auto generator_path = parser.get_optional("generator")) {
    CounterfactualGenerator generator = load_generator(*generator_path, model->config());
    if (parser.get_optional("refine"))
      return std::make_unique<RefiningExplainer>(model, generator, optimizer_options(parser, "refine"));
    return std::make_unique<GeneratorExplainer>(model, generator);
  }
  if (parser.get_flag("twin")) return std::make_unique<TwinExplainer>(model);
  return std::make_unique<OptimizingExplainer>(model, optimizer_options(parser, "optimize"));
}

}  // namespace counterscope::cli
