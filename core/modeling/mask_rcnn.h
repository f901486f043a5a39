#pragma once
// Mask R-CNN with a ResNet-FPN backbone (torchvision's MaskRCNN): transform -> backbone -> RPN -> RoI heads.
// Parameters are registered under torchvision's names ("backbone.body.layer1.0.conv1.weight",
// "rpn.head.conv.0.0.weight", "roi_heads.box_predictor.cls_score.weight", ...) so torchvision state dicts
// load as is. Images are float [3, H, W] RGB in [0, 1] on the model's device; everything a caller gets
// back is in the original image's coordinates.

#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/losses/classification_loss.h"
#include "core/modeling/detection_types.h"
#include "core/modeling/fpn.h"
#include "core/modeling/model_config.h"
#include "core/modeling/roi_heads.h"
#include "core/modeling/rpn.h"
#include "core/modeling/transform.h"
#include "core/modeling/weights/apply_state_dict.h"
#include "core/modeling/weights/state_dict.h"

namespace counterscope::modeling {

/// The backbone's view of a batch: the transformed images and the five FPN levels.
struct BackboneOutput {
  ImageList images;                       ///< normalised, resized, padded batch
  std::vector<torch::Tensor> features;    ///< P2..P6 ("0".."3", "pool"), [N, C, H/s, W/s]
  std::vector<ImageSize> original_sizes;  ///< (height, width) of each input image
};

class MaskRcnnImpl : public torch::nn::Module {
 public:
  /// loss: the box head's classification loss; nullptr = plain cross-entropy.
  explicit MaskRcnnImpl(ModelConfig config, std::shared_ptr<losses::ClassificationLoss> loss = nullptr);

  /// Training step: the five named losses for images and their targets (original coordinates).
  /// Throws InputError on malformed targets (degenerate boxes, label out of range, mask size).
  LossDict forward_train(const std::vector<torch::Tensor>& images, std::vector<Target> targets);
  /// Inference: per image boxes, labels, scores and masks [D, 1, H, W] (probabilities), in the original
  /// image coordinates. Call under torch::NoGradGuard unless gradients are wanted.
  std::vector<Detections> predict(const std::vector<torch::Tensor>& images);
  /// The same from already extracted features (detections and RoI queries on one batch share the backbone).
  std::vector<Detections> predict_from_features(const BackboneOutput& backbone);

  /// Transform + backbone only (differentiable w.r.t. the images).
  BackboneOutput extract_features(const std::vector<torch::Tensor>& images);
  /// Box and mask head outputs for given boxes per image (original coordinates), differentiable back to
  /// the input images: the counterfactual generator's view of the model.
  RoiPredictions predict_on_rois(const std::vector<torch::Tensor>& images, const std::vector<torch::Tensor>& boxes,
                                 bool with_masks = true);
  /// The same from already extracted features (several queries on one image share the backbone pass).
  RoiPredictions predict_on_rois_of_features(const BackboneOutput& backbone, const std::vector<torch::Tensor>& boxes,
                                             bool with_masks = true);
  /// loss_classifier, loss_box_reg, loss_mask of the heads on the targets' own boxes (original
  /// coordinates; masks optional), differentiable back to the images.
  LossDict losses_on_rois(const std::vector<torch::Tensor>& images, const std::vector<Target>& targets);

  /// Copies a torchvision-style state dict (ignoring BatchNorm's num_batches_tracked, as torchvision's
  /// FrozenBatchNorm2d does). Strict by default: mismatches throw StateDictMismatch listing the names.
  ApplyStateDictReport load_weights(const StateDict& state, const ApplyStateDictOptions& options = {});

  const ModelConfig& config() const { return m_config; }
  const GeneralizedRcnnTransform& transform() const { return m_transform; }
  BackboneWithFpn backbone() const { return m_backbone; }
  RegionProposalNetwork rpn() const { return m_rpn; }
  RoiHeads roi_heads() const { return m_roi_heads; }
  const std::shared_ptr<losses::ClassificationLoss>& classification_loss() const { return m_loss; }

 private:
  void check_targets(const std::vector<torch::Tensor>& images, const std::vector<Target>& targets) const;

  ModelConfig m_config;
  std::shared_ptr<losses::ClassificationLoss> m_loss;
  GeneralizedRcnnTransform m_transform;
  BackboneWithFpn m_backbone{nullptr};
  RegionProposalNetwork m_rpn{nullptr};
  RoiHeads m_roi_heads{nullptr};
};
TORCH_MODULE(MaskRcnn);

/// Number of classes (background included) a torchvision-style checkpoint was trained for: the rows of
/// roi_heads.box_predictor.bbox_pred.weight / 4. Throws InputError when the key is missing.
std::int64_t num_classes_in_state_dict(const StateDict& state, const std::string& source);
/// The classification loss whose logit layout a checkpoint's classifier has, so that inference turns its logits
/// into class probabilities as training did: seesaw (mmdetection's, with objectness) when cls_score has its
/// rows (the foreground classes + 2 objectness logits); nullptr (plain softmax, which CE, CM, LR and FL share) otherwise.
std::shared_ptr<losses::ClassificationLoss> inference_loss_for_state_dict(const StateDict& state,
                                                                          std::int64_t num_classes);

}  // namespace counterscope::modeling
