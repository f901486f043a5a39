#pragma once
// How one attempt makes a candidate image for a category in need. The two methods of the report
// (counterfactual label swap, image transformations) implement it; the augmentation job owns the rest
// (plan, seeds, journal, output), so both methods make exactly the same number of images.

#include <cstdint>
#include <optional>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "core/augmentation/new_image.h"
#include "core/util/progress.h"

namespace counterscope::augmentation {

class CandidateMaker {
 public:
  virtual ~CandidateMaker() = default;
  /// "counterfactual" or "transforms"; also the prefix of the new images' file names.
  virtual std::string method() const = 0;
  /// Empty when attempts for `category_id` can succeed; otherwise why no attempt can (no source instance).
  virtual std::string unreachable_reason(std::int64_t category_id) const = 0;
  /// One attempt, all randomness drawn from `rng`. nullopt when the attempt failed (target not attained, the
  /// instance moved out of the frame) and another attempt may succeed.
  virtual std::optional<NewImage> make(std::int64_t category_id, std::mt19937_64& rng, const JobContext& context) = 0;
  /// The settings that decide the images (a resumed run must use the same).
  virtual nlohmann::json settings() const = 0;
};

}  // namespace counterscope::augmentation
