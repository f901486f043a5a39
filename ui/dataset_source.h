#pragma once
// Where a dataset comes from: its annotation file and the root its images resolve against.

#include <QMetaType>
#include <QString>

namespace counterscope::ui {

struct DatasetSource {
  QString annotationPath;  ///< LVIS v1 / v0.5 or COCO instances JSON
  QString imageRoot;       ///< folder that image paths resolve against (see core/data/lvis/image_paths.h)

  bool operator==(const DatasetSource& other) const {
    return annotationPath == other.annotationPath && imageRoot == other.imageRoot;
  }
};

}  // namespace counterscope::ui

Q_DECLARE_METATYPE(counterscope::ui::DatasetSource)
