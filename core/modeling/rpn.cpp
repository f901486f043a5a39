#include "core/modeling/rpn.h"

#include <algorithm>

#include "core/modeling/conv_block.h"
#include "core/modeling/ops/box_ops.h"
#include "core/modeling/ops/nms.h"

namespace counterscope::modeling {
namespace {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

nn::Conv2d normal_conv(std::int64_t in, std::int64_t out, std::int64_t kernel) {
  nn::Conv2d conv(nn::Conv2dOptions(in, out, kernel).padding(kernel / 2));
  nn::init::normal_(conv->weight, 0.0, 0.01);
  nn::init::zeros_(conv->bias);
  return conv;
}

// [N, A*C, H, W] -> [N, H*W*A, C]: the order (level, row, column, anchor) of the anchors.
torch::Tensor permute_and_flatten(const torch::Tensor& layer, std::int64_t channels) {
  const auto n = layer.size(0), h = layer.size(2), w = layer.size(3);
  const auto a = layer.size(1) / channels;
  return layer.view({n, a, channels, h, w}).permute({0, 3, 4, 1, 2}).reshape({n, -1, channels});
}

}  // namespace

RpnHeadImpl::RpnHeadImpl(std::int64_t in_channels, std::int64_t num_anchors) {
  // "conv.0.0": torchvision 0.14 wraps the conv in Sequential(Conv2dNormActivation(...)).
  m_conv = normal_conv(in_channels, in_channels, 3);
  nn::ModuleList outer;
  outer->push_back(ConvBlock(m_conv, true));
  register_module("conv", outer);
  m_cls_logits = register_module("cls_logits", normal_conv(in_channels, num_anchors, 1));
  m_bbox_pred = register_module("bbox_pred", normal_conv(in_channels, num_anchors * 4, 1));
}

std::pair<std::vector<torch::Tensor>, std::vector<torch::Tensor>> RpnHeadImpl::forward(
    const std::vector<torch::Tensor>& features) {
  std::vector<torch::Tensor> logits, deltas;
  for (const auto& feature : features) {
    const auto t = m_conv->forward(feature).relu_();
    logits.push_back(m_cls_logits->forward(t));
    deltas.push_back(m_bbox_pred->forward(t));
  }
  return {logits, deltas};
}

RegionProposalNetworkImpl::RegionProposalNetworkImpl(const RpnConfig& config, const AnchorConfig& anchors,
                                                     std::int64_t in_channels)
    : m_config(config),
      m_anchor_generator(anchors.sizes, anchors.aspect_ratios),
      m_box_coder({1.0, 1.0, 1.0, 1.0}),
      m_matcher(config.fg_iou_thresh, config.bg_iou_thresh, true),
      m_sampler(config.batch_size_per_image, config.positive_fraction) {
  m_head = register_module("head", RpnHead(in_channels, m_anchor_generator.num_anchors_per_location(0)));
}

RpnOutput RegionProposalNetworkImpl::forward(const ImageList& images, const std::vector<torch::Tensor>& features,
                                             const std::vector<Target>* targets, bool training) {
  auto [objectness_levels, delta_levels] = m_head->forward(features);
  const auto anchors = m_anchor_generator(images.image_sizes, images.tensors.size(2), images.tensors.size(3),
                                          features);
  const auto num_images = static_cast<std::int64_t>(anchors.size());
  std::vector<std::int64_t> anchors_per_level;
  std::vector<torch::Tensor> objectness_flat, deltas_flat;
  for (std::size_t level = 0; level < objectness_levels.size(); ++level) {
    const auto& o = objectness_levels[level];
    anchors_per_level.push_back(o.size(1) * o.size(2) * o.size(3));
    objectness_flat.push_back(permute_and_flatten(o, 1));
    deltas_flat.push_back(permute_and_flatten(delta_levels[level], 4));
  }
  const auto objectness = torch::cat(objectness_flat, 1).flatten(0, -2);  // [N*A_total, 1]
  const auto deltas = torch::cat(deltas_flat, 1).reshape({-1, 4});       // [N*A_total, 4]

  // Proposals do not backpropagate into the RPN (as torchvision: Faster R-CNN's approximate training).
  const auto proposals = m_box_coder.decode(deltas.detach(), torch::cat(anchors, 0)).view({num_images, -1, 4});
  RpnOutput output;
  std::tie(output.proposals, output.scores) =
      filter_proposals(proposals, objectness, images.image_sizes, anchors_per_level, training);
  if (training) {
    TORCH_CHECK(targets != nullptr, "RegionProposalNetwork: training needs targets");
    auto [labels, matched_gt_boxes] = assign_targets_to_anchors(anchors, *targets);
    std::vector<torch::Tensor> regression_targets;
    for (std::size_t i = 0; i < anchors.size(); ++i)
      regression_targets.push_back(m_box_coder.encode(matched_gt_boxes[i], anchors[i]));
    output.losses = compute_loss(objectness, deltas, labels, regression_targets);
  }
  return output;
}

std::pair<std::vector<torch::Tensor>, std::vector<torch::Tensor>> RegionProposalNetworkImpl::filter_proposals(
    const torch::Tensor& proposals, const torch::Tensor& objectness_in, const std::vector<ImageSize>& image_sizes,
    const std::vector<std::int64_t>& anchors_per_level, bool training) const {
  const auto num_images = proposals.size(0);
  const auto device = proposals.device();
  auto objectness = objectness_in.detach().reshape({num_images, -1});
  std::vector<torch::Tensor> level_ids, top_n;
  std::int64_t offset = 0;
  const std::int64_t pre_nms_top_n = training ? m_config.pre_nms_top_n_train : m_config.pre_nms_top_n_test;
  const auto per_level = objectness.split_with_sizes(anchors_per_level, 1);
  for (std::size_t level = 0; level < anchors_per_level.size(); ++level) {
    level_ids.push_back(torch::full({anchors_per_level[level]}, static_cast<std::int64_t>(level),
                                    torch::TensorOptions().dtype(torch::kInt64).device(device)));
    const auto k = std::min(pre_nms_top_n, anchors_per_level[level]);
    top_n.push_back(std::get<1>(per_level[level].topk(k, 1)) + offset);
    offset += anchors_per_level[level];
  }
  const auto levels = torch::cat(level_ids, 0).reshape({1, -1}).expand_as(objectness);
  const auto top_n_idx = torch::cat(top_n, 1);
  const auto batch_idx = torch::arange(num_images, torch::TensorOptions().dtype(torch::kInt64).device(device))
                             .unsqueeze(1);
  using torch::indexing::TensorIndex;
  const auto selected_scores = torch::sigmoid(objectness.index({batch_idx, top_n_idx}));
  const auto selected_levels = levels.index({batch_idx, top_n_idx});
  const auto selected_boxes = proposals.index({batch_idx, top_n_idx});

  const std::int64_t post_nms_top_n = training ? m_config.post_nms_top_n_train : m_config.post_nms_top_n_test;
  std::vector<torch::Tensor> final_boxes, final_scores;
  for (std::int64_t i = 0; i < num_images; ++i) {
    auto boxes = clip_boxes_to_image(selected_boxes[i], image_sizes[i].first, image_sizes[i].second);
    auto scores = selected_scores[i];
    auto lvl = selected_levels[i];
    auto keep = remove_small_boxes(boxes, m_config.min_size);
    boxes = boxes.index({keep}), scores = scores.index({keep}), lvl = lvl.index({keep});
    keep = torch::where(scores >= m_config.score_thresh)[0];
    boxes = boxes.index({keep}), scores = scores.index({keep}), lvl = lvl.index({keep});
    keep = batched_nms(boxes, scores, lvl, m_config.nms_thresh);
    keep = keep.slice(0, 0, post_nms_top_n);
    final_boxes.push_back(boxes.index({keep}));
    final_scores.push_back(scores.index({keep}));
  }
  return {final_boxes, final_scores};
}

std::pair<std::vector<torch::Tensor>, std::vector<torch::Tensor>> RegionProposalNetworkImpl::assign_targets_to_anchors(
    const std::vector<torch::Tensor>& anchors, const std::vector<Target>& targets) const {
  std::vector<torch::Tensor> labels, matched_gt_boxes;
  for (std::size_t i = 0; i < anchors.size(); ++i) {
    const auto& anchors_per_image = anchors[i];
    const auto& gt_boxes = targets[i].boxes;
    if (gt_boxes.numel() == 0) {
      // No ground truth: every anchor is background.
      matched_gt_boxes.push_back(torch::zeros_like(anchors_per_image));
      labels.push_back(torch::zeros({anchors_per_image.size(0)}, anchors_per_image.options()));
      continue;
    }
    const auto matched_idxs = m_matcher(box_iou(gt_boxes, anchors_per_image));
    matched_gt_boxes.push_back(gt_boxes.index({matched_idxs.clamp_min(0)}));
    auto label = (matched_idxs >= 0).to(anchors_per_image.scalar_type());
    label.masked_fill_(matched_idxs == Matcher::below_low, 0.0);
    label.masked_fill_(matched_idxs == Matcher::between, -1.0);
    labels.push_back(label);
  }
  return {labels, matched_gt_boxes};
}

LossDict RegionProposalNetworkImpl::compute_loss(const torch::Tensor& objectness, const torch::Tensor& deltas,
                                                 const std::vector<torch::Tensor>& labels,
                                                 const std::vector<torch::Tensor>& regression_targets) const {
  auto [positive, negative] = m_sampler(labels);
  const auto sampled_pos = torch::where(torch::cat(positive, 0))[0];
  const auto sampled_neg = torch::where(torch::cat(negative, 0))[0];
  const auto sampled = torch::cat({sampled_pos, sampled_neg}, 0);
  const auto all_labels = torch::cat(labels, 0);
  const auto all_targets = torch::cat(regression_targets, 0);
  const double count = static_cast<double>(std::max<std::int64_t>(sampled.numel(), 1));
  LossDict losses;
  losses["loss_rpn_box_reg"] =
      F::smooth_l1_loss(deltas.index({sampled_pos}), all_targets.index({sampled_pos}),
                        F::SmoothL1LossFuncOptions().reduction(torch::kSum).beta(1.0 / 9.0)) /
      count;
  losses["loss_objectness"] = F::binary_cross_entropy_with_logits(objectness.flatten().index({sampled}),
                                                                  all_labels.index({sampled}));
  return losses;
}

}  // namespace counterscope::modeling
