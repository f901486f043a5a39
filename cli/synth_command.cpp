// `counterscope-cli synth --out DIR [--seed N] [--train-images N] [--val-images N] [--size WxH] [--label-noise P]`:
// generates the synthetic long-tailed world as an LVIS v1 dataset (DIR/annotations/{train,val}.json,
// DIR/images/{train2017,val2017}/*.jpg, DIR/world.json) and prints a JSON summary. --label-noise plants label
// errors in a share P of the annotations and records them in DIR/label-noise.json.

#include <chrono>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/command.h"
#include "cli/progress_printer.h"
#include "core/data/synthetic/world_generator.h"
#include "core/util/error.h"
#include "core/util/threads.h"

namespace counterscope::cli {
namespace {

// "256x256" -> width, height. Range checks are WorldOptions::validate's.
std::pair<int, int> parse_size(const std::string& text) {
  const auto x = text.find_first_of("xX");
  try {
    if (x == std::string::npos) throw std::invalid_argument("no x");
    std::size_t used_w = 0, used_h = 0;
    const int width = std::stoi(text.substr(0, x), &used_w);
    const int height = std::stoi(text.substr(x + 1), &used_h);
    if (used_w != x || used_h != text.size() - x - 1) throw std::invalid_argument("trailing text");
    return {width, height};
  } catch (const std::exception&) {
    throw UsageError("--size = " + text + ": expected WIDTHxHEIGHT, e.g. 256x256");
  }
}

int run(const std::vector<std::string>& args) {
  const data::synthetic::WorldOptions defaults;
  ArgParser parser("synth",
                   "Generates the synthetic long-tailed world: an LVIS v1 dataset of textured objects of 48 "
                   "categories on contextual backgrounds, with a long tail, context bias and occlusion.");
  parser.option("out", "DIR", "output folder (created; existing files are overwritten)", std::nullopt, true)
      .option("seed", "N", "random seed; the same seed gives byte-identical files", std::to_string(defaults.seed))
      .option("train-images", "N", "images in the train split", std::to_string(defaults.train_images))
      .option("val-images", "N", "images in the val split", std::to_string(defaults.val_images))
      .option("size", "WxH", "image size in pixels",
              std::to_string(defaults.width) + "x" + std::to_string(defaults.height))
      .option("label-noise", "P",
              "corrupt a share P of each split's annotations (class swaps, shifted boxes, dropped annotations) "
              "and record them in DIR/label-noise.json; 0 (default) leaves the world untouched",
              "0")
      .option("threads", "N", "worker threads (0 = all cores); the output does not depend on it", "0");
  if (!parser.parse(args)) return exit_ok;

  data::synthetic::WorldOptions options;
  const long long seed = parser.get_int64("seed");
  if (seed < 0) throw UsageError("--seed = " + std::to_string(seed) + ": must not be negative");
  options.seed = static_cast<std::uint64_t>(seed);
  options.train_images = parser.get_int("train-images");
  options.val_images = parser.get_int("val-images");
  std::tie(options.width, options.height) = parse_size(parser.get("size"));
  try {
    options.validate("command line");
  } catch (const InputError& error) {
    throw UsageError(error.what());
  }
  data::synthetic::LabelNoiseOptions noise;
  noise.share = parser.get_double("label-noise");
  if (!(noise.share >= 0 && noise.share <= 1)) {
    throw UsageError("--label-noise = " + parser.get("label-noise") + ": expected a share between 0 and 1");
  }
  const int threads = parser.get_int("threads");
  if (threads < 0) throw UsageError("--threads = " + std::to_string(threads) + ": must be 0 or more");

  ProgressPrinter printer;
  JobContext context{printer.callback()};
  const auto start = std::chrono::steady_clock::now();
  const auto summary = data::synthetic::generate_world(options, noise, parser.get("out"), threads, context);
  printer.finish();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  nlohmann::ordered_json out;
  out["out"] = summary.out_dir;
  out["options"] = options.to_json();
  out["threads"] = threads > 0 ? threads : hardware_thread_count();
  out["train"] = {{"images", summary.train_images}, {"annotations", summary.train_annotations}};
  out["val"] = {{"images", summary.val_images}, {"annotations", summary.val_annotations}};
  out["categories"] = {{"rare", summary.rare_categories},
                       {"common", summary.common_categories},
                       {"frequent", summary.frequent_categories}};
  if (noise.share > 0) {
    out["label_noise"] = {{"share", noise.share},
                          {"train_errors", summary.train_planted_errors},
                          {"val_errors", summary.val_planted_errors},
                          {"file", data::synthetic::label_noise_path(summary.out_dir)}};
  }
  out["seconds"] = seconds;
  std::cout << out.dump(2) << "\n";
  return exit_ok;
}

const CommandRegistrar registrar{Command{"synth", "generate the synthetic long-tailed world (LVIS format)", &run}};

}  // namespace
}  // namespace counterscope::cli
