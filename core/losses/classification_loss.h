#pragma once
// The RoI classification loss of the box head, pluggable by name (CE, CM, LR, FL, seesaw; mission.md §3).
//
// Convention (torchvision's): the model has `num_classes` classes including background, label 0 is
// background. The box predictor emits logit_count(num_classes) columns whose layout belongs to the loss
// (seesaw appends two objectness logits); probabilities() turns them back into [N, num_classes] class
// probabilities with column 0 = background, which is all inference needs.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include <torch/torch.h>

namespace counterscope::losses {

/// Named tensors that must survive a checkpoint (seesaw's accumulated class counts).
using LossState = std::vector<std::pair<std::string, torch::Tensor>>;

class ClassificationLoss {
 public:
  virtual ~ClassificationLoss() = default;

  /// Registry name, e.g. "ce" or "seesaw".
  virtual std::string name() const = 0;
  /// Logit columns the box predictor must produce for `num_classes` classes (background included).
  virtual std::int64_t logit_count(std::int64_t num_classes) const { return num_classes; }
  /// Mean loss over the RoIs. logits: [N, logit_count], labels: int64 [N] in [0, num_classes), 0 = background.
  /// N may be 0 (returns a zero that keeps the graph connected).
  virtual torch::Tensor forward(const torch::Tensor& logits, const torch::Tensor& labels) = 0;
  /// Class probabilities [N, num_classes], column 0 = background.
  virtual torch::Tensor probabilities(const torch::Tensor& logits) const;

  /// The loss's checkpoint state; the same names in every call (a tensor may be empty before training).
  virtual LossState state() const { return {}; }
  /// Restores what state() returned. Throws InputError on a misshapen entry.
  virtual void load_state(const LossState& state) {}
};

/// Options of every loss in one place, parsed once from the "loss" object of a training config.
struct LossOptions {
  std::string name = "ce";  ///< registry name: ce | cm | lr | fl | seesaw
  /// Training instance count of each class, index = contiguous label (index 0, background, is ignored).
  /// Needed by cm and lr; seesaw accumulates its own counts online.
  std::vector<double> class_instance_counts;

  double cm_max_margin = 0.5;       ///< CM: the largest margin Δ_j = C / N_j^{1/4} is scaled to this
  double cm_scale = 30.0;           ///< CM: logit scale s (cosine classifier)
  std::string lr_weighting = "effective_number";  ///< LR: "inverse_frequency" | "effective_number"
  double lr_beta = 0.999;           ///< LR: β of the effective number (1-β)/(1-β^N)
  double focal_gamma = 2.0;         ///< FL: γ
  double seesaw_p = 0.8;            ///< SS: mitigation exponent p
  double seesaw_q = 2.0;            ///< SS: compensation exponent q
  double seesaw_eps = 1e-2;         ///< SS: eps
  bool seesaw_objectness = true;    ///< SS: two extra objectness logits (mmdetection's formulation)

  static LossOptions from_json(const nlohmann::json& json, const std::string& source = "loss");
};

/// Makes a loss by name. Throws InputError listing the known names on an unknown one.
std::unique_ptr<ClassificationLoss> make_classification_loss(const LossOptions& options);
/// The registered names, sorted.
std::vector<std::string> classification_loss_names();

}  // namespace counterscope::losses
