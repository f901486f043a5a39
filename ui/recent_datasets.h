#pragma once
// The recently opened datasets (annotation file + image root), newest first, kept in QSettings.

#include <QList>

#include "ui/dataset_source.h"

namespace counterscope::ui {

class RecentDatasets {
 public:
  static constexpr int maximumCount = 8;

  /// Reads the list from the application's QSettings.
  static QList<DatasetSource> load();
  /// Puts `source` first (removing an older entry for it) and saves.
  static void remember(const DatasetSource& source);
  static void clear();
};

}  // namespace counterscope::ui
