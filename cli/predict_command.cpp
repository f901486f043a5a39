// `counterscope-cli predict --model PRESET|CONFIG.json [--num-classes K] --weights FILE --images PATH...
// --out RESULTS.json [--ann GT.json] [--score-thresh X] [--max-dets N] [--device cpu|cuda] [--threads N]`:
// Mask R-CNN inference on images, written in the LVIS/COCO results format (compressed RLE masks). With --ann
// and folders, the folders are image roots and the dataset's own images are predicted.

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "cli/args.h"
#include "cli/command.h"
#include "cli/progress_printer.h"
#include "core/data/lvis/image_paths.h"
#include "core/data/lvis/lvis_loader.h"
#include "core/data/lvis/results_io.h"
#include "core/data/mask/mask_api.h"
#include "core/modeling/predictor.h"
#include "core/util/error.h"

namespace counterscope::cli {
namespace {

namespace fs = std::filesystem;

bool is_image_file(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  for (const char* known : {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".ppm", ".pgm", ".jp2"})
    if (ext == known) return true;
  return false;
}

// Files as given plus the image files of given folders, sorted (image ids without --ann follow this order).
std::vector<std::string> collect_images(const std::vector<std::string>& inputs) {
  std::vector<std::string> files;
  for (const auto& input : inputs) {
    std::error_code error;
    if (fs::is_directory(input, error)) {
      for (const auto& entry : fs::directory_iterator(input, error))
        if (entry.is_regular_file() && is_image_file(entry.path())) files.push_back(entry.path().string());
    } else {
      files.push_back(input);  // a missing file is reported when it is read, with the others processed
    }
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

// With --ann: image ids by file name (file_name or the last part of coco_url) and category ids by label.
struct DatasetIds {
  std::map<std::string, std::int64_t> image_by_name;
  std::vector<std::int64_t> category_by_label;  // index = label (0 = background, unused)
  data::Dataset dataset;
};

DatasetIds dataset_ids(const std::string& ann_path, std::int64_t num_classes, const JobContext& context) {
  DatasetIds ids;
  ids.dataset = data::load_dataset(ann_path, context);
  const data::Dataset& dataset = ids.dataset;
  for (const auto& image : dataset.images) {
    for (const std::string& name : {image.file_name, image.coco_url}) {
      if (!name.empty()) ids.image_by_name[fs::path(name).filename().string()] = image.id;
    }
  }
  std::vector<std::int64_t> categories;
  for (const auto& category : dataset.categories) categories.push_back(category.id);
  std::sort(categories.begin(), categories.end());
  if (static_cast<std::int64_t>(categories.size()) != num_classes - 1)
    throw InputError(ann_path, "categories", std::to_string(categories.size()),
                     "the model has " + std::to_string(num_classes - 1) +
                         " classes (label k is the k-th category sorted by id); use --num-classes or other weights");
  ids.category_by_label.push_back(0);
  ids.category_by_label.insert(ids.category_by_label.end(), categories.begin(), categories.end());
  return ids;
}

int run(const std::vector<std::string>& args) {
  ArgParser parser("predict",
                   "Runs Mask R-CNN on images and writes detections in the LVIS/COCO results format "
                   "(bbox, score, compressed-RLE segmentation = mask probability > 0.5).");
  parser.option("model", "PRESET|FILE", "model preset or config JSON", std::string("torchvision-r50-fpn"))
      .option("num-classes", "K", "classes including background (default: read from the weights)", std::string("0"))
      .option("weights", "FILE", "weights: torchvision .pth or .safetensors", std::nullopt, true)
      .multi_option("images", "PATH", "image files and/or folders of images; with --ann, folders are image roots "
                                         "(LVIS: the folder holding train2017/ and val2017/) and exactly the "
                                         "dataset's images are predicted", true)
      .option("out", "FILE", "results JSON to write", std::nullopt, true)
      .option("ann", "FILE", "dataset JSON: image ids by file name, category ids by label (k-th category by id)")
      .option("score-thresh", "X", "minimum score (default: the model config's)")
      .option("max-dets", "N", "detections per image (default: the model config's)", std::string("0"))
      .option("device", "DEVICE", "cpu, cuda or cuda:N", std::string("cpu"))
      .option("threads", "N", "CPU threads (0 = all cores)", std::string("0"));
  if (!parser.parse(args)) return exit_ok;

  const int threads = parser.get_int("threads");
  if (threads < 0) throw UsageError("--threads: expected a count >= 0");
  apply_thread_option(threads);
  modeling::PredictorOptions options;
  options.model = parser.get("model");
  options.weights = parser.get("weights");
  options.num_classes = parser.get_int64("num-classes");
  if (options.num_classes < 0 || options.num_classes == 1)
    throw UsageError("--num-classes: expected 0 (from the weights) or at least 2, got " +
                     std::to_string(options.num_classes));
  if (parser.has("score-thresh")) {
    options.score_thresh = parser.get_double("score-thresh");
    if (options.score_thresh < 0 || options.score_thresh > 1)
      throw UsageError("--score-thresh: expected a value in [0, 1], got " + parser.get("score-thresh"));
  }
  options.max_detections = parser.get_int64("max-dets");
  if (options.max_detections < 0) throw UsageError("--max-dets: expected a count >= 0");
  options.device = parser.get("device");

  const std::vector<std::string> inputs = parser.get_all("images");
  const bool inputs_are_roots = std::all_of(inputs.begin(), inputs.end(), [](const std::string& input) {
    std::error_code error;
    return fs::is_directory(input, error);
  });
  const std::optional<std::string> ann = parser.get_optional("ann");
  // With --ann and image folders, the folders are image roots (as for every other command): exactly the
  // dataset's images are predicted, each found as resolve_image_path finds it (train2017/, val2017/, plain).
  const bool dataset_images = ann && inputs_are_roots;
  std::vector<std::string> images;
  if (!dataset_images) {
    images = collect_images(inputs);
    if (images.empty()) throw UsageError("--images: no image files found in " + inputs.front());
  }

  ProgressPrinter printer;
  JobContext context{printer.callback()};
  const modeling::Predictor predictor(options);
  std::optional<DatasetIds> ids;
  std::vector<std::int64_t> image_ids;  // by position in `images`, for dataset_images
  std::vector<std::string> unresolved;                 // dataset images found under no root
  if (ann) {
    ids = dataset_ids(*ann, predictor.num_classes(), context);
    printer.finish();
  }
  if (dataset_images) {
    for (const auto& image : ids->dataset.images) {
      std::string error_text;
      for (const auto& root : inputs) {
        try {
          images.push_back(data::resolve_image_path(image, root));
          image_ids.push_back(image.id);
          error_text.clear();
          break;
        } catch (const InputError& error) {
          error_text = error.what();
        }
      }
      if (!error_text.empty()) unresolved.push_back(error_text);
    }
    if (images.empty())
      throw InputError(inputs.front(), "images", std::to_string(ids->dataset.images.size()) + " in " + *ann,
                       "none of the dataset's images is under this image root" +
                           (unresolved.empty() ? std::string() : " (first: " + unresolved.front() + ")"));
  }

  std::vector<data::Detection> detections;
  nlohmann::json skipped = nlohmann::json::array();
  for (const auto& error : unresolved) {
    std::cerr << "skipped: " << error << "\n";
    skipped.push_back({{"error", error}});
  }
  std::size_t processed = 0;
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < images.size(); ++i) {
    const std::string& path = images[i];
    context.report("predict", static_cast<std::int64_t>(i), static_cast<std::int64_t>(images.size()),
                   fs::path(path).filename().string());
    try {
      std::int64_t image_id = static_cast<std::int64_t>(i) + 1;
      if (dataset_images) {
        image_id = image_ids[i];
      } else if (ids) {
        const auto it = ids->image_by_name.find(fs::path(path).filename().string());
        if (it == ids->image_by_name.end())
          throw InputError(path, "file name", quote_for_message(fs::path(path).filename().string()),
                           "no image of that name in --ann");
        image_id = it->second;
      }
      const cv::Mat image = cv::imread(path, cv::IMREAD_UNCHANGED);
      if (image.empty()) throw InputError(path, "", "", "cannot read the image (missing, unreadable or not an image)");
      const auto prediction = predictor.predict(image, path);
      for (const auto& instance : prediction.instances) {
        data::Detection detection;
        detection.image_id = image_id;
        detection.category_id = ids ? ids->category_by_label.at(static_cast<std::size_t>(instance.label))
                                    : instance.label;
        detection.bbox = {instance.box[0], instance.box[1], instance.box[2] - instance.box[0],
                          instance.box[3] - instance.box[1]};
        detection.has_bbox = true;
        detection.score = instance.score;
        detection.segmentation = data::rle_encode_row_major(instance.mask.ptr<std::uint8_t>(),
                                                            static_cast<std::uint32_t>(prediction.height),
                                                            static_cast<std::uint32_t>(prediction.width));
        detections.push_back(std::move(detection));
      }
      ++processed;
    } catch (const InputError& error) {
      // One bad file does not stop the batch: report it and go on.
      printer.finish();
      std::cerr << "skipped: " << error.what() << "\n";
      skipped.push_back({{"path", path}, {"error", error.what()}});
    }
  }
  context.report("predict", static_cast<std::int64_t>(images.size()), static_cast<std::int64_t>(images.size()));
  printer.finish();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  data::write_results(detections, parser.get("out"));

  nlohmann::json summary = {{"model", predictor.config().name},
                            {"num_classes", predictor.num_classes()},
                            {"device", predictor.device()},
                            {"images", images.size() + unresolved.size()},
                            {"processed", processed},
                            {"skipped", skipped},
                            {"detections", detections.size()},
                            {"seconds", seconds},
                            {"out", parser.get("out")}};
  std::cout << summary.dump(1) << "\n";
  return processed > 0 ? exit_ok : exit_failure;
}

const CommandRegistrar registrar{Command{"predict", "Mask R-CNN inference on images -> LVIS/COCO results JSON", &run}};

}  // namespace
}  // namespace counterscope::cli
