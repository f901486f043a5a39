#pragma once
// Typed configuration of the Mask R-CNN network, parsed once from JSON (a preset in resources/configs/ or a
// user file). Defaults are torchvision's maskrcnn_resnet50_fpn; no module reads JSON itself.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace counterscope::modeling {

/// ResNet body + FPN.
struct BackboneConfig {
  int depth = 50;                 ///< ResNet depth: 18, 34, 50 or 101
  int trainable_layers = 3;       ///< 0..5 of layer4, layer3, layer2, layer1, conv1 (torchvision's counting)
  std::int64_t fpn_channels = 256;  ///< output channels of every FPN level
  /// "frozen": FrozenBatchNorm2d (torchvision with a pretrained body); "batch": trainable BatchNorm2d
  /// (torchvision without one; for training from scratch). Both load the same checkpoint keys.
  std::string norm = "frozen";
};

/// Anchors: one size tuple and one ratio tuple per FPN level (P2..P6).
struct AnchorConfig {
  std::vector<std::vector<double>> sizes = {{32}, {64}, {128}, {256}, {512}};  ///< anchor sides in pixels
  std::vector<std::vector<double>> aspect_ratios = {{0.5, 1.0, 2.0}, {0.5, 1.0, 2.0}, {0.5, 1.0, 2.0},
                                                    {0.5, 1.0, 2.0}, {0.5, 1.0, 2.0}};  ///< h/w ratios
};

/// Region proposal network.
struct RpnConfig {
  std::int64_t pre_nms_top_n_train = 2000;   ///< proposals kept per level before NMS (training)
  std::int64_t pre_nms_top_n_test = 1000;    ///< proposals kept per level before NMS (inference)
  std::int64_t post_nms_top_n_train = 2000;  ///< proposals kept per image after NMS (training)
  std::int64_t post_nms_top_n_test = 1000;   ///< proposals kept per image after NMS (inference)
  double nms_thresh = 0.7;                   ///< IoU threshold of the per-level NMS
  double fg_iou_thresh = 0.7;                ///< anchor IoU at or above which an anchor is foreground
  double bg_iou_thresh = 0.3;                ///< anchor IoU below which an anchor is background
  std::int64_t batch_size_per_image = 256;   ///< anchors sampled per image for the losses
  double positive_fraction = 0.5;            ///< share of foreground anchors in that sample
  double score_thresh = 0.0;                 ///< objectness probability a proposal needs
  double min_size = 1e-3;                    ///< proposals with a smaller side are dropped
};

/// Box and mask heads.
struct RoiConfig {
  double fg_iou_thresh = 0.5;                 ///< proposal IoU at or above which a proposal is foreground
  double bg_iou_thresh = 0.5;                 ///< proposal IoU below which a proposal is background
  std::int64_t batch_size_per_image = 512;    ///< proposals sampled per image for the box losses
  double positive_fraction = 0.25;            ///< share of foreground proposals in that sample
  std::array<double, 4> box_coder_weights = {10, 10, 5, 5};  ///< (wx, wy, ww, wh) of the box coder
  std::int64_t box_pool_size = 7;             ///< RoIAlign output side for the box head
  std::int64_t box_sampling_ratio = 2;        ///< RoIAlign samples per bin for the box head
  std::int64_t box_head_width = 1024;         ///< width of the two fully connected layers (fc6, fc7)
  std::string classifier = "linear";          ///< "linear" (torchvision) or "cosine" (normalised, scaled)
  double classifier_scale = 20.0;             ///< logit scale of the cosine classifier
  std::int64_t mask_pool_size = 14;           ///< RoIAlign output side for the mask head
  std::int64_t mask_sampling_ratio = 2;       ///< RoIAlign samples per bin for the mask head
  std::vector<std::int64_t> mask_head_layers = {256, 256, 256, 256};  ///< channels of the 3x3 convs
  std::int64_t mask_head_dilation = 1;        ///< dilation of those convs
  std::int64_t mask_predictor_channels = 256;  ///< channels of the 2x2 transposed conv (conv5_mask)
};

/// Input normalisation, resizing and batching (GeneralizedRCNNTransform).
struct TransformConfig {
  std::vector<std::int64_t> min_size = {800};  ///< shorter side target; training picks one at random
  std::int64_t max_size = 1333;                ///< longer side cap
  std::array<double, 3> image_mean = {0.485, 0.456, 0.406};  ///< per RGB channel, images in [0, 1]
  std::array<double, 3> image_std = {0.229, 0.224, 0.225};   ///< per RGB channel
  std::int64_t size_divisible = 32;            ///< batch padded to a multiple of this
};

struct ModelConfig {
  std::string name = "custom";      ///< preset name or file stem, for messages and result metadata
  std::int64_t num_classes = 91;    ///< classes including background (label 0)
  BackboneConfig backbone;
  AnchorConfig anchors;
  RpnConfig rpn;
  RoiConfig roi;
  TransformConfig transform;
  double score_thresh = 0.05;          ///< minimum class probability of a detection
  double nms_thresh = 0.5;             ///< IoU threshold of the per-class NMS of detections
  std::int64_t detections_per_img = 100;  ///< detections kept per image
  std::vector<std::string> class_names;   ///< optional, index = label (0 = background)

  /// Parses a config; missing fields keep their defaults, unknown fields and bad values are errors.
  /// `source` names the file in messages.
  static ModelConfig from_json(const nlohmann::json& json, const std::string& source);
  nlohmann::json to_json() const;
  /// Checks ranges and consistency (levels vs anchors, class names vs classes); throws InputError.
  void validate(const std::string& source) const;
};

/// Names of the bundled presets, sorted.
std::vector<std::string> model_preset_names();
/// The folder the presets are read from (resources/configs of an install or of the source tree).
std::string model_config_dir();
/// A preset by name, or a JSON file by path (anything ending in .json or containing a '/').
/// Unknown names fail with a message listing the presets.
ModelConfig load_model_config(const std::string& preset_or_path);

}  // namespace counterscope::modeling
