#pragma once
// RoI heads of Mask R-CNN (torchvision's RoIHeads with box and mask branches): proposal sampling and
// losses in training; per-class box decoding, score threshold, per-class NMS, top-k and mask prediction in
// inference; and predictions on caller-given RoIs (the counterfactual generator's L_cls / L_box / L_mask).

#include <cstdint>
#include <memory>
#include <vector>

#include <torch/torch.h>

#include "core/losses/classification_loss.h"
#include "core/modeling/box_head.h"
#include "core/modeling/detection_types.h"
#include "core/modeling/mask_head.h"
#include "core/modeling/model_config.h"
#include "core/modeling/ops/balanced_sampler.h"
#include "core/modeling/ops/box_coder.h"
#include "core/modeling/ops/matcher.h"
#include "core/modeling/ops/multi_scale_roi_align.h"

namespace counterscope::modeling {

/// Head outputs for given RoIs (concatenated over images, in the order of the boxes).
struct RoiPredictions {
  torch::Tensor class_logits;         ///< [K, logit_count]
  torch::Tensor class_probabilities;  ///< [K, num_classes], column 0 = background
  torch::Tensor box_regression;       ///< [K, 4 * num_classes] box deltas (box coder weights of the config)
  torch::Tensor mask_logits;          ///< [K, num_classes, 2 * mask_pool_size, 2 * mask_pool_size]
};

class RoiHeadsImpl : public torch::nn::Module {
 public:
  /// loss: the classification loss (decides the width of cls_score and turns logits into probabilities).
  RoiHeadsImpl(const ModelConfig& config, std::int64_t in_channels,
               std::shared_ptr<losses::ClassificationLoss> loss);

  /// Training (`targets` given, in the resized image's coordinates): returns the losses
  /// loss_classifier, loss_box_reg, loss_mask. Inference: fills `detections` (boxes in the resized image,
  /// masks [D,1,M,M] probabilities of the detected class) and returns no losses.
  LossDict forward(const std::vector<torch::Tensor>& features, const std::vector<torch::Tensor>& proposals,
                   const std::vector<ImageSize>& image_sizes, const std::vector<Target>* targets,
                   std::vector<Detections>* detections);

  /// Box and mask head outputs for caller-given boxes per image (no sampling, no NMS); differentiable
  /// w.r.t. the features. with_masks = false skips the mask branch.
  RoiPredictions predict_on_rois(const std::vector<torch::Tensor>& features, const std::vector<torch::Tensor>& boxes,
                                 const std::vector<ImageSize>& image_sizes, bool with_masks = true);
  /// Per-RoI losses of predictions on ground-truth boxes: the classification loss on the labels, smooth L1
  /// of the labelled class's regression (the target is 0: the box is the ground truth) and the mask BCE
  /// against the ground-truth masks projected on the boxes. Means over the RoIs.
  LossDict losses_on_rois(const RoiPredictions& predictions, const std::vector<Target>& targets) const;

  /// [K, M, M] targets: ground-truth masks cropped and resized to the boxes by RoIAlign (torchvision's
  /// project_masks_on_boxes).
  static torch::Tensor project_masks_on_boxes(const torch::Tensor& gt_masks, const torch::Tensor& boxes,
                                              const torch::Tensor& matched_idxs, std::int64_t size);

  const std::shared_ptr<losses::ClassificationLoss>& classification_loss() const { return m_loss; }
  std::int64_t num_classes() const { return m_num_classes; }

 private:
  struct TrainingSamples {
    std::vector<torch::Tensor> proposals, matched_idxs, labels, regression_targets;
  };
  TrainingSamples select_training_samples(const std::vector<torch::Tensor>& proposals,
                                          const std::vector<Target>& targets) const;
  torch::Tensor box_features(const std::vector<torch::Tensor>& features, const std::vector<torch::Tensor>& boxes,
                             const std::vector<ImageSize>& image_sizes);
  torch::Tensor mask_logits(const std::vector<torch::Tensor>& features, const std::vector<torch::Tensor>& boxes,
                            const std::vector<ImageSize>& image_sizes);
  torch::Tensor box_loss(const torch::Tensor& box_regression, const torch::Tensor& labels,
                         const torch::Tensor& regression_targets) const;
  torch::Tensor mask_loss(const torch::Tensor& mask_logits, const std::vector<torch::Tensor>& boxes,
                          const std::vector<Target>& targets, const std::vector<torch::Tensor>& matched_idxs) const;
  void postprocess_detections(const torch::Tensor& class_logits, const torch::Tensor& box_regression,
                              const std::vector<torch::Tensor>& proposals,
                              const std::vector<ImageSize>& image_sizes, std::vector<Detections>& detections) const;

  RoiConfig m_config;
  std::int64_t m_num_classes;
  double m_score_thresh, m_nms_thresh;
  std::int64_t m_detections_per_img;
  std::shared_ptr<losses::ClassificationLoss> m_loss;
  MultiScaleRoIAlign m_box_roi_pool, m_mask_roi_pool;
  TwoMlpHead m_box_head{nullptr};
  FastRcnnPredictor m_box_predictor{nullptr};
  torch::nn::Sequential m_mask_head{nullptr};
  MaskRcnnPredictor m_mask_predictor{nullptr};
  BoxCoder m_box_coder;
  Matcher m_matcher;
  BalancedPositiveNegativeSampler m_sampler;
};
TORCH_MODULE(RoiHeads);

}  // namespace counterscope::modeling
