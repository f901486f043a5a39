#pragma once
// The image-transformation baseline as a CandidateMaker: a random training image that contains the category
// in need, 1-2 random operations of image_transforms.h at the given strength; masks move with geometric
// operations and boxes/areas are recomputed from them. An instance pushed entirely out of the frame is
// dropped; an attempt that loses every instance of the category in need fails.

#include <string>

#include "core/augmentation/candidate_maker.h"
#include "core/data/lvis/dataset.h"

namespace counterscope::augmentation {

struct TransformCandidateOptions {
  /// Magnitude of every operation, in [0, 1].
  double strength = 0.5;
};

class TransformCandidates : public CandidateMaker {
 public:
  /// Throws InputError for a strength outside [0, 1].
  TransformCandidates(const data::Dataset& dataset, std::string image_root, TransformCandidateOptions options);

  std::string method() const override { return "transforms"; }
  std::string unreachable_reason(std::int64_t category_id) const override;
  std::optional<NewImage> make(std::int64_t category_id, std::mt19937_64& rng, const JobContext& context) override;
  nlohmann::json settings() const override;

 private:
  const data::Dataset& m_dataset;
  std::string m_image_root;
  TransformCandidateOptions m_options;
};

}  // namespace counterscope::augmentation
