#include "ui/image_filter.h"

#include <algorithm>
#include <numeric>

namespace counterscope::ui {

bool imageHasFrequency(const data::Dataset& dataset, std::size_t imageIndex, data::Frequency frequency) {
  for (const std::uint32_t annotationIndex : dataset.annotations_of_image(imageIndex)) {
    const auto category = dataset.category_index(dataset.annotations[annotationIndex].category_id);
    if (category && dataset.categories[*category].frequency == frequency) return true;
  }
  return false;
}

std::vector<std::uint32_t> filterImages(const data::Dataset& dataset, const ImageFilter& filter) {
  std::vector<std::uint32_t> candidates;
  if (filter.categoryIndex) {
    if (*filter.categoryIndex >= dataset.categories.size()) return {};
    candidates = dataset.images_of_category(*filter.categoryIndex);  // sorted, i.e. in file order
  } else {
    candidates.resize(dataset.images.size());
    std::iota(candidates.begin(), candidates.end(), 0u);
  }
  std::vector<std::uint32_t> kept;
  kept.reserve(candidates.size());
  for (const std::uint32_t imageIndex : candidates) {
    if (filter.frequency && !imageHasFrequency(dataset, imageIndex, *filter.frequency)) continue;
    if (filter.errorType && filter.errors) {
      const ImageErrors* errors = filter.errors->of(imageIndex);
      if (errors == nullptr || errors->count[static_cast<std::size_t>(*filter.errorType)] == 0) continue;
    }
    kept.push_back(imageIndex);
  }
  if (filter.errors && filter.sort != ImageSort::file) {
    const ImageErrorIndex& errors = *filter.errors;
    auto key = [&](std::uint32_t imageIndex) {
      const ImageErrors* e = errors.of(imageIndex);
      if (e == nullptr) return 0.0;
      // Sorting by a type's count when filtering by it shows the images richest in that error first.
      if (filter.sort == ImageSort::errorCount)
        return static_cast<double>(filter.errorType ? e->count[static_cast<std::size_t>(*filter.errorType)] : e->total);
      return e->worst;
    };
    std::stable_sort(kept.begin(), kept.end(), [&](std::uint32_t a, std::uint32_t b) { return key(a) > key(b); });
  }
  return kept;
}

}  // namespace counterscope::ui
