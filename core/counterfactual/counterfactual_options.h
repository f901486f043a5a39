#pragma once
// Typed configuration of the counterfactual-map generator, its discriminator, the training objective and the
// generator-free explainer, parsed once from JSON ("counterfactual" section of a config or a file of its own).
// Defaults are LEAR's weights (cls 1, L1 10, L2 (RMS) 10, adversarial 10, cycle 1, discriminator 5, TV 5e-6).

#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace counterscope::counterfactual {

/// Which loss of the frozen Mask R-CNN pulls X~ towards the target labels (L_bck).
enum class TargetLoss { classification, box, mask };

const char* target_loss_name(TargetLoss loss);  ///< "cls", "box", "mask"
/// Parses "cls" (or "classification"), "box", "mask"; throws InputError naming `source` and `field`.
TargetLoss parse_target_loss(const std::string& name, const std::string& source, const std::string& field);

/// Where an instance's class code is painted into the target code maps.
enum class CodeRegion { box, mask };

struct GeneratorOptions {
  std::int64_t code_dim = 8;         ///< width of the learned class embedding (a one-hot of 1203 classes is too wide)
  std::int64_t decoder_width = 64;   ///< decoder channels at the FPN levels; halved at stride 2, quartered at stride 1
  CodeRegion region = CodeRegion::mask;  ///< "box" or "mask" (an instance without a mask falls back to its box)
  double leaky_slope = 0.2;          ///< negative slope of the decoder's LeakyReLUs
  /// One more code channel, 1 inside the instances whose target label differs from the label they show now.
  /// Without it the generator must infer from the image which instance is to change; with it, it is told.
  /// Off by default (LEAR's conditioning; generator files without the field were built without it).
  bool mark_changes = false;

  static GeneratorOptions from_json(const nlohmann::json& json, const std::string& source);
  nlohmann::json to_json() const;
};

struct DiscriminatorOptions {
  std::int64_t width = 32;   ///< channels of the first 4x4 stride-2 convolution, doubled per layer
  std::int64_t layers = 3;   ///< stride-2 layers before the 1-channel patch output (receptive field grows 2x each)

  static DiscriminatorOptions from_json(const nlohmann::json& json, const std::string& source);
  nlohmann::json to_json() const;
};

/// The weights of L = l_adv*L_adv(G) + l_disc*L_adv(D) + l_cyc*L_cyc + l_bck*L_bck + l1*|M|_1 + l2*|M|_2 + tv*TV(X~)
/// (+ l_out*|M outside the changed instances|_1).
struct LossWeights {
  double target = 1.0;            ///< L_bck: the frozen detector's loss on X~ for the target labels (LEAR "cls")
  double map_l1 = 10.0;           ///< mean |M|
  double map_l2 = 10.0;           ///< root mean square of M
  double adversarial = 10.0;      ///< least-squares GAN loss of the generator
  double cycle = 1.0;             ///< mean |X~ + G(T(X~, t_original)) - X|
  double discriminator = 5.0;     ///< least-squares GAN loss of the discriminator
  double total_variation = 5e-6;  ///< anisotropic TV of X~ summed over pixels (per image)
  /// Mean |M| outside the changed instances' boxes enlarged 2x (the region of the locality measure); 0 in
  /// LEAR. It asks for local maps where the plain L1 only asks for small ones. In training and in the
  /// optimiser (there: outside the explained instance's enlarged box).
  double map_outside = 0.0;

  static LossWeights from_json(const nlohmann::json& json, const std::string& source);
  nlohmann::json to_json() const;
};

/// Generator training (cf-train).
struct TrainingOptions {
  GeneratorOptions generator;
  DiscriminatorOptions discriminator;
  LossWeights weights;
  TargetLoss target_loss = TargetLoss::classification;
  double generator_lr = 2e-4;       ///< Adam learning rate of the generator
  double discriminator_lr = 2e-4;   ///< Adam learning rate of the discriminator
  double beta1 = 0.5;               ///< Adam beta1 (GAN practice)
  double beta2 = 0.999;             ///< Adam beta2
  std::int64_t batch_size = 2;      ///< images per iteration
  bool horizontal_flip = true;      ///< flip training images at random
  std::uint64_t seed = 0;           ///< seeds batches, the instance to swap and its target label
  /// Which instances of a training image get a new label: 0 = exactly one (LEAR); s in (0, 1] = each one
  /// independently with probability s, at least one. Swapping more instances per image gives the target
  /// loss more swapped RoIs per iteration (with mark_changes the generator is still told which).
  double swap_share = 0.0;
  std::int64_t checkpoint_period = 200;  ///< iterations between checkpoints
  std::int64_t log_period = 10;     ///< iterations averaged per metrics.jsonl line

  static TrainingOptions from_json(const nlohmann::json& json, const std::string& source);
  nlohmann::json to_json() const;
};

/// The generator-free explainer: Adam on M for one image.
struct OptimizerExplainerOptions {
  std::int64_t max_steps = 100;      ///< gradient steps at most
  double learning_rate = 0.01;       ///< Adam learning rate on M (RGB [0,1] units)
  bool stop_when_attained = true;    ///< stop at the first step where the target is the instance's top class
  TargetLoss target_loss = TargetLoss::classification;
  LossWeights weights;               ///< only target, map_l1, map_l2, total_variation and map_outside are used

  static OptimizerExplainerOptions from_json(const nlohmann::json& json, const std::string& source);
  nlohmann::json to_json() const;
};

}  // namespace counterscope::counterfactual
