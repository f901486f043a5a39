#pragma once
// The colours of the ground-truth overlay: one stable colour per category (masks, boxes) and one per
// LVIS frequency group (the r/c/f badge of labels), chosen to stay apart on photos and on each other.

#include <cstdint>

#include <QColor>

#include "core/data/lvis/dataset.h"

namespace counterscope::ui {

/// A stable, saturated colour for a category id (the same id always gets the same colour).
QColor categoryColor(std::int64_t categoryId);
/// Badge colour of a frequency group: rare red, common amber, frequent green, unknown grey.
QColor frequencyColor(data::Frequency frequency);

}  // namespace counterscope::ui
