#pragma once
// Explainers answer "had this instance been a <target>, what would the image look like?" for one image and
// one instance. All kinds share everything but how M is found:
//   GeneratorExplainer  - one forward pass of a trained counterfactual generator (fast; needs cf-train);
//   OptimizingExplainer - Adam on M itself for this image (no training, any model; the speed baseline);
//   RefiningExplainer   - the generator's M as the optimiser's starting point: the generator's one-shot guess
//                         (amortised over the training set) refined for this image until the target is attained;
//   TwinExplainer       - no search at all: M is the synthetic world's ground-truth difference (twin - X). It
//                         is the reference, not a tool: its attainment is what a perfectly semantic map reaches
//                         on this detector, the ceiling the others are read against.
// explain() validates the request, makes M, forms X~ = clamp(X + M, 0, 1) (an image must stay an image; M is
// then reported as X~ - X), runs the frozen detector on X and X~, and computes the measures.

#include <memory>
#include <optional>
#include <string>

#include <torch/torch.h>

#include "core/counterfactual/counterfactual_generator.h"
#include "core/counterfactual/counterfactual_options.h"
#include "core/counterfactual/explanation.h"
#include "core/counterfactual/target_code_map.h"
#include "core/modeling/mask_rcnn.h"
#include "core/util/progress.h"

namespace counterscope::counterfactual {

class Explainer {
 public:
  /// Freezes `model` (eval mode, no parameter gradients).
  explicit Explainer(modeling::MaskRcnn model);
  virtual ~Explainer() = default;

  /// Throws InputError for an empty or non-RGB image, an instance index out of range, a target label out of
  /// range or equal to the instance's current label.
  Explanation explain(const ExplainRequest& request, const JobContext& context = {});

  virtual std::string method() const = 0;
  modeling::MaskRcnn model() const { return m_model; }

 protected:
  struct MapResult {
    torch::Tensor map;       ///< [3, H, W] RGB [0, 1] units
    std::int64_t steps = 0;  ///< optimiser steps (0 for a generator)
    /// The detector's backbone on X, when making the map computed it anyway (the generator's encoder).
    std::optional<modeling::BackboneOutput> image_features;
  };
  /// `image` [3, H, W] on the model's device; `original` / `target` the instance labels before and after the
  /// swap; `request.instance` the index of the swapped instance.
  virtual MapResult make_map(const ExplainRequest& request, const torch::Tensor& image, const InstanceSet& original,
                             const InstanceSet& target, const JobContext& context) = 0;

  modeling::MaskRcnn m_model;
  torch::Device m_device;
};

class GeneratorExplainer : public Explainer {
 public:
  /// The generator must have been built (or loaded) for `model` (load_generator checks the file's metadata).
  GeneratorExplainer(modeling::MaskRcnn model, CounterfactualGenerator generator);
  std::string method() const override { return "generator"; }
  /// The generator this explainer runs (shared, not copied: a refining explainer can start from it).
  CounterfactualGenerator generator() const { return m_generator; }

 protected:
  MapResult make_map(const ExplainRequest& request, const torch::Tensor& image, const InstanceSet& original,
                     const InstanceSet& target, const JobContext& context) override;

 private:
  CounterfactualGenerator m_generator;
};

class RefiningExplainer : public GeneratorExplainer {
 public:
  /// `options` drive the refinement (steps at most, learning rate, losses); with stop_when_attained a
  /// generator map that already attains the target is returned as is (0 steps).
  RefiningExplainer(modeling::MaskRcnn model, CounterfactualGenerator generator, OptimizerExplainerOptions options);
  std::string method() const override { return "generator+optimize"; }

 protected:
  MapResult make_map(const ExplainRequest& request, const torch::Tensor& image, const InstanceSet& original,
                     const InstanceSet& target, const JobContext& context) override;

 private:
  OptimizerExplainerOptions m_options;
};

class OptimizingExplainer : public Explainer {
 public:
  OptimizingExplainer(modeling::MaskRcnn model, OptimizerExplainerOptions options);
  std::string method() const override { return "optimize"; }

 protected:
  MapResult make_map(const ExplainRequest& request, const torch::Tensor& image, const InstanceSet& original,
                     const InstanceSet& target, const JobContext& context) override;

 private:
  OptimizerExplainerOptions m_options;
};

class TwinExplainer : public Explainer {
 public:
  explicit TwinExplainer(modeling::MaskRcnn model) : Explainer(std::move(model)) {}
  std::string method() const override { return "twin"; }

 protected:
  /// Throws InputError when the request carries no ground-truth difference.
  MapResult make_map(const ExplainRequest& request, const torch::Tensor& image, const InstanceSet& original,
                     const InstanceSet& target, const JobContext& context) override;
};

/// The request's instances as tensors on `device`; with `swap`, the asked instance carries the target label
/// and `current_labels` holds what the image shows (the generator's change mark).
InstanceSet instance_set(const ExplainRequest& request, bool swap, const torch::Device& device = torch::kCPU);

/// Conversions shared by the explainers and tests: RGB CV_8UC3 -> float [3, H, W] in [0, 1] and back
/// ([3, H, W] float -> CV_32FC3).
torch::Tensor image_to_tensor(const cv::Mat& rgb, const torch::Device& device = torch::kCPU);
cv::Mat tensor_to_mat(const torch::Tensor& chw);

}  // namespace counterscope::counterfactual
