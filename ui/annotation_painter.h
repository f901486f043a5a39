#pragma once
// Paints the parts of an AnnotationGraphic with a QPainter: mask, box, and the label (category name and
// r/c/f badge). Shared by the canvas items and anything that renders overlays (exports, reports).

#include <QFont>
#include <QPainter>
#include <QSizeF>

#include "ui/annotation_graphic.h"

namespace counterscope::ui {

class AnnotationPainter {
 public:
  /// The label font, sized for screen pixels (labels ignore the canvas zoom).
  static QFont labelFont();

  /// Draws the tinted mask in image coordinates.
  static void paintMask(QPainter& painter, const AnnotationGraphic& graphic);
  /// Draws the box in image coordinates with a cosmetic pen (constant on-screen width); crowd boxes dashed.
  static void paintBox(QPainter& painter, const AnnotationGraphic& graphic, bool highlighted);
  /// Size of the label in device pixels.
  static QSizeF labelSize(const AnnotationGraphic& graphic, const QFont& font);
  /// Draws the label with its top-left at (0, 0) in device pixels.
  static void paintLabel(QPainter& painter, const AnnotationGraphic& graphic, const QFont& font);
  /// The label text: the category name, with "(crowd)" for crowd annotations.
  static QString labelText(const AnnotationGraphic& graphic);
};

}  // namespace counterscope::ui
