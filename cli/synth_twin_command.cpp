// `counterscope-cli synth twin --world DIR --split val --image-id ID --ann-id AID --target NAME --out twin.png`:
// re-renders one image of a synthetic world with one instance drawn as another category (the ground-truth
// counterfactual), writes it, and prints where and how much it differs from the original.

#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "cli/args.h"
#include "cli/command.h"
#include "core/data/synthetic/counterfactual_twin.h"
#include "core/util/error.h"

namespace counterscope::cli {
namespace {

void write_image(const std::string& path, const cv::Mat& image) {
  bool written = false;
  try {
    written = cv::imwrite(path, image);
  } catch (const cv::Exception& error) {
    throw InputError(path, "", "", std::string("cannot write the image: ") + error.what());
  }
  if (!written) throw InputError(path, "", "", "cannot write the image (unwritable folder or unknown extension)");
}

nlohmann::ordered_json box_json(const cv::Mat& mask) {
  const cv::Rect box = cv::boundingRect(mask);
  return {box.x, box.y, box.width, box.height};
}

int run(const std::vector<std::string>& args) {
  ArgParser parser("synth twin",
                   "Renders the ground-truth counterfactual twin of an instance of a synthetic world: the same "
                   "scene with that instance drawn as another category (same pose, size, occlusion). Only the "
                   "object changes, not the background, unless --background asks for a context swap.");
  parser.option("world", "DIR", "folder written by 'counterscope-cli synth'", std::nullopt, true)
      .option("split", "NAME", "train or val", "val")
      .option("image-id", "ID", "image id in the split", std::nullopt, true)
      .option("ann-id", "AID", "annotation id of the instance to change", std::nullopt, true)
      .option("target", "NAME", "category to draw instead (e.g. toboggan)", std::nullopt, true)
      .option("out", "FILE", "twin image (.png keeps it lossless; .jpg compresses like the world's images)",
              std::nullopt, true)
      .option("original-out", "FILE", "also write the original, re-rendered losslessly")
      .option("mask-out", "FILE", "also write the region where the twin may differ (white)")
      .option("background", "NAME", "also swap the background: grass, snow, sand, water, asphalt, wood_floor");
  if (!parser.parse(args)) return exit_ok;

  using namespace data::synthetic;
  TwinRequest request;
  const auto split = split_from_name(parser.get("split"));
  if (!split) throw UsageError("--split = " + parser.get("split") + ": expected train or val");
  request.split = *split;
  request.image_id = parser.get_int64("image-id");
  request.annotation_id = parser.get_int64("ann-id");
  request.target_category = parser.get("target");
  if (const auto name = parser.get_optional("background")) {
    request.background = background_from_name(*name);
    if (!request.background)
      throw UsageError("--background = " + *name + ": expected grass, snow, sand, water, asphalt or wood_floor");
  }

  const WorldOptions options = load_world_options(parser.get("world"));
  const CounterfactualTwin twin = render_counterfactual_twin(options, request);
  write_image(parser.get("out"), twin.twin);
  if (const auto path = parser.get_optional("original-out")) write_image(*path, twin.original);
  if (const auto path = parser.get_optional("mask-out")) write_image(*path, twin.changed_region * 255);

  cv::Mat difference, changed;
  cv::absdiff(twin.original, twin.twin, difference);
  cv::cvtColor(difference, changed, cv::COLOR_BGR2GRAY);
  changed = changed > 0;
  const auto& specs = default_category_specs();
  nlohmann::ordered_json out;
  out["split"] = split_name(request.split);
  out["image_id"] = request.image_id;
  out["annotation_id"] = request.annotation_id;
  out["source"] = {{"id", twin.source_category + 1}, {"name", specs[twin.source_category].name}};
  out["target"] = {{"id", twin.target_category + 1}, {"name", specs[twin.target_category].name}};
  if (request.background) out["background"] = background_name(*request.background);
  out["changed_pixels"] = cv::countNonZero(changed);
  out["changed_box"] = box_json(changed);
  out["instance_area"] = {{"original", cv::countNonZero(twin.original_mask)}, {"twin", cv::countNonZero(twin.twin_mask)}};
  out["instance_box"] = {{"original", box_json(twin.original_mask)}, {"twin", box_json(twin.twin_mask)}};
  out["out"] = parser.get("out");
  std::cout << out.dump(2) << "\n";
  return exit_ok;
}

const CommandRegistrar registrar{
    Command{"synth twin", "render the ground-truth counterfactual twin of a synthetic-world instance", &run}};

}  // namespace
}  // namespace counterscope::cli
