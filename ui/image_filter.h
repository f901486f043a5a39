#pragma once
// Which images the browser lists: those holding a category and/or an annotation of a frequency group.

#include <cstdint>
#include <optional>
#include <vector>

#include <QMetaType>

#include "core/data/lvis/dataset.h"

namespace counterscope::ui {

struct ImageFilter {
  /// Keep images with at least one annotation of this category (index into Dataset::categories).
  std::optional<std::size_t> categoryIndex;
  /// Keep images with at least one annotation whose category is in this frequency group.
  std::optional<data::Frequency> frequency;

  bool isEmpty() const { return !categoryIndex && !frequency; }
  bool operator==(const ImageFilter& other) const {
    return categoryIndex == other.categoryIndex && frequency == other.frequency;
  }
  bool operator!=(const ImageFilter& other) const { return !(*this == other); }
};

/// Indexes into dataset.images that pass `filter`, in file order. Both conditions must hold when both are set.
std::vector<std::uint32_t> filterImages(const data::Dataset& dataset, const ImageFilter& filter);

/// True when the image at `imageIndex` has an annotation of a category in `frequency`.
bool imageHasFrequency(const data::Dataset& dataset, std::size_t imageIndex, data::Frequency frequency);

}  // namespace counterscope::ui

Q_DECLARE_METATYPE(counterscope::ui::ImageFilter)
