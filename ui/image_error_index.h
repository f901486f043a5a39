#pragma once
// Errors per image of one model's evaluation, for the browser: how many errors of each TIDE type an image
// holds and how bad its worst one is, so that images can be filtered by error type and sorted by error
// count or by worst error.

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/data/lvis/dataset.h"
#include "core/evaluation/error_analysis.h"

namespace counterscope::ui {

struct ModelEvaluation;

struct ImageErrors {
  std::array<std::uint32_t, evaluation::error_type_count> count{};  ///< by evaluation::ErrorType
  std::uint32_t total = 0;
  /// Severity of the worst error: the score of the highest-scoring erroneous detection; a missed ground
  /// truth counts as 1 (no detection found it at all). 0 when the image has no error.
  double worst = 0;
};

/// Per image (indexed like Dataset::images) of one evaluation.
struct ImageErrorIndex {
  std::vector<ImageErrors> images;

  const ImageErrors* of(std::size_t imageIndex) const {
    return imageIndex < images.size() ? &images[imageIndex] : nullptr;
  }
};

/// Counts the errors of `evaluation` (its mask analysis when it has masks) per image of `dataset`.
ImageErrorIndex buildImageErrorIndex(const data::Dataset& dataset, const ModelEvaluation& evaluation);

/// The error type a detection outcome counts as, or none for true positives and ignored detections.
std::optional<evaluation::ErrorType> errorTypeOf(evaluation::DetectionLabel label);

}  // namespace counterscope::ui
