#include "core/counterfactual/synthetic_reference.h"

#include <filesystem>

#include <opencv2/imgproc.hpp>

#include "core/data/synthetic/category_spec.h"
#include "core/data/synthetic/counterfactual_twin.h"
#include "core/data/synthetic/world_generator.h"
#include "core/util/error.h"

namespace counterscope::counterfactual {

std::optional<SyntheticWorldSplit> synthetic_world_of(const std::string& annotation_path) {
  namespace fs = std::filesystem;
  const fs::path path(annotation_path);
  const std::string split = path.stem().string();
  if (path.extension() != ".json" || (split != "train" && split != "val")) return std::nullopt;
  const fs::path folder = path.parent_path();
  if (folder.filename() != "annotations") return std::nullopt;
  const fs::path world = folder.parent_path();
  std::error_code error;
  if (!fs::is_regular_file(world / "world.json", error)) return std::nullopt;
  return SyntheticWorldSplit{world.string(), split};
}

SyntheticTwinReference synthetic_twin_reference(const std::string& world_dir, const std::string& split,
                                                std::int64_t image_id, std::int64_t annotation_id,
                                                const std::string& target_category, bool in_target_context) {
  using namespace data::synthetic;
  TwinRequest request;
  const auto parsed = split_from_name(split);
  if (!parsed) throw InputError("--split", "split", quote_for_message(split), "expected train or val");
  request.split = *parsed;
  request.image_id = image_id;
  request.annotation_id = annotation_id;
  request.target_category = target_category;
  if (in_target_context) {
    const auto& specs = default_category_specs();
    const auto target = find_category(specs, target_category);
    if (!target)
      throw InputError("synthetic world", "target", quote_for_message(target_category),
                       "not a category of the synthetic world");
    request.background = specs[*target].context;
  }
  const CounterfactualTwin twin = render_counterfactual_twin(load_world_options(world_dir), request);
  cv::Mat original, changed, difference;
  cv::cvtColor(twin.original, original, cv::COLOR_BGR2RGB);
  cv::cvtColor(twin.twin, changed, cv::COLOR_BGR2RGB);
  original.convertTo(original, CV_32FC3, 1.0 / 255.0);
  changed.convertTo(changed, CV_32FC3, 1.0 / 255.0);
  cv::subtract(changed, original, difference);
  return {difference, twin.twin_mask};
}

}  // namespace counterscope::counterfactual
