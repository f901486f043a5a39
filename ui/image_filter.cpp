#include "ui/image_filter.h"

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
  if (!filter.frequency) return candidates;
  std::vector<std::uint32_t> kept;
  kept.reserve(candidates.size());
  for (const std::uint32_t imageIndex : candidates) {
    if (imageHasFrequency(dataset, imageIndex, *filter.frequency)) kept.push_back(imageIndex);
  }
  return kept;
}

}  // namespace counterscope::ui
