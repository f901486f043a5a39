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
      .option("lr", "RATE", "learning rate of --optimize", "0.01")
      .option("target-loss", "KIND", "loss of --optimize: cls, box or mask", "cls");
}

void check_explainer_choice(const ArgParser& parser) {
  if (parser.get_optional("generator").has_value() == parser.get_optional("optimize").has_value())
    throw UsageError("give exactly one of --generator G and --optimize STEPS");
}

std::unique_ptr<Explainer> make_explainer(const ArgParser& parser, modeling::MaskRcnn model) {
  if (const auto generator_path = parser.get_optional("generator"))
    return std::make_unique<GeneratorExplainer>(model, load_generator(*generator_path, model->config()));
  OptimizerExplainerOptions options;
  options.max_steps = parser.get_int("optimize");
  if (options.max_steps < 1)
    throw UsageError("--optimize = " + parser.get("optimize") + ": expected a positive step count");
  options.learning_rate = parser.get_double("lr");
  options.target_loss = parse_target_loss(parser.get("target-loss"), "--target-loss", "kind");
  return std::make_unique<OptimizingExplainer>(model, options);
}

}  // namespace counterscope::cli
