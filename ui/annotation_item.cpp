#include "ui/annotation_item.h"

#include <cmath>

#include <QPainter>

#include "ui/annotation_painter.h"

namespace counterscope::ui {

AnnotationItem::AnnotationItem(AnnotationGraphic graphic, QGraphicsItem* parent)
    : QGraphicsItem(parent), m_graphic(std::move(graphic)) {
  m_label = new AnnotationLabelItem(&m_graphic, this);
  m_label->setPos(m_graphic.box.topLeft());
  setToolTip(QStringLiteral("%1 [%2]\nannotation %3 · area %4")
                 .arg(AnnotationPainter::labelText(m_graphic))
                 .arg(QLatin1Char(data::frequency_letter(m_graphic.frequency)))
                 .arg(m_graphic.annotationId)
                 .arg(m_graphic.area, 0, 'f', 1) +
             (m_graphic.maskError.isEmpty() ? QString() : QStringLiteral("\nno mask: ") + m_graphic.maskError));
}

QRectF AnnotationItem::boundingRect() const {
  QRectF bounds = m_graphic.box;
  if (!m_graphic.mask.isNull()) bounds |= QRectF(m_graphic.maskOrigin, m_graphic.mask.size());
  // Cosmetic box pens reach a couple of device pixels beyond the box; at high zoom that is < 1 image
  // pixel, at low zoom a few. Two image pixels cover both for the zoom range the canvas allows.
  return bounds.adjusted(-2, -2, 2, 2);
}

void AnnotationItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
  if (m_layers.masks) AnnotationPainter::paintMask(*painter, m_graphic);
  if (m_layers.boxes || m_highlighted) AnnotationPainter::paintBox(*painter, m_graphic, m_highlighted);
}

void AnnotationItem::setLayers(const CanvasLayers& layers) {
  m_layers = layers;
  m_label->setVisible(layers.labels || m_highlighted);
  update();
}

void AnnotationItem::setHighlighted(bool highlighted) {
  if (highlighted == m_highlighted) return;
  m_highlighted = highlighted;
  setZValue(highlighted ? 1 : 0);
  m_label->setVisible(m_layers.labels || m_highlighted);
  update();
}

bool AnnotationItem::hitsAnnotation(const QPointF& imagePoint) const {
  if (m_graphic.mask.isNull()) return m_graphic.box.contains(imagePoint);
  const QPoint local = QPoint(static_cast<int>(std::floor(imagePoint.x())), static_cast<int>(std::floor(imagePoint.y()))) -
                       m_graphic.maskOrigin;
  if (!m_graphic.mask.rect().contains(local)) return false;
  return qAlpha(m_graphic.mask.pixel(local)) > 0;
}

AnnotationLabelItem::AnnotationLabelItem(const AnnotationGraphic* graphic, QGraphicsItem* parent)
    : QGraphicsItem(parent), m_graphic(graphic) {
  setFlag(ItemIgnoresTransformations);
  m_size = AnnotationPainter::labelSize(*m_graphic, AnnotationPainter::labelFont());
}

QRectF AnnotationLabelItem::boundingRect() const {
  // Sits just above the box's top-left corner.
  return QRectF(QPointF(0, -m_size.height() - 1), m_size);
}

void AnnotationLabelItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
  painter->translate(boundingRect().topLeft());
  AnnotationPainter::paintLabel(*painter, *m_graphic, AnnotationPainter::labelFont());
}

}  // namespace counterscope::ui
