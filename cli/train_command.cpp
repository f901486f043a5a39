// counterscope-cli train: trains a Mask R-CNN on an LVIS/COCO split with one of the long-tail losses.
// SIGINT (Ctrl-C) stops after the current iteration, writes a checkpoint and exits with 130; --resume continues.

#include <algorithm>
#include <atomic>
#include <csignal>
#include <iostream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/command.h"
#include "cli/progress_printer.h"
#include "core/engine/detector_training.h"
#include "core/losses/classification_loss.h"

namespace counterscope::cli {
namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void request_stop(int) { g_interrupted.store(true); }

int run(const std::vector<std::string>& args) {
  ArgParser parser("train", "Train a Mask R-CNN with a long-tail classification loss; writes OUT/checkpoints/, "
                            "OUT/metrics.jsonl, OUT/model.safetensors, OUT/model.json and OUT/eval.json.");
  parser.option("model", "PRESET|CONFIG.json", "model preset (tiny, torchvision-r50-fpn, lvis-r50-fpn) or config file", "tiny")
      .option("ann", "TRAIN.json", "training annotations (LVIS v1/v0.5 or COCO)", std::nullopt, true)
      .option("images", "ROOT", "image root (LVIS: the folder holding train2017/ and val2017/)", std::nullopt, true)
      .option("val-ann", "VAL.json", "validation annotations, evaluated at the end (and every --eval-period)")
      .option("init-weights", "FILE", "start from these weights (.pth/.safetensors); tensors that do not fit are listed and left initialised")
      .option("init-exclude", "PREFIX[,PREFIX...]", "tensors of --init-weights under these name prefixes are not loaded "
                                                    "(e.g. roi_heads.box_predictor.cls_score. retrains the classifier)")
      .option("loss", "NAME", "classification loss: ce | cm | lr | fl | seesaw", "ce")
      .option("rfs", "T|auto", "repeat-factor sampling threshold t in [0, 1] (LVIS: 0.001); auto = 100 / training images "
                                "(categories in fewer than 100 training images are repeated, as 0.001 does on LVIS); 0 = off", "0")
      .option("iters", "N", "training iterations", "1000")
      .option("batch", "B", "images per iteration", "4")
      .option("lr", "RATE", "base learning rate (SGD, momentum 0.9, weight decay 1e-4)", "0.02")
      .option("warmup", "N", "linear warm-up iterations", "100")
      .option("steps", "I,J|none", "iterations where the rate drops x0.1; none = constant (default: 2/3 and 8/9 of --iters)")
      .option("clip-grad", "NORM", "clip the gradients' total L2 norm to NORM (helps training from scratch); 0 = off", "0")
      .option("out", "DIR", "output folder", std::nullopt, true)
      .flag("half-weights", "store OUT/model.safetensors in float16 (half the size; checkpoints stay float32)")
      .flag("resume", "continue from the newest readable checkpoint in OUT/checkpoints")
      .option("checkpoint-period", "N", "iterations between checkpoints", "500")
      .option("eval-period", "N", "iterations between evaluations; 0 = at the end only", "0")
      .option("max-eval-images", "N", "evaluate on the first N validation images; 0 = all", "0")
      .option("seed", "S", "seed of initialisation, sampling and augmentation", "0")
      .option("loader-threads", "N", "background threads decoding batches", "2")
      .option("device", "cpu|cuda", "device", "cpu")
      .option("threads", "N", "intra-op threads; 0 = all cores", "0");
  if (!parser.parse(args)) return exit_ok;
  const int threads = apply_thread_option(parser.get_int("threads"));

  engine::DetectorTrainingOptions options;
  options.model = parser.get("model");
  options.train_annotations = parser.get("ann");
  options.image_root = parser.get("images");
  options.val_annotations = parser.get_optional("val-ann").value_or("");
  options.loss.name = parser.get("loss");
  const auto known = losses::classification_loss_names();
  if (std::find(known.begin(), known.end(), options.loss.name) == known.end()) {
    std::string list;
    for (const auto& name : known) list += (list.empty() ? "" : ", ") + name;
    throw UsageError("--loss = '" + options.loss.name + "': unknown loss; known: " + list);
  }
  if (parser.get("rfs") == "auto") {
    options.repeat_factor_auto = true;
  } else {
    const std::string rfs = parser.get("rfs");
    double threshold = -1;
    try {
      threshold = parser.get_double("rfs");
    } catch (const UsageError&) {
    }
    if (!(threshold >= 0 && threshold <= 1))
      throw UsageError("--rfs = '" + rfs + "': expected a threshold in [0, 1] (0 = off) or auto");
    options.repeat_factor_threshold = threshold;
  }
  options.iterations = parser.get_int64("iters");
  options.batch_size = parser.get_int64("batch");
  if (options.iterations < 1 || options.batch_size < 1) throw UsageError("--iters and --batch must be at least 1");
  options.solver.base_lr = parser.get_double("lr");
  options.solver.warmup_iterations = parser.get_int64("warmup");
  if (options.solver.base_lr <= 0 || options.solver.warmup_iterations < 0)
    throw UsageError("--lr must be > 0 and --warmup >= 0");
  if (const auto steps = parser.get_optional("steps")) {
    options.solver_steps_given = true;
    options.solver.decay_steps.clear();
    if (*steps != "none") {
      std::stringstream list(*steps);
      for (std::string item; std::getline(list, item, ',');) {
        std::size_t used = 0;
        long long step = -1;
        try {
          step = std::stoll(item, &used);
        } catch (const std::exception&) {
        }
        if (step < 0 || used != item.size())
          throw UsageError("--steps = '" + *steps + "': expected iterations >= 0 separated by commas, or none");
        options.solver.decay_steps.push_back(step);
      }
      std::sort(options.solver.decay_steps.begin(), options.solver.decay_steps.end());
    }
  }
  options.solver.clip_grad_norm = parser.get_double("clip-grad");
  if (!(options.solver.clip_grad_norm >= 0)) throw UsageError("--clip-grad: expected a norm >= 0 (0 = off)");
  options.init_weights = parser.get_optional("init-weights").value_or("");
  if (const auto exclude = parser.get_optional("init-exclude")) {
    if (options.init_weights.empty()) throw UsageError("--init-exclude needs --init-weights");
    std::stringstream list(*exclude);
    for (std::string prefix; std::getline(list, prefix, ',');) {
      if (prefix.empty()) throw UsageError("--init-exclude = '" + *exclude + "': empty prefix in the list");
      options.init_exclude.push_back(prefix);
    }
    if (options.init_exclude.empty()) throw UsageError("--init-exclude: expected at least one name prefix");
  }
  options.output_dir = parser.get("out");
  options.resume = parser.get_flag("resume");
  options.half_precision_weights = parser.get_flag("half-weights");
  options.checkpoint_period = parser.get_int64("checkpoint-period");
  options.eval_period = parser.get_int64("eval-period");
  options.max_eval_images = parser.get_int64("max-eval-images");
  options.seed = static_cast<std::uint64_t>(parser.get_int64("seed"));
  options.loader_threads = parser.get_int("loader-threads");
  options.device = parser.get("device");

  g_interrupted.store(false);
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  ProgressPrinter printer;
  const JobContext context{printer.callback(), &g_interrupted};
  const engine::DetectorTrainingResult result = engine::train_detector(options, context);
  printer.finish();
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);

  for (const auto& warning : result.warnings) std::cerr << "warning: " << warning << "\n";
  nlohmann::json summary = {{"completed", result.completed},
                            {"iterations", result.iterations_done},
                            {"loss", options.loss.name},
                            {"threads", threads},
                            {"seconds", result.seconds},
                            {"images_per_second", result.seconds > 0 ? result.iterations_this_run * options.batch_size / result.seconds : 0.0},
                            {"data_wait_seconds", result.data_wait_seconds},
                            {"repeat_factor_sampling", result.repeat_factors.threshold > 0
                                                           ? nlohmann::json{{"threshold", result.repeat_factors.threshold},
                                                                            {"repeated_categories", result.repeat_factors.repeated_categories},
                                                                            {"usable_images", result.repeat_factors.usable_images},
                                                                            {"epoch_images", result.repeat_factors.epoch_images}}
                                                           : nlohmann::json(nullptr)},
                            {"weights", result.weights_path},
                            {"evaluation", result.evaluation}};
  std::cout << summary.dump(2) << "\n";
  if (!result.completed) {
    std::cerr << "train: stopped at iteration " << result.iterations_done << "; a checkpoint was written, continue with --resume\n";
    return exit_cancelled;
  }
  return exit_ok;
}

const CommandRegistrar registrar{Command{"train", "train Mask R-CNN with a long-tail loss (ce, cm, lr, fl, seesaw)", &run}};

}  // namespace
}  // namespace counterscope::cli
