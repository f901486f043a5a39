#include "core/engine/detector_training.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/data/category_labels.h"
#include "core/data/lvis/image_paths.h"
#include "core/data/lvis/lvis_loader.h"
#include "core/data/lvis/repeat_factors.h"
#include "core/data/mask/mask_api.h"
#include "core/engine/checkpointer.h"
#include "core/engine/detection_data.h"
#include "core/engine/detection_trainer.h"
#include "core/engine/training_hooks.h"
#include "core/evaluation/evaluation_report.h"
#include "core/evaluation/lvis_evaluator.h"
#include "core/modeling/device.h"
#include "core/modeling/mask_rcnn.h"
#include "core/modeling/weights/apply_state_dict.h"
#include "core/modeling/weights/checkpoint.h"
#include "core/modeling/weights/safetensors.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace counterscope::engine {
namespace fs = std::filesystem;
namespace {

/// Annotation count per contiguous label (index 0, background, stays 0): what CM and LR weigh by.
std::vector<double> class_instance_counts(const data::Dataset& dataset, const data::CategoryLabels& labels) {
  std::vector<double> counts(static_cast<std::size_t>(labels.num_classes()), 0.0);
  for (const auto& annotation : dataset.annotations)
    if (!annotation.iscrowd)
      if (const auto label = labels.label_of(annotation.category_id)) counts[static_cast<std::size_t>(*label)] += 1;
  return counts;
}

torch::Tensor read_rgb_image(const std::string& path, std::int64_t image_id) {
  cv::Mat bgr = cv::imread(path, cv::IMREAD_COLOR);
  if (bgr.empty()) throw InputError(path, "image " + std::to_string(image_id), "", "cannot be decoded");
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, torch::kUInt8).permute({2, 0, 1}).to(torch::kFloat32).div_(255.0);
}

/// The model's detections of one image in the results format (category ids from the dataset).
std::vector<data::Detection> to_results(const modeling::Detections& detections, std::int64_t image_id,
                                        const data::CategoryLabels& labels) {
  std::vector<data::Detection> results;
  const torch::Tensor boxes = detections.boxes.to(torch::kCPU);
  const torch::Tensor scores = detections.scores.to(torch::kCPU);
  const torch::Tensor classes = detections.labels.to(torch::kCPU);
  const torch::Tensor masks = (detections.masks.to(torch::kCPU).squeeze(1) > 0.5).to(torch::kUInt8).contiguous();
  for (std::int64_t i = 0; i < boxes.size(0); ++i) {
    const auto category = labels.category_of(classes[i].item<std::int64_t>());
    if (!category) continue;
    data::Detection detection;
    detection.image_id = image_id;
    detection.category_id = *category;
    const auto box = boxes[i];
    const double x1 = box[0].item<double>(), y1 = box[1].item<double>();
    detection.bbox = {x1, y1, box[2].item<double>() - x1, box[3].item<double>() - y1};
    detection.has_bbox = true;
    detection.score = scores[i].item<double>();
    const torch::Tensor mask = masks[i];
    detection.segmentation = data::rle_encode_row_major(mask.data_ptr<std::uint8_t>(), static_cast<std::uint32_t>(mask.size(0)),
                                                        static_cast<std::uint32_t>(mask.size(1)));
    results.push_back(std::move(detection));
  }
  return results;
}

modeling::StateDict model_state(const torch::nn::Module& model, bool half_precision) {
  auto stored = [half_precision](const torch::Tensor& tensor) {
    const torch::Tensor value = tensor.detach().cpu();
    return half_precision && value.is_floating_point() ? value.to(torch::kHalf) : value;
  };
  modeling::StateDict state;
  for (const auto& item : model.named_parameters()) state.insert(item.key(), stored(item.value()));
  for (const auto& item : model.named_buffers()) state.insert(item.key(), stored(item.value()));
  return state;
}

/// `state` without the tensors whose names start with one of `prefixes`; a prefix that matches nothing is an
/// error (a typo would otherwise silently load every layer).
modeling::StateDict without_prefixes(const modeling::StateDict& state, const std::vector<std::string>& prefixes,
                                     const std::string& source) {
  if (prefixes.empty()) return state;
  std::vector<bool> used(prefixes.size(), false);
  modeling::StateDict kept;
  for (const auto& entry : state) {
    bool excluded = false;
    for (std::size_t p = 0; p < prefixes.size(); ++p) {
      if (entry.name.rfind(prefixes[p], 0) == 0) excluded = used[p] = true;
    }
    if (!excluded) kept.insert(entry.name, entry.tensor);
  }
  for (std::size_t p = 0; p < prefixes.size(); ++p) {
    if (!used[p])
      throw InputError(source, "init_exclude", quote_for_message(prefixes[p]),
                       "no tensor of the initial weights starts with this prefix");
  }
  return kept;
}

void write_json(const fs::path& path, const nlohmann::json& json) {
  write_file_atomically(path.string(), [&](std::ostream& out) { out << json.dump(2) << "\n"; });
}

}  // namespace

RepeatFactorSummary summarize_repeat_factors(const data::Dataset& dataset, const DetectorTrainingOptions& options,
                                             std::vector<double>* image_factors) {
  const bool usable_exists = std::any_of(dataset.annotations.begin(), dataset.annotations.end(),
                                         usable_for_training);
  if (!usable_exists)
    throw InputError(dataset.source_path, "annotations", "0 usable of " + std::to_string(dataset.annotations.size()),
                     "repeat-factor sampling needs annotated images: category frequencies come from them");
  RepeatFactorSummary summary;
  summary.threshold = options.repeat_factor_auto ? data::repeat_factor_threshold_for(dataset.images.size())
                                                 : options.repeat_factor_threshold;
  const std::vector<double> categories = data::category_repeat_factors(dataset, summary.threshold);
  summary.repeated_categories = std::count_if(categories.begin(), categories.end(), [](double r) { return r > 1; });
  std::vector<double> images = data::image_repeat_factors(dataset, summary.threshold);
  for (std::size_t i = 0; i < dataset.images.size(); ++i) {
    const auto& annotations = dataset.annotations_of_image(i);
    if (std::none_of(annotations.begin(), annotations.end(),
                     [&](std::uint32_t a) { return usable_for_training(dataset.annotations[a]); }))
      continue;
    ++summary.usable_images;
    summary.epoch_images += images[i];
  }
  if (image_factors) *image_factors = std::move(images);
  return summary;
}

DetectorTrainingResult train_detector(const DetectorTrainingOptions& options, const JobContext& context) {
  const auto start = std::chrono::steady_clock::now();
  if (options.output_dir.empty()) throw InputError("train", "--out", "", "an output folder is required");
  if (options.iterations < 1) throw InputError("train", "--iters", std::to_string(options.iterations), "expected >= 1");
  const fs::path out(options.output_dir);
  std::error_code io_error;
  fs::create_directories(out, io_error);
  if (io_error) throw Error("cannot create output folder " + out.string() + ": " + io_error.message());

  context.report("load annotations", 0, 0, options.train_annotations);
  const data::Dataset train = data::load_dataset(options.train_annotations);
  const data::CategoryLabels labels(train);

  modeling::ModelConfig config = modeling::load_model_config(options.model);
  config.num_classes = labels.num_classes();
  config.class_names = {"__background__"};
  for (std::int64_t label = 1; label < labels.num_classes(); ++label)
    config.class_names.push_back(train.categories[*train.category_index(*labels.category_of(label))].name);
  losses::LossOptions loss_options = options.loss;
  loss_options.class_instance_counts = class_instance_counts(train, labels);
  if (loss_options.name == "cm") {
    // LDAM's margins are defined on cosine logits scaled by s.
    config.roi.classifier = "cosine";
    config.roi.classifier_scale = loss_options.cm_scale;
  }
  config.validate(options.model);
  std::shared_ptr<losses::ClassificationLoss> loss = losses::make_classification_loss(loss_options);

  torch::manual_seed(static_cast<std::uint64_t>(options.seed));
  const torch::Device device = modeling::parse_device(options.device);
  modeling::MaskRcnn model(config, loss);
  DetectorTrainingResult result;
  if (!options.init_weights.empty()) {
    context.report("load initial weights", 0, 0, options.init_weights);
    modeling::ApplyStateDictOptions apply_options;
    apply_options.strict = false;
    apply_options.source = options.init_weights;
    const modeling::ApplyStateDictReport report =
        modeling::apply_state_dict(*model, without_prefixes(modeling::load_state_dict(options.init_weights),
                                                            options.init_exclude, options.init_weights),
                                   apply_options);
    if (report.loaded.empty())
      throw InputError(options.init_weights, "state_dict", "0 of " + std::to_string(model->named_parameters().size()) +
                                                               " tensors fit", "no tensor matches this model's names and shapes");
    if (!report.clean())
      result.warnings.push_back("initial weights " + options.init_weights + ": " + std::to_string(report.loaded.size()) +
                                " tensors loaded; not loaded (kept at initialisation):\n" + report.describe());
  }
  model->to(device);

  DetectionDataOptions data_options;
  data_options.batch_size = options.batch_size;
  data_options.seed = options.seed;
  EpochSampler sampler;
  if (options.repeat_factor_auto || options.repeat_factor_threshold > 0) {
    std::vector<double> factors;
    result.repeat_factors = summarize_repeat_factors(train, options, &factors);
    sampler = [factors](std::int64_t, std::uint64_t epoch_seed) {
      return data::repeat_factor_epoch(factors, epoch_seed, /*shuffle=*/false);
    };
    const RepeatFactorSummary& rfs = result.repeat_factors;
    context.report("repeat-factor sampling", 0, 0,
                   "t = " + std::to_string(rfs.threshold) + ": " + std::to_string(rfs.repeated_categories) +
                       " categories repeated; epoch of about " + std::to_string(std::lround(rfs.epoch_images)) +
                       " images (plain: " + std::to_string(rfs.usable_images) + ")");
  }
  DetectionDataSource data_source(train, options.image_root, data_options, sampler);
  SolverOptions solver = options.solver;
  if (!options.solver_steps_given)
    solver.decay_steps = {options.iterations * 2 / 3, options.iterations * 8 / 9};
  solver.warmup_iterations = std::min(solver.warmup_iterations, std::max<std::int64_t>(1, options.iterations / 5));

  auto compute_losses = [&](const DetectionBatch& batch) {
    std::vector<torch::Tensor> images;
    std::vector<modeling::Target> targets;
    for (std::size_t i = 0; i < batch.images.size(); ++i) {
      images.push_back(batch.images[i].to(device));
      modeling::Target target = batch.targets[i];
      target.boxes = target.boxes.to(device);
      target.labels = target.labels.to(device);
      target.masks = target.masks.to(device);
      targets.push_back(std::move(target));
    }
    return model->forward_train(images, std::move(targets));
  };
  DetectionTrainer trainer(*model, compute_losses, data_source, solver, options.iterations, options.loader_threads,
                           loss.get());

  Checkpointer checkpointer((out / "checkpoints").string());
  if (options.resume) {
    if (const auto used = checkpointer.resume(trainer, &result.warnings, device))
      context.report("resume", trainer.iteration(), options.iterations, *used);
    else
      result.warnings.push_back("no checkpoint in " + checkpointer.directory() + "; starting from scratch");
  }

  const std::int64_t first_iteration = trainer.iteration();  // > 0 after a resume
  auto metrics_log = std::make_shared<MetricsLogHook>((out / "metrics.jsonl").string(), options.log_period);
  trainer.register_hook(std::make_shared<ProgressHook>("train"));
  trainer.register_hook(metrics_log);
  trainer.register_hook(std::make_shared<CheckpointHook>(checkpointer, options.checkpoint_period));

  std::optional<data::Dataset> validation;
  if (!options.val_annotations.empty()) {
    validation = data::load_dataset(options.val_annotations);
    const data::CategoryLabels val_labels(*validation);
    if (val_labels.num_classes() != labels.num_classes())
      throw InputError(options.val_annotations, "categories", std::to_string(val_labels.num_classes() - 1),
                       "the validation split must have the training split's " +
                           std::to_string(labels.num_classes() - 1) + " categories");
    auto evaluate = [&](std::int64_t iteration) {
      torch::NoGradGuard no_grad;
      model->eval();
      evaluation::LvisEvaluator evaluator(*validation);
      const std::size_t count = options.max_eval_images > 0
                                    ? std::min<std::size_t>(validation->images.size(), options.max_eval_images)
                                    : validation->images.size();
      for (std::size_t i = 0; i < count; ++i) {
        context.throw_if_cancelled();
        context.report("evaluate", static_cast<std::int64_t>(i), static_cast<std::int64_t>(count));
        const data::ImageInfo& image = validation->images[i];
        const torch::Tensor input = read_rgb_image(data::resolve_image_path(image, options.image_root), image.id);
        const auto detections = model->predict({input.to(device)});
        evaluator.process(image.id, to_results(detections.front(), image.id, labels));
      }
      model->train();
      nlohmann::json metrics;
      metrics["bbox"] = evaluation::metrics_to_json(evaluator.evaluate(evaluation::IouType::bbox));
      metrics["segm"] = evaluation::metrics_to_json(evaluator.evaluate(evaluation::IouType::segm));
      metrics["images"] = count;
      metrics["iteration"] = iteration;
      return metrics;
    };
    auto eval_hook = std::make_shared<PeriodicEvalHook>(evaluate, options.eval_period, metrics_log.get());
    trainer.register_hook(eval_hook);
    result.completed = trainer.train(context);
    result.evaluation = eval_hook->last_result();
  } else {
    result.completed = trainer.train(context);
  }

  result.iterations_done = trainer.iteration();
  result.iterations_this_run = trainer.iteration() - first_iteration;
  result.data_wait_seconds = trainer.data_wait_seconds();
  if (result.completed) {
    result.weights_path = (out / "model.safetensors").string();
    modeling::save_safetensors(model_state(*model, options.half_precision_weights), result.weights_path,
                               {{"format", "counterscope-maskrcnn"}, {"config", config.to_json().dump()},
                                {"loss", loss_options.name}, {"iterations", std::to_string(trainer.iteration())}});
    write_json(out / "model.json", config.to_json());
    if (!result.evaluation.is_null()) write_json(out / "eval.json", result.evaluation);
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace counterscope::engine
