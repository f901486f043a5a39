#include "ui/image_error_index.h"

#include <algorithm>

#include "ui/model_registry.h"

namespace counterscope::ui {

std::optional<evaluation::ErrorType> errorTypeOf(evaluation::DetectionLabel label) {
  using evaluation::DetectionLabel;
  using evaluation::ErrorType;
  switch (label) {
    case DetectionLabel::classification: return ErrorType::classification;
    case DetectionLabel::localisation: return ErrorType::localisation;
    case DetectionLabel::both: return ErrorType::both;
    case DetectionLabel::duplicate: return ErrorType::duplicate;
    case DetectionLabel::background: return ErrorType::background;
    case DetectionLabel::true_positive:
    case DetectionLabel::ignored: break;
  }
  return std::nullopt;
}

ImageErrorIndex buildImageErrorIndex(const data::Dataset& dataset, const ModelEvaluation& evaluation) {
  ImageErrorIndex index;
  index.images.resize(dataset.images.size());
  const evaluation::ErrorAnalysis& errors = evaluation.errors();
  for (const auto& outcome : errors.detections) {
    const auto type = errorTypeOf(outcome.label);
    const auto image = dataset.image_index(outcome.image_id);
    if (!type || !image) continue;
    ImageErrors& entry = index.images[*image];
    ++entry.count[static_cast<std::size_t>(*type)];
    ++entry.total;
    entry.worst = std::max(entry.worst, outcome.score);
  }
  for (const auto& truth : errors.truths) {
    if (truth.label != evaluation::TruthLabel::missed) continue;
    const auto image = dataset.image_index(truth.image_id);
    if (!image) continue;
    ImageErrors& entry = index.images[*image];
    ++entry.count[static_cast<std::size_t>(evaluation::ErrorType::missed)];
    ++entry.total;
    entry.worst = std::max(entry.worst, 1.0);
  }
  return index;
}

}  // namespace counterscope::ui
