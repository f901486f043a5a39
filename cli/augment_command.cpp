// `counterscope-cli augment --ann TRAIN.json --images ROOT --min-images K --out DIR
// [--method counterfactual|transforms] [--model CONFIG --weights W --generator G [--refine STEPS] --accept-score X]
// [--strength S] [--seed S]`: adds images to a training set until every category has at least K images (issue #7)
// — counterfactual label swaps kept when the model attains the target (LVIS-CF), or the image-transformation
// baseline with the same plan. Writes DIR/annotations/train.json (use --images DIR/images with it), the new
// images, DIR/statistics.json, and prints the report's table (stdout). Running the same command again resumes an
// interrupted run.

#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/command.h"
#include "cli/progress_printer.h"
#include "core/augmentation/augmentation_job.h"
#include "core/augmentation/counterfactual_candidates.h"
#include "core/augmentation/transform_candidates.h"
#include "core/counterfactual/explain_session.h"
#include "core/counterfactual/explainer.h"
#include "core/counterfactual/generator_file.h"
#include "core/data/category_labels.h"
#include "core/data/lvis/lvis_loader.h"

namespace counterscope::cli {
namespace {

/// Exit code when some category could not reach K (the others did, and the output is complete).
constexpr int exit_partial = 3;

int run(const std::vector<std::string>& args) {
  ArgParser parser("augment",
                   "Adds training images until every category has at least K images: counterfactual label swaps "
                   "kept when the model attains the target (LVIS-CF), or random image transformations (the "
                   "baseline, same number of images). Prints the statistics table (images and instances per "
                   "frequency group before and after); run the same command again to resume. Exit code 3: some "
                   "category could not reach K (listed in DIR/statistics.json).");
  parser.option("method", "NAME", "counterfactual or transforms", "counterfactual")
      .option("ann", "TRAIN.json", "LVIS/COCO training annotations", std::nullopt, true)
      .option("images", "ROOT", "image root of the training annotations", std::nullopt, true)
      .option("min-images", "K", "every category should reach this many training images", std::nullopt, true)
      .option("out", "DIR", "output folder (new or empty, or an interrupted run's folder to resume)", std::nullopt, true)
      .option("model", "CONFIG", "counterfactual: model preset or config JSON")
      .option("weights", "W", "counterfactual: detector weights")
      .option("generator", "G", "counterfactual: trained generator (cf-train)")
      .option("refine", "STEPS", "counterfactual: refine each generator map for at most STEPS optimiser steps")
      .option("outside-weight", "W",
              "counterfactual --refine: weight of mean |M| outside the instance's box enlarged 2x", "0")
      .option("accept-score", "X", "counterfactual: keep X~ when the target is attained with score >= X", "0.5")
      .option("min-area", "PIXELS", "counterfactual: smallest source instance", "32")
      .option("strength", "S", "transforms: magnitude of the operations in [0, 1]", "0.5")
      .option("max-attempts", "N", "give a category up after N failed attempts", "20")
      .option("seed", "S", "seed of every random choice", "0")
      .option("threads", "N", "CPU threads (0 = all cores)", "0");
  if (!parser.parse(args)) return exit_ok;
  apply_thread_option(parser.get_int("threads"));
  const std::string method = parser.get("method");
  if (method != "counterfactual" && method != "transforms")
    throw UsageError("--method = " + method + ": expected counterfactual or transforms");
  const bool counterfactual = method == "counterfactual";
  if (counterfactual && (!parser.has("model") || !parser.has("weights") || !parser.has("generator")))
    throw UsageError("--method counterfactual needs --model, --weights and --generator");
  if (!counterfactual && parser.has("refine"))
    throw UsageError("--refine refines counterfactual maps: it needs --method counterfactual");

  ProgressPrinter printer;
  JobContext context{printer.callback()};
  const data::Dataset dataset = data::load_dataset(parser.get("ann"), context);

  augmentation::AugmentationOptions options;
  options.annotations_path = parser.get("ann");
  options.image_root = parser.get("images");
  options.out_dir = parser.get("out");
  options.min_images = parser.get_int64("min-images");
  options.seed = static_cast<std::uint64_t>(parser.get_int64("seed"));
  options.max_attempts = parser.get_int64("max-attempts");

  // Say "nothing to do" before loading a model that would not be used.
  const augmentation::AugmentationPlan plan = augmentation::plan_augmentation(dataset, options.min_images);
  if (plan.nothing_to_do()) {
    printer.finish();
    std::cout << augmentation::nothing_to_do_message(plan) << "\n";
    return exit_ok;
  }

  std::optional<modeling::MaskRcnn> model;
  std::unique_ptr<counterfactual::Explainer> explainer;
  std::unique_ptr<augmentation::CandidateMaker> maker;
  if (counterfactual) {
    const data::CategoryLabels labels(dataset);
    model = counterfactual::load_detector(parser.get("model"), parser.get("weights"), &labels, parser.get("ann"));
    counterfactual::CounterfactualGenerator generator =
        counterfactual::load_generator(parser.get("generator"), (*model)->config());
    if (parser.get_optional("refine")) {
      counterfactual::OptimizerExplainerOptions refine;
      refine.max_steps = parser.get_int("refine");
      refine.weights.map_outside = parser.get_double("outside-weight");
      if (refine.max_steps < 1 || !(refine.weights.map_outside >= 0))
        throw UsageError("--refine = " + parser.get("refine") + ", --outside-weight = " + parser.get("outside-weight") +
                         ": expected a positive step count and a weight >= 0");
      explainer = std::make_unique<counterfactual::RefiningExplainer>(*model, generator, refine);
    } else {
      explainer = std::make_unique<counterfactual::GeneratorExplainer>(*model, generator);
    }
    augmentation::CounterfactualCandidateOptions cf_options;
    cf_options.accept_score = parser.get_double("accept-score");
    cf_options.min_area = parser.get_double("min-area");
    maker = std::make_unique<augmentation::CounterfactualCandidates>(dataset, options.image_root, *explainer, cf_options);
    options.identity = {{"model", parser.get("model")}, {"weights", parser.get("weights")},
                        {"generator", parser.get("generator")}};
    // A refined run is another explainer: resuming it without --refine (or with other settings) is refused.
    if (parser.get_optional("refine")) {
      options.identity["refine"] = parser.get("refine");
      options.identity["outside_weight"] = parser.get("outside-weight");
    }
  } else {
    maker = std::make_unique<augmentation::TransformCandidates>(
        dataset, options.image_root, augmentation::TransformCandidateOptions{parser.get_double("strength")});
  }

  const augmentation::AugmentationResult result = augmentation::run_augmentation(dataset, options, *maker, context);
  printer.finish();
  std::cout << augmentation::format_statistics_table(result.statistics) << "\n";
  for (const auto& outcome : result.outcomes)
    if (outcome.unreachable)
      std::cerr << "unreachable: " << outcome.need.name << " (id " << outcome.need.category_id << "): "
                << outcome.reason << "\n";
  std::cout << result.message << "\n" << "dataset: " << result.annotations_path << " (--images " << result.images_root
            << "); details: " << options.out_dir << "/statistics.json\n";
  return result.partial() ? exit_partial : exit_ok;
}

const CommandRegistrar registrar{Command{
    "augment", "add training images until every category has K (counterfactual label swaps or transformations)", &run}};

}  // namespace
}  // namespace counterscope::cli
