// `counterscope-cli image-quality --real DIR --generated DIR --inception WEIGHTS [WEIGHTS] [--batch N]
// [--splits 10] [--threads N] [--json FILE]`: FID between two folders of images and the Inception Score of the
// generated ones, as pytorch-fid and inception-score-pytorch compute them, with Inception-v3 weights the user
// supplies. Nothing is downloaded: without --inception the command says which files it needs and fails.

#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/command.h"
#include "cli/progress_printer.h"
#include "core/evaluation/image_quality/image_quality.h"
#include "core/util/error.h"

namespace counterscope::cli {
namespace {

using namespace evaluation;

constexpr const char* kWeightsHelp =
    "FID and IS need Inception-v3 weights that you supply (nothing is downloaded):\n"
    "  FID: pytorch-fid's FID Inception, pt_inception-2015-12-05-6726825d.pth (the weights behind published FIDs)\n"
    "  IS:  torchvision's Inception-v3, inception_v3_google-0cc3c7bd.pth\n"
    "Give one or both with --inception (.pth or .safetensors state dicts; the variant is read from the file).";

nlohmann::ordered_json result_json(const ImageQualityResult& result, const ImageQualityOptions& options) {
  nlohmann::ordered_json out;
  out["real"] = {{"folder", options.real_folder}, {"images", result.real_images}};
  out["generated"] = {{"folder", options.generated_folder}, {"images", result.generated_images}};
  out["fid"] = {{"value", result.fid.distance},
                {"features", std::string(to_string(result.fid_variant))},
                {"weights", result.fid_weights},
                {"mean_term", result.fid.mean_term},
                {"trace_real", result.fid.trace_1},
                {"trace_generated", result.fid.trace_2},
                {"trace_sqrt_product", result.fid.trace_sqrt_product},
                {"eps_added", result.fid.offset_added}};
  if (result.inception_score) {
    out["inception_score"] = {{"mean", result.inception_score->mean},
                              {"std", result.inception_score->std},
                              {"splits", result.inception_score->splits},
                              {"images_used", result.inception_score->images_used},
                              {"weights", result.is_weights}};
  } else {
    out["inception_score"] = nullptr;
    out["inception_score_missing"] = result.is_missing_reason;
  }
  nlohmann::ordered_json skipped = nlohmann::ordered_json::array();
  for (const auto& image : result.skipped) skipped.push_back({{"path", image.path}, {"reason", image.reason}});
  out["skipped"] = skipped;
  out["notes"] = result.notes;
  return out;
}

int run(const std::vector<std::string>& args) {
  ArgParser parser("image-quality",
                   "FID between a folder of real and a folder of generated images, and the Inception Score of the "
                   "generated ones, computed as pytorch-fid and inception-score-pytorch do.\n" +
                       std::string(kWeightsHelp));
  parser.option("real", "DIR", "folder of real images (not searched recursively)", std::nullopt, true)
      .option("generated", "DIR", "folder of generated images", std::nullopt, true)
      .multi_option("inception", "WEIGHTS", "Inception-v3 state dict(s): pytorch-fid's and/or torchvision's")
      .option("batch", "N", "images per forward pass", "50")
      .option("splits", "N", "Inception Score splits", "10")
      .option("threads", "N", "threads (0 = all cores)", "0")
      .option("json", "FILE", "also write the result as JSON");
  if (!parser.parse(args)) return exit_ok;

  ImageQualityOptions options;
  options.real_folder = parser.get("real");
  options.generated_folder = parser.get("generated");
  options.inception_weights = parser.get_all("inception");
  options.batch_size = parser.get_int("batch");
  options.splits = parser.get_int("splits");
  if (options.batch_size < 1) throw UsageError("--batch = " + parser.get("batch") + ": must be at least 1");
  if (options.splits < 1) throw UsageError("--splits = " + parser.get("splits") + ": must be at least 1");
  if (options.inception_weights.empty()) {
    std::cerr << "counterscope-cli image-quality: no Inception-v3 weights given.\n" << kWeightsHelp << "\n";
    return exit_failure;
  }
  options.decode_threads = apply_thread_option(parser.get_int("threads"));

  ProgressPrinter printer;
  JobContext context{printer.callback()};
  const ImageQualityResult result = compute_image_quality(options, context);
  printer.finish();
  for (const auto& image : result.skipped)
    std::cerr << "skipped " << image.path << ": " << image.reason << "\n";
  for (const auto& note : result.notes) std::cerr << "note: " << note << "\n";
  if (!result.inception_score) std::cerr << "Inception Score not computed: " << result.is_missing_reason << "\n";

  const auto json = result_json(result, options);
  std::cout << json.dump(2) << "\n";
  if (const auto path = parser.get_optional("json")) {
    std::ofstream file(*path);
    file << json.dump(2) << "\n";
    if (!file) throw InputError(*path, "", "", "cannot write the JSON file");
  }
  return exit_ok;
}

const CommandRegistrar registrar{
    Command{"image-quality", "FID and Inception Score of generated images (Inception-v3 weights supplied)", &run}};

}  // namespace
}  // namespace counterscope::cli
