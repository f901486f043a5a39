#include "core/modeling/roi_heads.h"

#include <algorithm>

#include "core/modeling/ops/box_ops.h"
#include "core/modeling/ops/nms.h"
#include "core/modeling/ops/roi_align.h"

namespace counterscope::modeling {
namespace {

namespace F = torch::nn::functional;

// The four pyramid levels P2..P5 the RoIs are pooled from (P6, "pool", only feeds the RPN).
const std::vector<std::string> kRoiFeatureMaps = {"0", "1", "2", "3"};

std::vector<std::int64_t> counts_of(const std::vector<torch::Tensor>& boxes) {
  std::vector<std::int64_t> counts;
  for (const auto& b : boxes) counts.push_back(b.size(0));
  return counts;
}

torch::Tensor smooth_l1_sum(const torch::Tensor& input, const torch::Tensor& target) {
  return F::smooth_l1_loss(input, target, F::SmoothL1LossFuncOptions().reduction(torch::kSum).beta(1.0 / 9.0));
}

}  // namespace

RoiHeadsImpl::RoiHeadsImpl(const ModelConfig& config, std::int64_t in_channels,
                           std::shared_ptr<losses::ClassificationLoss> loss)
    : m_config(config.roi),
      m_num_classes(config.num_classes),
      m_score_thresh(config.score_thresh),
      m_nms_thresh(config.nms_thresh),
      m_detections_per_img(config.detections_per_img),
      m_loss(std::move(loss)),
      m_box_roi_pool(kRoiFeatureMaps, config.roi.box_pool_size, config.roi.box_sampling_ratio),
      m_mask_roi_pool(kRoiFeatureMaps, config.roi.mask_pool_size, config.roi.mask_sampling_ratio),
      m_box_coder(config.roi.box_coder_weights),
      m_matcher(config.roi.fg_iou_thresh, config.roi.bg_iou_thresh, false),
      m_sampler(config.roi.batch_size_per_image, config.roi.positive_fraction) {
  TORCH_CHECK(m_loss != nullptr, "RoiHeads: no classification loss");
  const auto pool = config.roi.box_pool_size;
  m_box_head = register_module("box_head", TwoMlpHead(in_channels * pool * pool, config.roi.box_head_width));
  const double cosine_scale = config.roi.classifier == "cosine" ? config.roi.classifier_scale : 0.0;
  m_box_predictor = register_module(
      "box_predictor", FastRcnnPredictor(config.roi.box_head_width, m_loss->logit_count(m_num_classes),
                                         m_num_classes, cosine_scale));
  m_mask_head = register_module(
      "mask_head", make_mask_rcnn_heads(in_channels, config.roi.mask_head_layers, config.roi.mask_head_dilation));
  m_mask_predictor = register_module(
      "mask_predictor",
      MaskRcnnPredictor(config.roi.mask_head_layers.back(), config.roi.mask_predictor_channels, m_num_classes));
}

torch::Tensor RoiHeadsImpl::box_features(const std::vector<torch::Tensor>& features,
                                         const std::vector<torch::Tensor>& boxes,
                                         const std::vector<ImageSize>& image_sizes) {
  return m_box_head->forward(m_box_roi_pool.forward(features, boxes, image_sizes));
}

torch::Tensor RoiHeadsImpl::mask_logits(const std::vector<torch::Tensor>& features,
                                        const std::vector<torch::Tensor>& boxes,
                                        const std::vector<ImageSize>& image_sizes) {
  auto x = m_mask_roi_pool.forward(features, boxes, image_sizes);
  return m_mask_predictor->forward(m_mask_head->forward(x));
}

RoiHeadsImpl::TrainingSamples RoiHeadsImpl::select_training_samples(const std::vector<torch::Tensor>& proposals,
                                                                    const std::vector<Target>& targets) const {
  TORCH_CHECK(proposals.size() == targets.size(), "RoiHeads: ", proposals.size(), " proposal sets but ",
              targets.size(), " targets");
  TrainingSamples samples;
  for (std::size_t i = 0; i < proposals.size(); ++i) {
    const auto gt_boxes = targets[i].boxes.to(proposals[i].scalar_type());
    // The ground-truth boxes join the proposals so that every object has positive samples early on.
    auto image_proposals = torch::cat({proposals[i], gt_boxes}, 0);
    const auto long_options = torch::TensorOptions().dtype(torch::kInt64).device(image_proposals.device());
    torch::Tensor matched, labels;
    if (gt_boxes.numel() == 0) {
      matched = torch::zeros({image_proposals.size(0)}, long_options);
      labels = torch::zeros({image_proposals.size(0)}, long_options);
    } else {
      const auto raw = m_matcher(box_iou(gt_boxes, image_proposals));
      matched = raw.clamp_min(0);
      labels = targets[i].labels.index({matched}).to(torch::kInt64);
      labels.masked_fill_(raw == Matcher::below_low, 0);
      labels.masked_fill_(raw == Matcher::between, -1);
    }
    samples.proposals.push_back(image_proposals);
    samples.matched_idxs.push_back(matched);
    samples.labels.push_back(labels);
  }
  auto [positive, negative] = m_sampler(samples.labels);
  for (std::size_t i = 0; i < proposals.size(); ++i) {
    const auto sampled = torch::where(positive[i].to(torch::kBool) | negative[i].to(torch::kBool))[0];
    samples.proposals[i] = samples.proposals[i].index({sampled});
    samples.labels[i] = samples.labels[i].index({sampled});
    samples.matched_idxs[i] = samples.matched_idxs[i].index({sampled});
    auto gt_boxes = targets[i].boxes.to(samples.proposals[i].scalar_type());
    if (gt_boxes.numel() == 0) gt_boxes = torch::zeros({1, 4}, samples.proposals[i].options());
    samples.regression_targets.push_back(
        m_box_coder.encode(gt_boxes.index({samples.matched_idxs[i]}), samples.proposals[i]));
  }
  return samples;
}

torch::Tensor RoiHeadsImpl::box_loss(const torch::Tensor& box_regression, const torch::Tensor& labels,
                                     const torch::Tensor& regression_targets) const {
  // Only foreground RoIs regress, each with its ground-truth class's deltas; normalised by all RoIs.
  const auto positive = torch::where(labels > 0)[0];
  const auto labels_pos = labels.index({positive});
  const auto n = box_regression.size(0);
  const auto regression = box_regression.reshape({n, box_regression.size(-1) / 4, 4});
  const auto loss = smooth_l1_sum(regression.index({positive, labels_pos}), regression_targets.index({positive}));
  return loss / static_cast<double>(std::max<std::int64_t>(labels.numel(), 1));
}

torch::Tensor RoiHeadsImpl::project_masks_on_boxes(const torch::Tensor& gt_masks, const torch::Tensor& boxes,
                                                   const torch::Tensor& matched_idxs, std::int64_t size) {
  const auto rois = torch::cat({matched_idxs.unsqueeze(1).to(boxes.scalar_type()), boxes}, 1);
  const auto masks = gt_masks.unsqueeze(1).to(rois.options());
  // sampling_ratio 0 = adaptive, torchvision's default of roi_align (-1) here.
  return roi_align(masks, rois, 1.0, size, size, 0, false).select(1, 0);
}

torch::Tensor RoiHeadsImpl::mask_loss(const torch::Tensor& logits, const std::vector<torch::Tensor>& boxes,
                                      const std::vector<Target>& targets,
                                      const std::vector<torch::Tensor>& matched_idxs) const {
  const auto size = logits.size(-1);
  std::vector<torch::Tensor> labels, mask_targets;
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    labels.push_back(targets[i].labels.index({matched_idxs[i]}).to(torch::kInt64));
    if (boxes[i].size(0) == 0) {
      mask_targets.push_back(torch::zeros({0, size, size}, logits.options()));
    } else {
      mask_targets.push_back(project_masks_on_boxes(targets[i].masks, boxes[i], matched_idxs[i], size));
    }
  }
  const auto all_labels = torch::cat(labels, 0);
  const auto all_targets = torch::cat(mask_targets, 0);
  // No foreground RoI: a zero that keeps the graph connected (torchvision does the same).
  if (all_targets.numel() == 0) return logits.sum() * 0;
  const auto rows = torch::arange(all_labels.size(0), all_labels.options());
  return F::binary_cross_entropy_with_logits(logits.index({rows, all_labels}), all_targets);
}

LossDict RoiHeadsImpl::forward(const std::vector<torch::Tensor>& features, const std::vector<torch::Tensor>& proposals,
                               const std::vector<ImageSize>& image_sizes, const std::vector<Target>* targets,
                               std::vector<Detections>* detections) {
  LossDict losses;
  if (targets != nullptr) {
    const auto samples = select_training_samples(proposals, *targets);
    const auto x = box_features(features, samples.proposals, image_sizes);
    const auto [class_logits, box_regression] = m_box_predictor->forward(x);
    const auto labels = torch::cat(samples.labels, 0);
    losses["loss_classifier"] = m_loss->forward(class_logits, labels);
    losses["loss_box_reg"] = box_loss(box_regression, labels, torch::cat(samples.regression_targets, 0));

    std::vector<torch::Tensor> mask_proposals, positive_matched;
    for (std::size_t i = 0; i < samples.proposals.size(); ++i) {
      const auto positive = torch::where(samples.labels[i] > 0)[0];
      mask_proposals.push_back(samples.proposals[i].index({positive}));
      positive_matched.push_back(samples.matched_idxs[i].index({positive}));
    }
    const auto logits = mask_logits(features, mask_proposals, image_sizes);
    losses["loss_mask"] = mask_loss(logits, mask_proposals, *targets, positive_matched);
    return losses;
  }
  TORCH_CHECK(detections != nullptr, "RoiHeads: inference needs an output vector");
  const auto x = box_features(features, proposals, image_sizes);
  const auto [class_logits, box_regression] = m_box_predictor->forward(x);
  postprocess_detections(class_logits, box_regression, proposals, image_sizes, *detections);

  std::vector<torch::Tensor> boxes;
  for (const auto& d : *detections) boxes.push_back(d.boxes);
  const auto logits = mask_logits(features, boxes, image_sizes);
  // Keep only the detected class's mask, as probabilities.
  std::vector<torch::Tensor> labels;
  for (const auto& d : *detections) labels.push_back(d.labels);
  const auto all_labels = torch::cat(labels, 0);
  const auto rows = torch::arange(all_labels.size(0), all_labels.options());
  const auto probabilities = torch::sigmoid(logits).index({rows, all_labels}).unsqueeze(1);
  const auto per_image = probabilities.split_with_sizes(counts_of(boxes), 0);
  for (std::size_t i = 0; i < detections->size(); ++i) (*detections)[i].masks = per_image[i];
  return losses;
}

void RoiHeadsImpl::postprocess_detections(const torch::Tensor& class_logits, const torch::Tensor& box_regression,
                                          const std::vector<torch::Tensor>& proposals,
                                          const std::vector<ImageSize>& image_sizes,
                                          std::vector<Detections>& detections) const {
  const auto counts = counts_of(proposals);
  const auto pred_boxes = m_box_coder.decode(box_regression, torch::cat(proposals, 0));  // [K, C, 4]
  const auto pred_scores = m_loss->probabilities(class_logits);                          // [K, C]
  const auto num_classes = pred_scores.size(-1);
  const auto boxes_list = pred_boxes.split_with_sizes(counts, 0);
  const auto scores_list = pred_scores.split_with_sizes(counts, 0);
  detections.assign(proposals.size(), Detections{});
  for (std::size_t i = 0; i < proposals.size(); ++i) {
    auto boxes = clip_boxes_to_image(boxes_list[i], image_sizes[i].first, image_sizes[i].second);
    auto scores = scores_list[i];
    auto labels = torch::arange(num_classes, torch::TensorOptions().dtype(torch::kInt64).device(scores.device()))
                      .view({1, -1})
                      .expand_as(scores);
    // Drop the background column, then treat every (RoI, class) pair as a candidate.
    using torch::indexing::Slice;
    boxes = boxes.index({Slice(), Slice(1)}).reshape({-1, 4});
    scores = scores.index({Slice(), Slice(1)}).reshape({-1});
    labels = labels.index({Slice(), Slice(1)}).reshape({-1});
    auto keep = torch::where(scores > m_score_thresh)[0];
    boxes = boxes.index({keep}), scores = scores.index({keep}), labels = labels.index({keep});
    keep = remove_small_boxes(boxes, 1e-2);
    boxes = boxes.index({keep}), scores = scores.index({keep}), labels = labels.index({keep});
    keep = batched_nms(boxes, scores, labels, m_nms_thresh).slice(0, 0, m_detections_per_img);
    detections[i].boxes = boxes.index({keep});
    detections[i].scores = scores.index({keep});
    detections[i].labels = labels.index({keep});
  }
}

RoiPredictions RoiHeadsImpl::predict_on_rois(const std::vector<torch::Tensor>& features,
                                             const std::vector<torch::Tensor>& boxes,
                                             const std::vector<ImageSize>& image_sizes, bool with_masks) {
  RoiPredictions out;
  const auto x = box_features(features, boxes, image_sizes);
  std::tie(out.class_logits, out.box_regression) = m_box_predictor->forward(x);
  out.class_probabilities = m_loss->probabilities(out.class_logits);
  if (with_masks) out.mask_logits = mask_logits(features, boxes, image_sizes);
  return out;
}

LossDict RoiHeadsImpl::losses_on_rois(const RoiPredictions& predictions, const std::vector<Target>& targets) const {
  std::vector<torch::Tensor> labels_list, boxes_list;
  for (const auto& t : targets) {
    labels_list.push_back(t.labels.to(torch::kInt64));
    boxes_list.push_back(t.boxes);
  }
  const auto labels = torch::cat(labels_list, 0).to(predictions.class_probabilities.device());
  const auto count = static_cast<double>(std::max<std::int64_t>(labels.numel(), 1));
  const auto rows = torch::arange(labels.size(0), labels.options());
  LossDict losses;
  // -log p_y through probabilities(), so it works for every classification loss without touching its
  // training state (seesaw's running counts).
  losses["loss_classifier"] =
      -torch::log(predictions.class_probabilities.index({rows, labels}).clamp_min(1e-12)).sum() / count;
  const auto regression = predictions.box_regression.reshape({labels.size(0), -1, 4}).index({rows, labels});
  losses["loss_box_reg"] = smooth_l1_sum(regression, torch::zeros_like(regression)) / count;
  if (predictions.mask_logits.defined()) {
    std::vector<torch::Tensor> matched;
    for (const auto& t : targets)
      matched.push_back(torch::arange(t.boxes.size(0), torch::TensorOptions().dtype(torch::kInt64).device(t.boxes.device())));
    losses["loss_mask"] = mask_loss(predictions.mask_logits, boxes_list, targets, matched);
  }
  return losses;
}

}  // namespace counterscope::modeling
