#include "core/data/synthetic/counterfactual_twin.h"

#include "core/data/synthetic/scene_renderer.h"
#include "core/data/synthetic/world_plan.h"
#include "core/util/error.h"

namespace counterscope::data::synthetic {
namespace {

const ImagePlan& find_image(const SplitPlan& plan, std::int64_t image_id) {
  if (image_id < 1 || image_id > static_cast<std::int64_t>(plan.images.size())) {
    throw InputError("synthetic world", "image_id", std::to_string(image_id),
                     std::string("no such image in the ") + split_name(plan.split) + " split (ids 1.." +
                         std::to_string(plan.images.size()) + ")");
  }
  return plan.images[static_cast<std::size_t>(image_id - 1)];
}

}  // namespace

GeneratedImage render_world_image(const WorldOptions& options, Split split, std::int64_t image_id) {
  options.validate("synthetic world");
  const auto& specs = default_category_specs();
  const SplitPlan plan = plan_split(options, specs, split);
  return generate_image(options, find_image(plan, image_id), specs);
}

CounterfactualTwin render_counterfactual_twin(const WorldOptions& options, const TwinRequest& request) {
  options.validate("synthetic world");
  const auto& specs = default_category_specs();
  const SplitPlan plan = plan_split(options, specs, request.split);
  const ImagePlan& image = find_image(plan, request.image_id);
  const auto target = find_category(specs, request.target_category);
  if (!target) {
    throw InputError("synthetic world", "target", quote_for_message(request.target_category),
                     "not a category of the synthetic world");
  }

  const Scene scene = layout_scene(image, specs, options.width, options.height);
  std::size_t instance = scene.instances.size();
  std::string ids;
  for (std::size_t k = 0; k < scene.instances.size(); ++k) {
    const std::int64_t id = scene.instances[k].annotation_id;
    if (id == 0) continue;
    if (id == request.annotation_id) instance = k;
    ids += (ids.empty() ? "" : ", ") + std::to_string(id);
  }
  if (instance == scene.instances.size()) {
    throw InputError("synthetic world", "annotation_id", std::to_string(request.annotation_id),
                     "not an annotation of image " + std::to_string(request.image_id) + " (its annotations: " +
                         (ids.empty() ? std::string("none") : ids) + ")");
  }

  Scene twin_scene = scene;
  twin_scene.instances[instance].category = static_cast<int>(*target);
  if (request.background) twin_scene.background = *request.background;

  CounterfactualTwin result;
  result.source_category = scene.instances[instance].category;
  result.target_category = static_cast<int>(*target);
  RenderedScene original = render_scene(scene, specs);
  RenderedScene twin = render_scene(twin_scene, specs);
  result.original = original.image;
  result.twin = twin.image;
  result.original_mask = original.visible_masks[instance];
  result.twin_mask = twin.visible_masks[instance];
  cv::bitwise_or(original.full_masks[instance], twin.full_masks[instance], result.changed_region);
  result.twin_annotations = generate_scene_image(twin_scene, specs).annotations;
  return result;
}

}  // namespace counterscope::data::synthetic
