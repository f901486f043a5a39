#pragma once
// The terms of the counterfactual objective, each a scalar tensor (means over the images of a batch):
//   L = l_adv*L_adv(G) + l_disc*L_adv(D) + l_cyc*L_cyc + l_bck*L_bck + l1*mean|M| + l2*rms(M) + tv*TV(X~)
//       (+ l_out*mean|M outside the changed instances|).
// Images and maps are lists because images of a batch keep their own sizes.

#include <vector>

#include <torch/torch.h>

#include "core/counterfactual/counterfactual_options.h"
#include "core/modeling/detection_types.h"
#include "core/modeling/mask_rcnn.h"

namespace counterscope::counterfactual {

/// Mean |M| over all pixels and channels of each map, averaged over the maps.
torch::Tensor map_l1_loss(const std::vector<torch::Tensor>& maps);
/// Root mean square of each map (LEAR's "L2"), averaged over the maps. A tiny epsilon keeps the gradient
/// finite at M = 0.
torch::Tensor map_l2_loss(const std::vector<torch::Tensor>& maps);
/// Mean over all pixels and channels of |M| where `inside` ([H, W], 1 = the changed instances' region) is 0,
/// averaged over the maps.
torch::Tensor map_outside_loss(const std::vector<torch::Tensor>& maps, const std::vector<torch::Tensor>& inside);
/// [H, W] float of `size`: 1 where a pixel's centre lies in the box of an instance with `selected` set,
/// enlarged `factor` times about its centre (as map_locality counts pixels), else 0.
torch::Tensor enlarged_box_region(const torch::Tensor& boxes, const torch::Tensor& selected, modeling::ImageSize size,
                                  double factor = 2.0);
/// Mean |X' - X| with X' = X~ + G(T(X~, t_original)), averaged over the images.
torch::Tensor cycle_loss(const std::vector<torch::Tensor>& reconstructed, const std::vector<torch::Tensor>& originals);
/// Anisotropic total variation of each [3, H, W] image, summed over pixels (sum |dx| + sum |dy|), averaged
/// over the images (the summed form is what LEAR's 5e-6 weight is scaled for).
torch::Tensor total_variation_loss(const std::vector<torch::Tensor>& images);
/// Least-squares GAN, generator side: mean (D(X~) - 1)^2.
torch::Tensor lsgan_generator_loss(const torch::Tensor& fake_scores);
/// Least-squares GAN, discriminator side: (mean (D(X) - 1)^2 + mean D(X~)^2) / 2.
torch::Tensor lsgan_discriminator_loss(const torch::Tensor& real_scores, const torch::Tensor& fake_scores);

/// L_bck and what the detector thinks of each ground-truth RoI.
struct TargetLossResult {
  torch::Tensor loss;           ///< the selected loss (classification, box regression or mask) on the RoIs
  torch::Tensor probabilities;  ///< [K, num_classes] class probabilities of the RoIs (detached), images in order
};

/// The frozen detector's loss on `images` for `targets` (labels = the target labels), computed on the
/// targets' own boxes as RoIs (no proposals, no sampling), differentiable back to the images. The mask loss
/// needs the targets' masks (InputError otherwise).
TargetLossResult target_loss(modeling::MaskRcnnImpl& model, const std::vector<torch::Tensor>& images,
                             const std::vector<modeling::Target>& targets, TargetLoss kind);

}  // namespace counterscope::counterfactual
