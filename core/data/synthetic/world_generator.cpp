#include "core/data/synthetic/world_generator.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/data/lvis/lvis_writer.h"
#include "core/data/synthetic/mask_polygons.h"
#include "core/data/synthetic/scene_layout.h"
#include "core/data/synthetic/scene_renderer.h"
#include "core/util/error.h"
#include "core/util/threads.h"

namespace counterscope::data::synthetic {
namespace fs = std::filesystem;
namespace {

void make_folder(const fs::path& folder) {
  std::error_code error;
  fs::create_directories(folder, error);
  if (error || !fs::is_directory(folder))
    throw InputError(folder.string(), "", "", "cannot create the folder: " + error.message());
  // create_directories succeeds on an existing read-only folder: probe that files can be written.
  const fs::path probe = folder / ".counterscope-write-test";
  {
    std::ofstream file(probe);
    if (!file) throw InputError(folder.string(), "", "", "the folder is not writable");
  }
  fs::remove(probe, error);
}

Dataset split_dataset(const WorldOptions& options, Split split, const SplitPlan& plan,
                      const std::vector<GeneratedImage>& images) {
  Dataset dataset;
  dataset.format = DatasetFormat::lvis_v1;
  for (std::size_t k = 0; k < plan.images.size(); ++k) {
    const ImagePlan& planned = plan.images[k];
    ImageInfo info;
    info.id = planned.id;
    info.width = options.width;
    info.height = options.height;
    info.coco_url = world_image_url(split, planned.id);
    info.neg_category_ids = planned.neg_category_ids;
    info.not_exhaustive_category_ids = planned.not_exhaustive_category_ids;
    dataset.images.push_back(std::move(info));
    for (const auto& generated : images[k].annotations) {
      Annotation annotation;
      annotation.id = generated.id;
      annotation.image_id = planned.id;
      annotation.category_id = generated.category + 1;
      annotation.bbox = generated.bbox;
      annotation.area = generated.area;
      annotation.segmentation.first_polygon = static_cast<std::uint32_t>(dataset.polygon_offsets.size() - 1);
      annotation.segmentation.polygon_count = static_cast<std::uint32_t>(generated.polygons.size());
      for (const auto& polygon : generated.polygons) {
        dataset.polygon_coordinates.insert(dataset.polygon_coordinates.end(), polygon.begin(), polygon.end());
        dataset.polygon_offsets.push_back(dataset.polygon_coordinates.size());
      }
      dataset.annotations.push_back(annotation);
    }
  }
  return dataset;
}

// Renders and writes every image of a split on `threads` threads. Image k goes to slot k, so the result does
// not depend on which thread made it. Progress is reported from the calling thread only.
std::vector<GeneratedImage> render_split(const WorldOptions& options, const SplitPlan& plan,
                                         const std::vector<CategorySpec>& specs, const fs::path& image_folder,
                                         int threads, const JobContext& context) {
  std::vector<GeneratedImage> images(plan.images.size());
  std::atomic<std::size_t> next{0}, done{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first_error;
  std::mutex error_mutex;
  const std::vector<int> jpeg_parameters = {cv::IMWRITE_JPEG_QUALITY, options.jpeg_quality};
  const std::string stage = std::string("render ") + split_name(plan.split);

  auto work = [&](bool reporter) {
    try {
      for (std::size_t k = next++; k < plan.images.size() && !failed && !context.cancelled(); k = next++) {
        GeneratedImage generated = generate_image(options, plan.images[k], specs);
        const fs::path path = image_folder / world_image_file_name(plan.images[k].id);
        if (!cv::imwrite(path.string(), generated.image, jpeg_parameters))
          throw Error("cannot write image " + path.string());
        generated.image.release();  // the pixels are on disk; keep only the annotations
        images[k] = std::move(generated);
        const std::size_t finished = ++done;
        if (reporter) context.report(stage, static_cast<std::int64_t>(finished), static_cast<std::int64_t>(images.size()));
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!first_error) first_error = std::current_exception();
      failed = true;
    }
  };
  std::vector<std::thread> workers;
  for (int t = 1; t < threads; ++t) workers.emplace_back(work, false);
  work(true);
  for (auto& worker : workers) worker.join();
  if (first_error) std::rethrow_exception(first_error);
  context.throw_if_cancelled();
  context.report(stage, static_cast<std::int64_t>(images.size()), static_cast<std::int64_t>(images.size()));
  return images;
}

}  // namespace

GeneratedImage generate_image(const WorldOptions& options, const ImagePlan& image,
                              const std::vector<CategorySpec>& specs) {
  return generate_scene_image(layout_scene(image, specs, options.width, options.height), specs);
}

GeneratedImage generate_scene_image(const Scene& scene, const std::vector<CategorySpec>& specs) {
  RenderedScene rendered = render_scene(scene, specs);
  GeneratedImage generated;
  generated.image = rendered.image;
  for (std::size_t k = 0; k < scene.instances.size(); ++k) {
    const SceneInstance& instance = scene.instances[k];
    if (instance.annotation_id == 0) continue;
    const cv::Mat& visible = rendered.visible_masks[k];
    const int area = cv::countNonZero(visible);
    if (area == 0) continue;
    const cv::Rect box = cv::boundingRect(visible);
    GeneratedAnnotation annotation;
    annotation.id = instance.annotation_id;
    annotation.category = instance.category;
    annotation.polygons = mask_to_polygons(visible);
    annotation.bbox = BoxXywh{double(box.x), double(box.y), double(box.width), double(box.height)};
    annotation.area = area;
    generated.annotations.push_back(std::move(annotation));
  }
  return generated;
}

std::vector<Category> world_categories(const std::vector<CategorySpec>& specs, const Dataset& train) {
  std::vector<Category> categories(specs.size());
  std::vector<std::int64_t> last_image(specs.size(), -1);
  for (std::size_t c = 0; c < specs.size(); ++c) {
    categories[c].id = static_cast<std::int64_t>(c) + 1;
    categories[c].name = specs[c].name;
    categories[c].synonyms = specs[c].synonyms;
    categories[c].definition = specs[c].definition;
  }
  // Annotations are grouped by image, so counting an image when it differs from the last one seen suffices.
  for (const auto& annotation : train.annotations) {
    const auto c = static_cast<std::size_t>(annotation.category_id - 1);
    categories.at(c).instance_count += 1;
    if (last_image[c] != annotation.image_id) {
      categories[c].image_count += 1;
      last_image[c] = annotation.image_id;
    }
  }
  for (auto& category : categories) {
    category.frequency = category.image_count > 100  ? Frequency::frequent
                         : category.image_count > 10 ? Frequency::common
                                                     : Frequency::rare;
  }
  return categories;
}

std::string world_image_file_name(std::int64_t image_id) {
  char name[32];
  std::snprintf(name, sizeof name, "%012lld.jpg", static_cast<long long>(image_id));
  return name;
}

std::string world_image_url(Split split, std::int64_t image_id) {
  return std::string("http://images.cocodataset.org/") + split_image_folder(split) + "/" +
         world_image_file_name(image_id);
}

std::string world_options_path(const std::string& world_dir) { return (fs::path(world_dir) / "world.json").string(); }

WorldOptions load_world_options(const std::string& world_dir) {
  const std::string path = world_options_path(world_dir);
  std::ifstream file(path);
  if (!file) throw InputError(path, "", "", "cannot open the world description (is this a folder made by 'synth'?)");
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(file);
  } catch (const nlohmann::json::exception& error) {
    throw InputError(path, "", "", std::string("not valid JSON: ") + error.what());
  }
  if (!json.is_object() || !json.contains("options"))
    throw InputError(path, "options", "", "missing: not a world description written by 'synth'");
  return WorldOptions::from_json(json.at("options"), path);
}

WorldSummary generate_world(const WorldOptions& options, const std::string& out_dir, int threads,
                            const JobContext& context) {
  return generate_world(options, LabelNoiseOptions{}, out_dir, threads, context);
}

WorldSummary generate_world(const WorldOptions& options, const LabelNoiseOptions& noise, const std::string& out_dir,
                            int threads, const JobContext& context) {
  options.validate("synthetic world");
  noise.validate("synthetic world");
  if (out_dir.empty()) throw InputError("synthetic world", "out", "\"\"", "an output folder is needed");
  const auto& specs = default_category_specs();
  // Plan both splits first: a too-small world fails before anything is written.
  context.report("plan", 0, 2);
  const SplitPlan train_plan = plan_split(options, specs, Split::train);
  const SplitPlan val_plan = plan_split(options, specs, Split::val);
  context.report("plan", 2, 2);

  const fs::path root(out_dir);
  make_folder(root / "annotations");
  make_folder(root / "images" / split_image_folder(Split::train));
  make_folder(root / "images" / split_image_folder(Split::val));
  const int thread_count = threads > 0 ? threads : hardware_thread_count();

  WorldSummary summary;
  summary.out_dir = out_dir;
  Dataset datasets[2];
  const SplitPlan* plans[2] = {&train_plan, &val_plan};
  for (int s = 0; s < 2; ++s) {
    const Split split = plans[s]->split;
    const auto images = render_split(options, *plans[s], specs, root / "images" / split_image_folder(split),
                                     thread_count, context);
    datasets[s] = split_dataset(options, split, *plans[s], images);
  }
  LabelNoiseRecord planted;
  if (noise.share > 0) {
    planted.share = noise.share;
    planted.seed = options.seed;
    for (int s = 0; s < 2; ++s) {
      planted.splits.push_back(apply_label_noise(datasets[s], plans[s]->split, options.seed,
                                                 static_cast<int>(specs.size()), noise));
    }
    summary.train_planted_errors = static_cast<std::int64_t>(planted.splits[0].errors.size());
    summary.val_planted_errors = static_cast<std::int64_t>(planted.splits[1].errors.size());
    write_label_noise(planted, label_noise_path(out_dir));
  }
  // LVIS val files carry the train split's category table (frequency groups come from train).
  const std::vector<Category> categories = world_categories(specs, datasets[0]);
  for (int s = 0; s < 2; ++s) {
    datasets[s].categories = categories;
    write_dataset(datasets[s], (root / "annotations" / (std::string(split_name(plans[s]->split)) + ".json")).string());
  }
  {
    std::ofstream file(world_options_path(out_dir));
    nlohmann::json description{{"generator", "counterscope synthetic world"}, {"version", 1}, {"options", options.to_json()}};
    // Only a noisy world names its noise, so that a clean world's description stays as it always was.
    if (noise.share > 0) description["label_noise"] = {{"share", noise.share}, {"file", "label-noise.json"}};
    file << description.dump(2) << "\n";
    if (!file) throw Error("cannot write " + world_options_path(out_dir));
  }

  summary.train_images = options.train_images;
  summary.val_images = options.val_images;
  summary.train_annotations = static_cast<std::int64_t>(datasets[0].annotations.size());
  summary.val_annotations = static_cast<std::int64_t>(datasets[1].annotations.size());
  for (const auto& category : categories) {
    if (category.frequency == Frequency::rare) ++summary.rare_categories;
    if (category.frequency == Frequency::common) ++summary.common_categories;
    if (category.frequency == Frequency::frequent) ++summary.frequent_categories;
  }
  return summary;
}

}  // namespace counterscope::data::synthetic
