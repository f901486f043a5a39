#pragma once
// The dataset's figures (core's DatasetStats, computed in the loading thread) as status-bar text.

#include <QString>

#include "core/data/lvis/dataset_stats.h"

namespace counterscope::ui {

/// "LVIS v1", "LVIS v0.5", "COCO".
QString formatName(data::DatasetFormat format);
/// One line: "LVIS v0.5 · 100 images · 977 annotations · 1,230 categories (r 454 · c 461 · f 315)".
QString statsSummary(const data::DatasetStats& stats);

}  // namespace counterscope::ui
