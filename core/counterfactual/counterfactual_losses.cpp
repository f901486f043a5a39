#include "core/counterfactual/counterfactual_losses.h"

#include "core/util/error.h"

namespace counterscope::counterfactual {
namespace {

torch::Tensor mean_over(const std::vector<torch::Tensor>& values) {
  TORCH_CHECK(!values.empty(), "counterfactual loss of an empty batch");
  return torch::stack(values).mean();
}

}  // namespace

torch::Tensor map_l1_loss(const std::vector<torch::Tensor>& maps) {
  std::vector<torch::Tensor> terms;
  for (const auto& map : maps) terms.push_back(map.abs().mean());
  return mean_over(terms);
}

torch::Tensor map_l2_loss(const std::vector<torch::Tensor>& maps) {
  std::vector<torch::Tensor> terms;
  for (const auto& map : maps) terms.push_back(torch::sqrt(map.pow(2).mean() + 1e-12));
  return mean_over(terms);
}

torch::Tensor map_outside_loss(const std::vector<torch::Tensor>& maps, const std::vector<torch::Tensor>& inside) {
  TORCH_CHECK(maps.size() == inside.size(), "outside loss: ", maps.size(), " maps but ", inside.size(), " regions");
  std::vector<torch::Tensor> terms;
  for (std::size_t i = 0; i < maps.size(); ++i) terms.push_back((maps[i].abs() * (1.0 - inside[i])).mean());
  return mean_over(terms);
}

torch::Tensor enlarged_box_region(const torch::Tensor& boxes, const torch::Tensor& selected, modeling::ImageSize size,
                                  double factor) {
  const auto options = torch::TensorOptions().device(boxes.device()).dtype(torch::kFloat);
  torch::Tensor region = torch::zeros({size.first, size.second}, options);
  const auto picked = boxes.to(torch::kFloat).index({selected.to(boxes.device(), torch::kBool)});
  if (picked.size(0) == 0) return region;
  const auto cx = (picked.select(1, 0) + picked.select(1, 2)) / 2, cy = (picked.select(1, 1) + picked.select(1, 3)) / 2;
  const auto half_w = (picked.select(1, 2) - picked.select(1, 0)) * (factor / 2);
  const auto half_h = (picked.select(1, 3) - picked.select(1, 1)) * (factor / 2);
  const auto xs = torch::arange(size.second, options).add(0.5).unsqueeze(0);  // pixel centres
  const auto ys = torch::arange(size.first, options).add(0.5).unsqueeze(0);
  const auto in_x = (xs >= (cx - half_w).unsqueeze(1)).logical_and(xs <= (cx + half_w).unsqueeze(1));  // [G, W]
  const auto in_y = (ys >= (cy - half_h).unsqueeze(1)).logical_and(ys <= (cy + half_h).unsqueeze(1));  // [G, H]
  return in_y.unsqueeze(2).logical_and(in_x.unsqueeze(1)).any(0).to(torch::kFloat);
}

torch::Tensor cycle_loss(const std::vector<torch::Tensor>& reconstructed, const std::vector<torch::Tensor>& originals) {
  TORCH_CHECK(reconstructed.size() == originals.size(), "cycle loss: ", reconstructed.size(), " vs ",
              originals.size(), " images");
  std::vector<torch::Tensor> terms;
  for (std::size_t i = 0; i < originals.size(); ++i) terms.push_back((reconstructed[i] - originals[i]).abs().mean());
  return mean_over(terms);
}

torch::Tensor total_variation_loss(const std::vector<torch::Tensor>& images) {
  std::vector<torch::Tensor> terms;
  for (const auto& image : images) {
    const auto dx = image.slice(-1, 1) - image.slice(-1, 0, -1);
    const auto dy = image.slice(-2, 1) - image.slice(-2, 0, -1);
    terms.push_back(dx.abs().sum() + dy.abs().sum());
  }
  return mean_over(terms);
}

torch::Tensor lsgan_generator_loss(const torch::Tensor& fake_scores) { return (fake_scores - 1.0).pow(2).mean(); }

torch::Tensor lsgan_discriminator_loss(const torch::Tensor& real_scores, const torch::Tensor& fake_scores) {
  return 0.5 * ((real_scores - 1.0).pow(2).mean() + fake_scores.pow(2).mean());
}

TargetLossResult target_loss(modeling::MaskRcnnImpl& model, const std::vector<torch::Tensor>& images,
                             const std::vector<modeling::Target>& targets, TargetLoss kind) {
  TORCH_CHECK(images.size() == targets.size(), "target loss: ", images.size(), " images but ", targets.size(),
              " targets");
  const bool with_masks = kind == TargetLoss::mask;
  std::vector<modeling::Target> resized = targets;
  for (auto& target : resized) {
    if (!with_masks) target.masks = torch::Tensor();
    else if (!target.masks.defined())
      throw InputError("counterfactual target loss", "masks", "", "the mask loss needs instance masks");
  }
  // The same path as MaskRcnn::losses_on_rois (transform, backbone, heads on the given boxes), kept open here
  // so that one pass yields both the loss and the RoIs' class probabilities (target attainment).
  const modeling::ImageList batch = model.transform().forward(images, &resized, false);
  const auto features = model.backbone()->forward(batch.tensors);
  std::vector<torch::Tensor> boxes;
  for (const auto& target : resized) boxes.push_back(target.boxes.to(torch::kFloat));
  const auto predictions = model.roi_heads()->predict_on_rois(features, boxes, batch.image_sizes, with_masks);
  const auto losses = model.roi_heads()->losses_on_rois(predictions, resized);
  const char* key = kind == TargetLoss::classification ? "loss_classifier"
                    : kind == TargetLoss::box          ? "loss_box_reg"
                                                       : "loss_mask";
  const auto it = losses.find(key);
  TORCH_CHECK(it != losses.end(), "the detector's RoI losses lack ", key);
  return {it->second, predictions.class_probabilities.detach()};
}

}  // namespace counterscope::counterfactual
