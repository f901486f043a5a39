#include "core/counterfactual/explainer.h"

#include <chrono>
#include <cstring>

#include "core/counterfactual/counterfactual_losses.h"
#include "core/counterfactual/explanation_measures.h"
#include "core/modeling/ops/paste_masks.h"
#include "core/util/error.h"

namespace counterscope::counterfactual {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

torch::Device device_of(const modeling::MaskRcnn& model) {
  const auto parameters = model->parameters();
  return parameters.empty() ? torch::Device(torch::kCPU) : parameters.front().device();
}

void validate(const ExplainRequest& request, std::int64_t num_classes) {
  const std::string source = "explain request";
  if (request.image.empty() || request.image.type() != CV_8UC3)
    throw InputError(source, "image", request.image.empty() ? "empty" : "type " + std::to_string(request.image.type()),
                     "expected an RGB image (CV_8UC3)");
  if (request.instances.empty())
    throw InputError(source, "instances", "0", "the image has no instances to explain");
  if (request.instance >= request.instances.size())
    throw InputError(source, "instance", std::to_string(request.instance),
                     "out of range: the image has " + std::to_string(request.instances.size()) + " instances");
  for (std::size_t i = 0; i < request.instances.size(); ++i) {
    const ExplainInstance& instance = request.instances[i];
    const std::string field = "instances[" + std::to_string(i) + "]";
    if (instance.label < 1 || instance.label >= num_classes)
      throw InputError(source, field + ".label", std::to_string(instance.label),
                       "expected 1.." + std::to_string(num_classes - 1));
    if (!(instance.box[2] > instance.box[0] && instance.box[3] > instance.box[1]))
      throw InputError(source, field + ".box", "", "degenerate box (x2 <= x1 or y2 <= y1)");
    if (!instance.mask.empty() && (instance.mask.type() != CV_8U || instance.mask.size() != request.image.size()))
      throw InputError(source, field + ".mask", "", "expected a CV_8U mask of the image's size");
  }
  if (request.target_label < 1 || request.target_label >= num_classes)
    throw InputError(source, "target_label", std::to_string(request.target_label),
                     "expected a foreground label 1.." + std::to_string(num_classes - 1));
  if (request.target_label == request.instances[request.instance].label)
    throw InputError(source, "target_label", std::to_string(request.target_label),
                     "the target is the instance's current class: choose another class");
  if (!request.ground_truth_difference.empty() &&
      (request.ground_truth_difference.size() != request.image.size() || request.ground_truth_difference.type() != CV_32FC3))
    throw InputError(source, "ground_truth_difference", "", "expected CV_32FC3 of the image's size");
}

std::vector<double> to_vector(const torch::Tensor& values) {
  const auto cpu = values.to(torch::kCPU, torch::kDouble).contiguous();
  return std::vector<double>(cpu.data_ptr<double>(), cpu.data_ptr<double>() + cpu.numel());
}

cv::Mat mask_to_mat(const torch::Tensor& probabilities) {
  const auto binary = probabilities.ge(0.5).to(torch::kCPU, torch::kUInt8).contiguous();
  cv::Mat mask(static_cast<int>(binary.size(0)), static_cast<int>(binary.size(1)), CV_8U);
  std::memcpy(mask.data, binary.data_ptr<std::uint8_t>(), mask.total());
  return mask;
}

std::vector<PredictedInstance> to_predictions(const modeling::Detections& detections) {
  std::vector<PredictedInstance> out;
  const auto boxes = detections.boxes.to(torch::kCPU, torch::kDouble);
  for (std::int64_t d = 0; d < boxes.size(0); ++d) {
    PredictedInstance p;
    for (int k = 0; k < 4; ++k) p.box[static_cast<std::size_t>(k)] = boxes[d][k].item<double>();
    p.label = detections.labels[d].item<std::int64_t>();
    p.score = detections.scores[d].item<double>();
    if (detections.masks.defined() && detections.masks.numel() > 0) p.mask = mask_to_mat(detections.masks[d][0]);
    out.push_back(std::move(p));
  }
  return out;
}

/// One batch of the images of `a` then `b` (same padded size, as X and X~ of one image have).
modeling::BackboneOutput stack_batches(const modeling::BackboneOutput& a, const modeling::BackboneOutput& b) {
  TORCH_CHECK(a.images.tensors.sizes() == b.images.tensors.sizes(), "stack_batches: padded sizes differ");
  modeling::BackboneOutput out;
  out.images.tensors = torch::cat({a.images.tensors, b.images.tensors});
  out.images.image_sizes = a.images.image_sizes;
  out.images.image_sizes.insert(out.images.image_sizes.end(), b.images.image_sizes.begin(), b.images.image_sizes.end());
  for (std::size_t level = 0; level < a.features.size(); ++level)
    out.features.push_back(torch::cat({a.features[level], b.features[level]}));
  out.original_sizes = a.original_sizes;
  out.original_sizes.insert(out.original_sizes.end(), b.original_sizes.begin(), b.original_sizes.end());
  return out;
}

/// Adam on `map` (in place; a valid map: X + map in [0, 1]) against the detector's target loss on X + map plus
/// the map penalties of `options.weights` (L1, L2, TV, and |M| outside the instance's box enlarged 2x, the
/// locality region). Stops at the first step where the instance's top class is the target, when asked to.
/// Returns the steps taken.
std::int64_t optimize_map(modeling::MaskRcnnImpl& model, const torch::Tensor& image, torch::Tensor& map,
                          const InstanceSet& target, std::size_t instance, const OptimizerExplainerOptions& options,
                          const JobContext& context) {
  const LossWeights& w = options.weights;
  map = map.detach().clone().requires_grad_(true);
  torch::optim::Adam optimizer(std::vector<torch::Tensor>{map}, torch::optim::AdamOptions(options.learning_rate));
  modeling::Target goal{target.boxes, target.labels, target.masks};
  const auto row = static_cast<std::int64_t>(instance);
  torch::Tensor outside_region;
  if (w.map_outside > 0) {
    auto selected = torch::zeros({target.boxes.size(0)}, torch::TensorOptions().dtype(torch::kBool));
    selected[row] = true;
    outside_region = enlarged_box_region(target.boxes, selected, {image.size(1), image.size(2)});
  }
  std::int64_t steps = 0;
  for (; steps < options.max_steps; ++steps) {
    context.throw_if_cancelled();
    const torch::Tensor counterfactual = image + map;
    const TargetLossResult result = target_loss(model, {counterfactual}, {goal}, options.target_loss);
    const std::int64_t top = result.probabilities[row].argmax().item<std::int64_t>();
    if (top == target.labels[row].item<std::int64_t>() && options.stop_when_attained) break;
    torch::Tensor loss = w.target * result.loss + w.map_l1 * map_l1_loss({map}) + w.map_l2 * map_l2_loss({map});
    if (w.total_variation > 0) loss = loss + w.total_variation * total_variation_loss({counterfactual});
    if (outside_region.defined()) loss = loss + w.map_outside * map_outside_loss({map}, {outside_region});
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
    {
      // Project back so that X~ stays a valid image.
      torch::NoGradGuard no_grad;
      map.copy_((image + map).clamp(0.0, 1.0) - image);
    }
    context.report("explain: optimise", steps + 1, options.max_steps, "loss " + std::to_string(loss.item<double>()));
  }
  map = map.detach();
  return steps;
}

}  // namespace

InstanceSet instance_set(const ExplainRequest& request, bool swap, const torch::Device& device) {
  const auto count = static_cast<std::int64_t>(request.instances.size());
  InstanceSet set;
  set.boxes = torch::empty({count, 4}, torch::kFloat);
  set.labels = torch::empty({count}, torch::kLong);
  bool all_masks = count > 0;
  for (std::int64_t i = 0; i < count; ++i) {
    const ExplainInstance& instance = request.instances[static_cast<std::size_t>(i)];
    for (int k = 0; k < 4; ++k) set.boxes[i][k] = static_cast<float>(instance.box[static_cast<std::size_t>(k)]);
    set.labels[i] = swap && static_cast<std::size_t>(i) == request.instance ? request.target_label : instance.label;
    all_masks = all_masks && !instance.mask.empty();
  }
  if (all_masks) {
    set.masks = torch::empty({count, request.image.rows, request.image.cols}, torch::kUInt8);
    for (std::int64_t i = 0; i < count; ++i) {
      cv::Mat mask = request.instances[static_cast<std::size_t>(i)].mask;
      if (!mask.isContinuous()) mask = mask.clone();
      std::memcpy(set.masks[i].data_ptr<std::uint8_t>(), mask.data, mask.total());
    }
    set.masks = set.masks.to(device);
  }
  set.boxes = set.boxes.to(device);
  set.labels = set.labels.to(device);
  if (swap) {
    // What the image shows now: marks the swapped instance for generators that condition on changes.
    set.current_labels = set.labels.clone();
    set.current_labels[static_cast<std::int64_t>(request.instance)] = request.instances[request.instance].label;
  }
  return set;
}

torch::Tensor image_to_tensor(const cv::Mat& rgb, const torch::Device& device) {
  TORCH_CHECK(rgb.type() == CV_8UC3, "image_to_tensor expects CV_8UC3");
  cv::Mat continuous = rgb.isContinuous() ? rgb : rgb.clone();
  auto tensor = torch::from_blob(continuous.data, {continuous.rows, continuous.cols, 3}, torch::kUInt8)
                    .permute({2, 0, 1})
                    .to(torch::kFloat)
                    .div(255.0)
                    .contiguous();
  return tensor.to(device);
}

cv::Mat tensor_to_mat(const torch::Tensor& chw) {
  const auto hwc = chw.detach().to(torch::kCPU, torch::kFloat).permute({1, 2, 0}).contiguous();
  cv::Mat out(static_cast<int>(hwc.size(0)), static_cast<int>(hwc.size(1)), CV_32FC3);
  std::memcpy(out.data, hwc.data_ptr<float>(), out.total() * out.elemSize());
  return out;
}

Explainer::Explainer(modeling::MaskRcnn model) : m_model(std::move(model)), m_device(device_of(m_model)) {
  freeze_detector(*m_model);
}

Explanation Explainer::explain(const ExplainRequest& request, const JobContext& context) {
  validate(request, m_model->config().num_classes);
  const auto start = Clock::now();
  const torch::Tensor image = image_to_tensor(request.image, m_device);
  const InstanceSet original = instance_set(request, false, m_device);
  const InstanceSet target = instance_set(request, true, m_device);

  context.report("explain: map", 0, 1);
  const auto map_start = Clock::now();
  MapResult made = make_map(request, image, original, target, context);
  Explanation out;
  out.method = method();
  out.measures.map_seconds = seconds_since(map_start);
  out.measures.steps = made.steps;

  torch::NoGradGuard no_grad;
  const torch::Tensor counterfactual = (image + made.map.detach()).clamp(0.0, 1.0);
  const torch::Tensor map = counterfactual - image;
  context.report("explain: predictions", 0, 1);
  // X and X~ go through the heads as one batch of two (faster than two batches of one); the backbone runs
  // on X~ only when making the map already ran it on X (the generator's encoder).
  const torch::Tensor box = original.boxes[static_cast<std::int64_t>(request.instance)].unsqueeze(0);
  const modeling::BackboneOutput features =
      made.image_features ? stack_batches(*made.image_features, m_model->extract_features({counterfactual}))
                          : m_model->extract_features({image, counterfactual});
  const auto detections = m_model->predict_from_features(features);
  const auto rois = m_model->predict_on_rois_of_features(features, {box, box}, true);

  const auto probabilities = rois.class_probabilities;  // [2, C]
  out.source_label = request.instances[request.instance].label;
  out.target_label = request.target_label;
  out.class_scores_before = to_vector(probabilities[0]);
  out.class_scores_after = to_vector(probabilities[1]);
  out.top_label_before = probabilities[0].argmax().item<std::int64_t>();
  out.top_label_after = probabilities[1].argmax().item<std::int64_t>();
  const auto index = [](std::int64_t label) { return static_cast<std::size_t>(label); };
  ExplanationMeasures& m = out.measures;
  m.target_attained = out.top_label_after == out.target_label;
  m.target_score_before = out.class_scores_before[index(out.target_label)];
  m.target_score_after = out.class_scores_after[index(out.target_label)];
  m.source_score_before = out.class_scores_before[index(out.source_label)];
  m.source_score_after = out.class_scores_after[index(out.source_label)];
  m.score_gain = m.target_score_after - m.target_score_before;

  // The instance's mask as the model segments it, for the class it assigns on each image.
  const auto height = request.image.rows, width = request.image.cols;
  auto instance_mask = [&](std::int64_t row, std::int64_t label) {
    const auto logits = rois.mask_logits[row][label].unsqueeze(0).unsqueeze(0);
    return mask_to_mat(modeling::paste_masks_in_image(logits.sigmoid(), box, height, width)[0][0]);
  };
  out.instance_mask_before = instance_mask(0, out.top_label_before);
  out.instance_mask_after = instance_mask(1, out.top_label_after);
  out.segmentation = segmentation_diff(out.instance_mask_before, out.instance_mask_after);
  out.predictions_before = to_predictions(detections[0]);
  out.predictions_after = to_predictions(detections[1]);

  out.map = tensor_to_mat(map);
  out.counterfactual = tensor_to_mat(counterfactual);
  m.sparsity = map_sparsity(out.map);
  m.locality = map_locality(out.map, request.instances[request.instance].box, 2.0);
  if (!request.ground_truth_difference.empty()) m.ncc = normalized_cross_correlation(out.map, request.ground_truth_difference);
  m.seconds = seconds_since(start);
  context.report("explain", 1, 1);
  return out;
}

GeneratorExplainer::GeneratorExplainer(modeling::MaskRcnn model, CounterfactualGenerator generator)
    : Explainer(std::move(model)), m_generator(std::move(generator)) {
  const GeneratorShape& shape = m_generator->shape();
  const auto& config = m_model->config();
  if (shape.num_classes != config.num_classes || shape.feature_channels != config.backbone.fpn_channels)
    throw InputError("generator", "num_classes", std::to_string(shape.num_classes),
                     "the generator was built for another model (" + std::to_string(shape.num_classes) + " classes, " +
                         std::to_string(shape.feature_channels) + " feature channels; this model has " +
                         std::to_string(config.num_classes) + " and " + std::to_string(config.backbone.fpn_channels) + ")");
  m_generator->to(m_device);
  m_generator->eval();
}

Explainer::MapResult GeneratorExplainer::make_map(const ExplainRequest& request, const torch::Tensor& image,
                                                  const InstanceSet& original, const InstanceSet& target,
                                                  const JobContext& context) {
  torch::NoGradGuard no_grad;
  modeling::BackboneOutput features;
  torch::Tensor map = m_generator->forward(*m_model, {image}, {target}, &features)[0];
  return {std::move(map), 0, std::move(features)};
}

OptimizingExplainer::OptimizingExplainer(modeling::MaskRcnn model, OptimizerExplainerOptions options)
    : Explainer(std::move(model)), m_options(std::move(options)) {}

Explainer::MapResult OptimizingExplainer::make_map(const ExplainRequest& request, const torch::Tensor& image,
                                                   const InstanceSet& original, const InstanceSet& target,
                                                   const JobContext& context) {
  torch::Tensor map = torch::zeros_like(image);
  const std::int64_t steps = optimize_map(*m_model, image, map, target, request.instance, m_options, context);
  return {map, steps, std::nullopt};
}

RefiningExplainer::RefiningExplainer(modeling::MaskRcnn model, CounterfactualGenerator generator,
                                     OptimizerExplainerOptions options)
    : GeneratorExplainer(std::move(model), std::move(generator)), m_options(std::move(options)) {}

Explainer::MapResult RefiningExplainer::make_map(const ExplainRequest& request, const torch::Tensor& image,
                                                 const InstanceSet& original, const InstanceSet& target,
                                                 const JobContext& context) {
  MapResult proposal = GeneratorExplainer::make_map(request, image, original, target, context);
  torch::Tensor map;
  {
    // Start from a valid image, as every optimiser step ends on one.
    torch::NoGradGuard no_grad;
    map = (image + proposal.map).clamp(0.0, 1.0) - image;
  }
  proposal.steps = optimize_map(*m_model, image, map, target, request.instance, m_options, context);
  proposal.map = map;
  return proposal;  // the backbone pass on X is still valid: X itself did not change
}

Explainer::MapResult TwinExplainer::make_map(const ExplainRequest& request, const torch::Tensor& image,
                                             const InstanceSet& original, const InstanceSet& target,
                                             const JobContext& context) {
  if (request.ground_truth_difference.empty())
    throw InputError("explain request", "ground_truth_difference", "empty",
                     "the twin explainer shows the synthetic world's ground-truth twin: give the world (--world)");
  cv::Mat difference = request.ground_truth_difference;
  if (!difference.isContinuous()) difference = difference.clone();
  const auto hwc = torch::from_blob(difference.data, {difference.rows, difference.cols, 3}, torch::kFloat);
  return {hwc.permute({2, 0, 1}).clone().to(m_device), 0, std::nullopt};
}

}  // namespace counterscope::counterfactual
