#include "cli/explainer_options.h"

#include <optional>
#include <string>

#include <opencv2/imgproc.hpp>

#include "core/counterfactual/counterfactual_options.h"
#include "core/counterfactual/generator_file.h"
#include "core/counterfactual/synthetic_reference.h"

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
      .flag("twin-context", "with --twin: the twin also moves the scene to the target class's usual background")
      .flag("twin-box", "with --twin: ask about the instance where the twin draws it (its box and mask), not X's");
}

void check_explainer_choice(const ArgParser& parser) {
  const int chosen = int{parser.get_optional("generator").has_value()} +
                     int{parser.get_optional("optimize").has_value()} + int{parser.get_flag("twin")};
  if (chosen != 1) throw UsageError("give exactly one of --generator G, --optimize STEPS and --twin");
  if (parser.get_flag("twin") && !parser.get_optional("world"))
    throw UsageError("--twin shows the synthetic world's ground-truth twin: give --world DIR too");
  for (const char* twin_option : {"twin-context", "twin-box"})
    if (parser.get_flag(twin_option) && !parser.get_flag("twin"))
      throw UsageError("--" + std::string(twin_option) + " changes how the twin is shown: give --twin too");
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

void attach_ground_truth(const ArgParser& parser, DatasetExplainRequest& asked, const std::string& target_name) {
  const auto world = parser.get_optional("world");
  if (!world) return;
  const SyntheticTwinReference twin = synthetic_twin_reference(
      *world, parser.get("split"), asked.image_id, asked.annotation_id, target_name, parser.get_flag("twin-context"));
  asked.request.ground_truth_difference = twin.difference;
  if (!parser.get_flag("twin-box") || cv::countNonZero(twin.mask) == 0) return;  // fully occluded: keep X's box
  ExplainInstance& instance = asked.request.instances[asked.request.instance];
  const cv::Rect box = cv::boundingRect(twin.mask);
  instance.box = {static_cast<double>(box.x), static_cast<double>(box.y), static_cast<double>(box.x + box.width),
                  static_cast<double>(box.y + box.height)};
  instance.mask = twin.mask.clone();
}

}  // namespace counterscope::cli
