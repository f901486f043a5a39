#pragma once
// Which images the browser lists: those holding a category and/or an annotation of a frequency group.

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include <QMetaType>

#include "core/data/lvis/dataset.h"
#include "ui/image_error_index.h"

namespace counterscope::ui {

/// Order of the listed images: file order, most errors first, or worst error first (needs errors).
enum class ImageSort { file, errorCount, worstError };

struct ImageFilter {
  /// Keep images with at least one annotation of this category (index into Dataset::categories).
  std::optional<std::size_t> categoryIndex;
  /// Keep images with at least one annotation whose category is in this frequency group.
  std::optional<data::Frequency> frequency;

  /// Keep images with at least one error of this type (evaluation::ErrorType) under `errors`.
  std::optional<evaluation::ErrorType> errorType;
  ImageSort sort = ImageSort::file;
  /// The errors of the model the browser follows; without it the error filter and sorts are ignored.
  std::shared_ptr<const ImageErrorIndex> errors;

  bool isEmpty() const { return !categoryIndex && !frequency && !errorType && sort == ImageSort::file; }
  bool operator==(const ImageFilter& other) const {
    return categoryIndex == other.categoryIndex && frequency == other.frequency && errorType == other.errorType &&
           sort == other.sort && errors == other.errors;
  }
  bool operator!=(const ImageFilter& other) const { return !(*this == other); }
};

/// Indexes into dataset.images that pass `filter`, in file order or the filter's sort (ties in file order).
/// Every condition that is set must hold.
std::vector<std::uint32_t> filterImages(const data::Dataset& dataset, const ImageFilter& filter);

/// True when the image at `imageIndex` has an annotation of a category in `frequency`.
bool imageHasFrequency(const data::Dataset& dataset, std::size_t imageIndex, data::Frequency frequency);

}  // namespace counterscope::ui

Q_DECLARE_METATYPE(counterscope::ui::ImageFilter)
