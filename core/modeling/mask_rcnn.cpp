#include "core/modeling/mask_rcnn.h"

#include <set>

#include "core/util/error.h"

namespace counterscope::modeling {
namespace {

std::shared_ptr<losses::ClassificationLoss> default_loss(std::shared_ptr<losses::ClassificationLoss> loss) {
  if (loss) return loss;
  return losses::make_classification_loss(losses::LossOptions{});
}

std::vector<ImageSize> sizes_of(const std::vector<torch::Tensor>& images) {
  std::vector<ImageSize> sizes;
  for (const auto& image : images) {
    TORCH_CHECK(image.dim() == 3, "expected images of shape [3, H, W], got ", image.sizes());
    sizes.emplace_back(image.size(1), image.size(2));
  }
  return sizes;
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

MaskRcnnImpl::MaskRcnnImpl(ModelConfig config, std::shared_ptr<losses::ClassificationLoss> loss)
    : m_config(std::move(config)), m_loss(default_loss(std::move(loss))), m_transform(m_config.transform) {
  m_config.validate("model config " + m_config.name);
  m_backbone = register_module("backbone", BackboneWithFpn(m_config.backbone));
  m_rpn = register_module("rpn", RegionProposalNetwork(m_config.rpn, m_config.anchors, m_backbone->out_channels()));
  m_roi_heads = register_module("roi_heads", RoiHeads(m_config, m_backbone->out_channels(), m_loss));
}

void MaskRcnnImpl::check_targets(const std::vector<torch::Tensor>& images, const std::vector<Target>& targets) const {
  if (images.size() != targets.size())
    throw InputError("training batch", "targets", std::to_string(targets.size()),
                     "expected one target per image (" + std::to_string(images.size()) + ")");
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const auto& t = targets[i];
    const std::string field = "targets[" + std::to_string(i) + "]";
    if (!t.boxes.defined() || t.boxes.dim() != 2 || t.boxes.size(1) != 4)
      throw InputError("training batch", field + ".boxes", t.boxes.defined() ? c10::str(t.boxes.sizes()) : "none",
                       "expected a [G, 4] tensor");
    const auto g = t.boxes.size(0);
    if (!t.labels.defined() || t.labels.numel() != g)
      throw InputError("training batch", field + ".labels", t.labels.defined() ? c10::str(t.labels.sizes()) : "none",
                       "expected " + std::to_string(g) + " labels");
    if (!t.masks.defined() || t.masks.dim() != 3 || t.masks.size(0) != g || t.masks.size(1) != images[i].size(1) ||
        t.masks.size(2) != images[i].size(2))
      throw InputError("training batch", field + ".masks", t.masks.defined() ? c10::str(t.masks.sizes()) : "none",
                       "expected [" + std::to_string(g) + ", " + std::to_string(images[i].size(1)) + ", " +
                           std::to_string(images[i].size(2)) + "]");
    if (g == 0) continue;
    const auto degenerate = (t.boxes.select(1, 2) <= t.boxes.select(1, 0)) | (t.boxes.select(1, 3) <= t.boxes.select(1, 1));
    if (degenerate.any().item<bool>()) {
      const auto index = torch::where(degenerate)[0][0].item<std::int64_t>();
      throw InputError("training batch", field + ".boxes[" + std::to_string(index) + "]",
                       c10::str(t.boxes[index].cpu()), "degenerate box (needs positive width and height)");
    }
    const auto labels = t.labels.to(torch::kInt64);
    if ((labels < 1).any().item<bool>() || (labels >= m_config.num_classes).any().item<bool>())
      throw InputError("training batch", field + ".labels", c10::str(labels.cpu()),
                       "labels must be in 1.." + std::to_string(m_config.num_classes - 1));
  }
}

LossDict MaskRcnnImpl::forward_train(const std::vector<torch::Tensor>& images, std::vector<Target> targets) {
  check_targets(images, targets);
  const ImageList batch = m_transform.forward(images, &targets, true);
  const auto features = m_backbone->forward(batch.tensors);
  const auto rpn_output = m_rpn->forward(batch, features, &targets, true);
  LossDict losses = m_roi_heads->forward(features, rpn_output.proposals, batch.image_sizes, &targets, nullptr);
  for (const auto& [name, value] : rpn_output.losses) losses[name] = value;
  return losses;
}

BackboneOutput MaskRcnnImpl::extract_features(const std::vector<torch::Tensor>& images) {
  BackboneOutput out;
  out.original_sizes = sizes_of(images);
  out.images = m_transform.forward(images, nullptr, false);
  out.features = m_backbone->forward(out.images.tensors);
  return out;
}

std::vector<Detections> MaskRcnnImpl::predict(const std::vector<torch::Tensor>& images) {
  return predict_from_features(extract_features(images));
}

std::vector<Detections> MaskRcnnImpl::predict_from_features(const BackboneOutput& backbone) {
  const auto rpn_output = m_rpn->forward(backbone.images, backbone.features, nullptr, false);
  std::vector<Detections> detections;
  m_roi_heads->forward(backbone.features, rpn_output.proposals, backbone.images.image_sizes, nullptr, &detections);
  m_transform.postprocess(detections, backbone.images.image_sizes, backbone.original_sizes);
  return detections;
}

RoiPredictions MaskRcnnImpl::predict_on_rois_of_features(const BackboneOutput& backbone,
                                                         const std::vector<torch::Tensor>& boxes, bool with_masks) {
  TORCH_CHECK(boxes.size() == backbone.original_sizes.size(), "predict_on_rois: ", boxes.size(),
              " box sets for ", backbone.original_sizes.size(), " images");
  std::vector<torch::Tensor> resized;
  for (std::size_t i = 0; i < boxes.size(); ++i)
    resized.push_back(GeneralizedRcnnTransform::resize_boxes(boxes[i].to(torch::kFloat), backbone.original_sizes[i],
                                                             backbone.images.image_sizes[i]));
  return m_roi_heads->predict_on_rois(backbone.features, resized, backbone.images.image_sizes, with_masks);
}

RoiPredictions MaskRcnnImpl::predict_on_rois(const std::vector<torch::Tensor>& images,
                                             const std::vector<torch::Tensor>& boxes, bool with_masks) {
  return predict_on_rois_of_features(extract_features(images), boxes, with_masks);
}

LossDict MaskRcnnImpl::losses_on_rois(const std::vector<torch::Tensor>& images, const std::vector<Target>& targets) {
  TORCH_CHECK(images.size() == targets.size(), "losses_on_rois: ", images.size(), " images but ", targets.size(),
              " targets");
  bool with_masks = true;
  for (const auto& t : targets) with_masks = with_masks && t.masks.defined();
  std::vector<Target> resized = targets;
  if (!with_masks)
    for (auto& t : resized) t.masks = torch::Tensor();
  // The transform resizes boxes and masks along with the images, exactly as in training.
  const ImageList batch = m_transform.forward(images, &resized, false);
  const auto features = m_backbone->forward(batch.tensors);
  std::vector<torch::Tensor> boxes;
  for (const auto& t : resized) boxes.push_back(t.boxes.to(torch::kFloat));
  const auto predictions = m_roi_heads->predict_on_rois(features, boxes, batch.image_sizes, with_masks);
  return m_roi_heads->losses_on_rois(predictions, resized);
}

ApplyStateDictReport MaskRcnnImpl::load_weights(const StateDict& state, const ApplyStateDictOptions& options) {
  std::set<std::string> own;
  for (const auto& item : named_buffers()) own.insert(item.key());
  StateDict filtered;
  for (const auto& entry : state) {
    // torchvision checkpoints of models built with BatchNorm2d carry num_batches_tracked; FrozenBatchNorm2d
    // has no such buffer and drops it on load, and so do we.
    if (ends_with(entry.name, "num_batches_tracked") && !own.count(entry.name)) continue;
    filtered.insert(entry.name, entry.tensor);
  }
  for (const auto& item : named_buffers()) {
    // The reverse: a FrozenBatchNorm2d checkpoint loaded into trainable BatchNorm2d keeps its own counter.
    if (ends_with(item.key(), "num_batches_tracked") && !filtered.contains(item.key()))
      filtered.insert(item.key(), item.value().clone());
  }
  return apply_state_dict(*this, filtered, options);
}

std::int64_t num_classes_in_state_dict(const StateDict& state, const std::string& source) {
  const std::string key = "roi_heads.box_predictor.bbox_pred.weight";
  const at::Tensor* weight = state.find(key);
  if (weight == nullptr)
    throw InputError(source, key, "", "missing: not a Mask R-CNN (torchvision layout) checkpoint");
  if (weight->dim() != 2 || weight->size(0) % 4 != 0 || weight->size(0) < 8)
    throw InputError(source, key, c10::str(weight->sizes()), "expected [4 * num_classes, features]");
  return weight->size(0) / 4;
}

std::shared_ptr<losses::ClassificationLoss> inference_loss_for_state_dict(const StateDict& state,
                                                                          std::int64_t num_classes) {
  const at::Tensor* weight = state.find("roi_heads.box_predictor.cls_score.weight");
  if (weight == nullptr || weight->dim() != 2) return nullptr;
  losses::LossOptions options;
  options.name = "seesaw";
  options.seesaw_objectness = true;
  std::shared_ptr<losses::ClassificationLoss> seesaw = losses::make_classification_loss(options);
  return weight->size(0) == seesaw->logit_count(num_classes) ? seesaw : nullptr;
}

}  // namespace counterscope::modeling
