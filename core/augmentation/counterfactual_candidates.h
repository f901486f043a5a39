#pragma once
// The counterfactual method (LVIS-CF) as a CandidateMaker: a random training image with a suitable instance of
// another category, the instance's label swapped to the category in need, X~ from the explainer, kept iff the
// model attains the target with score >= accept_score.
//
// The new annotation keeps the source instance's box and mask, not the mask the model predicts on X~: the
// generator is trained to change the class evidence with a sparse, local map, not the object's extent, and the
// ground-truth outline is more trustworthy than the mask head of the model under study (whose errors the
// augmentation is meant to fix). The other instances keep their labels, boxes and masks.

#include <string>

#include "core/augmentation/candidate_maker.h"
#include "core/augmentation/source_images.h"
#include "core/counterfactual/explainer.h"
#include "core/data/category_labels.h"
#include "core/data/lvis/dataset.h"

namespace counterscope::augmentation {

struct CounterfactualCandidateOptions {
  /// Keep X~ only when the model's target score on it is at least this.
  double accept_score = 0.5;
  /// Keep X~ only when the model's top class for the instance is the target (tests switch it off to use an
  /// untrained model).
  bool require_attained = true;
  /// Smallest area (pixels) of a source instance.
  double min_area = 32.0;
};

class CounterfactualCandidates : public CandidateMaker {
 public:
  /// `explainer` (a GeneratorExplainer in the CLI) must outlive this object and be built for `dataset`'s classes.
  CounterfactualCandidates(const data::Dataset& dataset, std::string image_root, counterfactual::Explainer& explainer,
                           CounterfactualCandidateOptions options);

  std::string method() const override { return "counterfactual"; }
  std::string unreachable_reason(std::int64_t category_id) const override;
  std::optional<NewImage> make(std::int64_t category_id, std::mt19937_64& rng, const JobContext& context) override;
  nlohmann::json settings() const override;

 private:
  /// A random (image entry, annotation) of m_sources whose category is not `category_id`; nullopt when none.
  std::optional<std::pair<std::size_t, std::uint32_t>> draw_source(std::int64_t category_id, std::mt19937_64& rng) const;

  const data::Dataset& m_dataset;
  data::CategoryLabels m_labels;
  std::string m_image_root;
  counterfactual::Explainer& m_explainer;
  CounterfactualCandidateOptions m_options;
  SuitableInstances m_sources;
};

}  // namespace counterscope::augmentation
