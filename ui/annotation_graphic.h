#pragma once
// One ground-truth annotation turned into plain drawable data (built off the GUI thread): its mask as a
// tinted image cropped to the mask's extent, its box, label and colours.

#include <cstdint>

#include <QColor>
#include <QImage>
#include <QPoint>
#include <QRectF>
#include <QString>

#include "core/data/lvis/dataset.h"

namespace counterscope::ui {

struct AnnotationGraphic {
  std::int64_t annotationId = 0;
  std::int64_t categoryId = 0;
  QString categoryName;
  data::Frequency frequency = data::Frequency::unknown;
  bool isCrowd = false;
  double area = 0;
  QColor color;
  QRectF box;        ///< x, y, w, h in image pixels
  QImage mask;       ///< premultiplied ARGB, fill translucent, outline opaque; null when there is no mask
  QPoint maskOrigin; ///< top-left of `mask` in image pixels
  QString maskError; ///< why there is no mask although the annotation has a segmentation
};

/// Alpha of the mask fill (0–255); the outline is opaque.
constexpr int maskFillAlpha = 105;

/// Builds the drawable of dataset.annotations[annotationIndex] (decodes its mask through the COCO mask API).
AnnotationGraphic buildAnnotationGraphic(const data::Dataset& dataset, std::size_t annotationIndex);

/// Tints a row-major 0/1 mask of `width`×`height`: pixels inside get `color` at maskFillAlpha, pixels on
/// the mask's border (a 4-neighbour outside the mask or the image) get it opaque. The result is cropped to
/// the mask's bounding rectangle, whose top-left is written to `origin`; null when the mask is empty.
QImage tintMask(const std::uint8_t* mask, int width, int height, const QColor& color, QPoint* origin);

}  // namespace counterscope::ui
