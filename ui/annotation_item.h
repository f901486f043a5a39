#pragma once
// The canvas items of one ground-truth annotation: the item itself draws mask and box in image
// coordinates; a child label item ignores the zoom so that names stay readable at any scale.

#include <QGraphicsItem>

#include "ui/annotation_graphic.h"
#include "ui/canvas_layers.h"

namespace counterscope::ui {

class AnnotationLabelItem;

class AnnotationItem : public QGraphicsItem {
 public:
  enum { Type = UserType + 1 };

  explicit AnnotationItem(AnnotationGraphic graphic, QGraphicsItem* parent = nullptr);

  int type() const override { return Type; }
  QRectF boundingRect() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

  const AnnotationGraphic& graphic() const { return m_graphic; }
  void setLayers(const CanvasLayers& layers);
  void setHighlighted(bool highlighted);
  bool isHighlighted() const { return m_highlighted; }
  /// True when the point (image coordinates) lies on the mask, or inside the box when there is no mask.
  bool hitsAnnotation(const QPointF& imagePoint) const;

 private:
  AnnotationGraphic m_graphic;
  CanvasLayers m_layers;
  bool m_highlighted = false;
  AnnotationLabelItem* m_label;
};

/// The label of an annotation: category name with r/c/f badge, in device pixels above the box.
class AnnotationLabelItem : public QGraphicsItem {
 public:
  enum { Type = UserType + 2 };

  AnnotationLabelItem(const AnnotationGraphic* graphic, QGraphicsItem* parent);

  int type() const override { return Type; }
  QRectF boundingRect() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

 private:
  const AnnotationGraphic* m_graphic;  ///< owned by the parent AnnotationItem
  QSizeF m_size;
};

}  // namespace counterscope::ui
