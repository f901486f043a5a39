// `counterscope-cli cf-train --model CONFIG --weights W --ann TRAIN.json --images ROOT --target-loss cls|box|mask
// --iters N --out DIR [--resume] [--init-generator G] [--threads N] [--device cpu|cuda]`: trains a
// counterfactual-map generator for a frozen detector. Writes DIR/generator.safetensors (with the model's config
// hash), DIR/checkpoints/, DIR/metrics.jsonl and DIR/cf_config.json. Ctrl-C stops after the current iteration
// and saves a checkpoint; --resume continues (on any device: the checkpoint is loaded onto --device).

#include <atomic>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/command.h"
#include "cli/progress_printer.h"
#include "core/counterfactual/counterfactual_trainer.h"
#include "core/counterfactual/explain_session.h"
#include "core/counterfactual/generator_file.h"
#include "core/data/lvis/lvis_loader.h"
#include "core/engine/checkpointer.h"
#include "core/engine/training_hooks.h"
#include "core/modeling/device.h"
#include "core/util/error.h"

namespace counterscope::cli {
namespace {

using namespace counterfactual;

std::atomic<bool> g_interrupted{false};

void on_interrupt(int) { g_interrupted.store(true); }

TrainingOptions read_options(const std::optional<std::string>& path) {
  if (!path) return {};
  std::ifstream stream(*path);
  if (!stream) throw InputError(*path, "", "", "cannot open the file");
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(stream);
  } catch (const nlohmann::json::exception& error) {
    throw InputError(*path, "", "", std::string("not valid JSON: ") + error.what());
  }
  return TrainingOptions::from_json(json, *path);
}

int run(const std::vector<std::string>& args) {
  ArgParser parser("cf-train",
                   "Trains the counterfactual-map generator of a frozen Mask R-CNN: target code maps on the "
                   "detector's FPN features, a U-Net decoder, a PatchGAN discriminator, and the objective "
                   "adversarial + cycle + the detector's loss on X~ for swapped labels + L1/L2 of the map + TV.");
  parser.option("model", "CONFIG", "model preset or config JSON", std::nullopt, true)
      .option("weights", "W", "detector weights (.pth or .safetensors)", std::nullopt, true)
      .option("ann", "TRAIN.json", "training annotations (LVIS/COCO)", std::nullopt, true)
      .option("images", "ROOT", "image root", std::nullopt, true)
      .option("target-loss", "KIND", "detector loss pulling X~ to the target: cls, box or mask")
      .option("iters", "N", "iterations", std::nullopt, true)
      .option("out", "DIR", "output folder", std::nullopt, true)
      .option("config", "CF.json", "counterfactual training options (generator, weights, learning rates)")
      .option("batch-size", "B", "images per iteration (overrides the config)")
      .option("seed", "S", "seed (overrides the config)")
      .option("checkpoint-period", "P", "iterations between checkpoints (overrides the config)")
      .option("threads", "N", "CPU threads (0 = all cores)", "0")
      .option("init-generator", "G",
              "start from this generator (an earlier phase's generator.safetensors for the same detector and "
              "generator options); discriminator and optimisers start fresh; unused when --resume finds a checkpoint")
      .option("device", "DEVICE", "cpu, cuda or cuda:N (detector, generator and discriminator)", std::string("cpu"))
      .flag("resume", "continue from the newest checkpoint in DIR/checkpoints");
  if (!parser.parse(args)) return exit_ok;
  apply_thread_option(parser.get_int("threads"));
  const torch::Device device = modeling::parse_device(parser.get("device"));
  TrainingOptions options = read_options(parser.get_optional("config"));
  if (const auto kind = parser.get_optional("target-loss")) options.target_loss = parse_target_loss(*kind, "--target-loss", "kind");
  if (parser.get_optional("batch-size")) options.batch_size = parser.get_int("batch-size");
  if (parser.get_optional("seed")) options.seed = static_cast<std::uint64_t>(parser.get_int64("seed"));
  if (parser.get_optional("checkpoint-period")) options.checkpoint_period = parser.get_int("checkpoint-period");
  if (options.batch_size < 1 || options.checkpoint_period < 1)
    throw UsageError("--batch-size and --checkpoint-period must be positive");
  const std::int64_t iterations = parser.get_int64("iters");
  if (iterations < 1) throw UsageError("--iters = " + parser.get("iters") + ": expected a positive count");

  const std::filesystem::path out_dir = parser.get("out");
  std::error_code error;
  std::filesystem::create_directories(out_dir, error);
  if (error) throw InputError(out_dir.string(), "", "", "cannot create the folder: " + error.message());

  ProgressPrinter printer;
  g_interrupted.store(false);
  const auto previous = std::signal(SIGINT, on_interrupt);
  JobContext context{printer.callback(), &g_interrupted};
  const data::Dataset dataset = data::load_dataset(parser.get("ann"), context);
  const data::CategoryLabels labels(dataset);
  modeling::MaskRcnn model = load_detector(parser.get("model"), parser.get("weights"), &labels, parser.get("ann"));
  model->to(device);  // the trainer puts the generator, the discriminator and each batch where the detector is
  engine::DetectionDataOptions data_options;
  data_options.batch_size = options.batch_size;
  data_options.horizontal_flip = options.horizontal_flip;
  data_options.seed = options.seed;
  const engine::DetectionDataSource data(dataset, parser.get("images"), data_options);

  CounterfactualTrainer trainer(model, data, options, iterations);
  engine::Checkpointer checkpointer((out_dir / "checkpoints").string());
  trainer.register_hook(std::make_shared<engine::ProgressHook>("cf-train"));
  trainer.register_hook(std::make_shared<engine::MetricsLogHook>((out_dir / "metrics.jsonl").string(), options.log_period));
  trainer.register_hook(std::make_shared<engine::CheckpointHook>(checkpointer, options.checkpoint_period));
  std::optional<std::string> resumed;
  if (parser.get_flag("resume")) {
    std::vector<std::string> warnings;
    resumed = checkpointer.resume(trainer, &warnings, device);
    for (const auto& warning : warnings) std::cerr << "warning: " << warning << "\n";
  }
  const auto init_generator = parser.get_optional("init-generator");
  if (init_generator && !resumed) initialize_generator(*trainer.generator(), *init_generator, model->config());
  std::ofstream(out_dir / "cf_config.json") << options.to_json().dump(2) << "\n";

  const bool completed = trainer.train(context);
  printer.finish();
  std::signal(SIGINT, previous);
  nlohmann::ordered_json out;
  out["completed"] = completed;
  out["iterations"] = trainer.iteration();
  out["target_loss"] = target_loss_name(options.target_loss);
  if (resumed) out["resumed_from"] = *resumed;
  else if (init_generator) out["initialized_from"] = *init_generator;
  if (completed) {
    const std::string path = (out_dir / "generator.safetensors").string();
    save_generator(*trainer.generator(), model->config(), path,
                   {{"iterations", std::to_string(trainer.iteration())},
                    {"target_loss", target_loss_name(options.target_loss)},
                    {"training_annotations", parser.get("ann")}});
    out["generator"] = path;
  }
  out["checkpoints"] = (out_dir / "checkpoints").string();
  out["metrics"] = (out_dir / "metrics.jsonl").string();
  std::cout << out.dump(2) << "\n";
  return completed ? exit_ok : exit_cancelled;
}

const CommandRegistrar registrar{
    Command{"cf-train", "train the counterfactual-map generator of a frozen detector", &run}};

}  // namespace
}  // namespace counterscope::cli
