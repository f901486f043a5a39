#pragma once
// Everything the canvas shows for one image, prepared off the GUI thread: the decoded photo (or why it is
// missing) and the drawables of its ground-truth annotations.

#include <cstdint>
#include <vector>

#include <QImage>
#include <QSize>
#include <QString>

#include "ui/annotation_graphic.h"

namespace counterscope::ui {

struct ImageScene {
  std::size_t imageIndex = 0;
  std::int64_t imageId = 0;
  QString displayName;
  QSize size;           ///< from the annotation file (the canvas uses it even when the photo is missing)
  QImage image;         ///< null when the file could not be found or read
  QString imageError;   ///< why `image` is null
  QString imagePath;    ///< the resolved file, when found
  std::vector<AnnotationGraphic> annotations;
};

/// Resolves and decodes the image at `imageIndex` under `imageRoot` and builds its annotation drawables.
/// Never throws for a missing or unreadable image: the scene carries the reason instead.
ImageScene buildImageScene(const data::Dataset& dataset, std::size_t imageIndex, const QString& imageRoot);

}  // namespace counterscope::ui
