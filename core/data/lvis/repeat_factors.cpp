#include "core/data/lvis/repeat_factors.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "core/util/error.h"

namespace counterscope::data {
namespace {

void check_threshold(double threshold) {
  if (!(threshold > 0 && threshold <= 1)) {
    throw InputError("repeat factor sampling", "threshold", std::to_string(threshold), "must be in (0, 1]");
  }
}

// A uniform double in [0, 1) from the top 53 bits.
double uniform01(std::mt19937_64& generator) { return static_cast<double>(generator() >> 11) * 0x1.0p-53; }

}  // namespace

double repeat_factor_threshold_for(std::size_t image_count, double min_images) {
  if (!(min_images > 0) || !std::isfinite(min_images))
    throw InputError("repeat factor sampling", "min_images", std::to_string(min_images), "must be a positive count");
  if (image_count == 0)
    throw InputError("repeat factor sampling", "images", "0", "a dataset without images has no category frequencies");
  return std::min(1.0, min_images / static_cast<double>(image_count));
}

std::vector<double> category_repeat_factors(const Dataset& dataset, double threshold) {
  check_threshold(threshold);
  if (!dataset.has_indexes()) throw Error("category_repeat_factors: build_indexes() has not been called");
  std::vector<double> factors(dataset.categories.size(), 1.0);
  if (dataset.images.empty()) return factors;
  const double image_count = static_cast<double>(dataset.images.size());
  for (std::size_t c = 0; c < dataset.categories.size(); ++c) {
    const std::size_t images_with = dataset.images_of_category(c).size();
    if (images_with == 0) continue;
    const double fraction = static_cast<double>(images_with) / image_count;
    factors[c] = std::max(1.0, std::sqrt(threshold / fraction));
  }
  return factors;
}

std::vector<double> image_repeat_factors(const Dataset& dataset, double threshold) {
  const std::vector<double> category_factors = category_repeat_factors(dataset, threshold);
  std::vector<double> factors(dataset.images.size(), 1.0);
  for (std::size_t i = 0; i < dataset.images.size(); ++i) {
    for (std::uint32_t a : dataset.annotations_of_image(i)) {
      const std::size_t c = *dataset.category_index(dataset.annotations[a].category_id);
      factors[i] = std::max(factors[i], category_factors[c]);
    }
  }
  return factors;
}

std::vector<std::uint32_t> repeat_factor_epoch(const std::vector<double>& image_factors, std::uint64_t seed,
                                               bool shuffle) {
  std::mt19937_64 generator(seed);
  std::vector<std::uint32_t> epoch;
  double expected = 0;
  for (double factor : image_factors) expected += factor;
  epoch.reserve(static_cast<std::size_t>(expected) + 1);
  for (std::size_t i = 0; i < image_factors.size(); ++i) {
    const double factor = image_factors[i];
    if (!(factor >= 0) || !std::isfinite(factor)) {
      throw InputError("repeat factor sampling", "image_factors[" + std::to_string(i) + "]", std::to_string(factor),
                       "must be a finite non-negative number");
    }
    const double whole = std::floor(factor);
    const std::size_t copies = static_cast<std::size_t>(whole) + (uniform01(generator) < factor - whole ? 1 : 0);
    epoch.insert(epoch.end(), copies, static_cast<std::uint32_t>(i));
  }
  if (shuffle) {
    // Fisher-Yates with the same generator (std::shuffle's draws differ between standard libraries).
    for (std::size_t i = epoch.size(); i > 1; --i) {
      const std::size_t j = static_cast<std::size_t>(generator() % i);
      std::swap(epoch[i - 1], epoch[j]);
    }
  }
  return epoch;
}

}  // namespace counterscope::data
