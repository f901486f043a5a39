#include "ui/image_canvas.h"

#include <algorithm>
#include <cmath>

#include <QFontMetrics>
#include <QGraphicsPixmapItem>
#include <QGraphicsRectItem>
#include <QGraphicsScene>
#include <QMouseEvent>
#include <QWheelEvent>

#include "ui/annotation_item.h"
#include "ui/prediction_item.h"

namespace counterscope::ui {

namespace {

constexpr double minimumZoom = 0.02;
constexpr double maximumZoom = 40.0;
constexpr double wheelStep = 1.18;  ///< zoom per wheel notch
const QColor canvasBackground(0x1d, 0x20, 0x25);

}  // namespace

ImageCanvas::ImageCanvas(QWidget* parent) : QGraphicsView(parent), m_graphicsScene(new QGraphicsScene(this)) {
  setScene(m_graphicsScene);
  setBackgroundBrush(canvasBackground);
  setFrameShape(QFrame::NoFrame);
  setDragMode(QGraphicsView::ScrollHandDrag);
  // Panning is by dragging; scroll bars would only shrink the view and flicker in and out with the zoom.
  setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
  setTransformationAnchor(QGraphicsView::AnchorUnderMouse);
  setResizeAnchor(QGraphicsView::AnchorViewCenter);
  setRenderHints(QPainter::Antialiasing | QPainter::SmoothPixmapTransform | QPainter::TextAntialiasing);
  // Masks are many translucent images: full-viewport updates are cheaper than region bookkeeping.
  setViewportUpdateMode(QGraphicsView::FullViewportUpdate);
  setMinimumSize(320, 240);
}

void ImageCanvas::showScene(std::shared_ptr<const ImageScene> scene) {
  m_graphicsScene->clear();
  m_photoItem = nullptr;
  m_missingFrame = nullptr;
  m_highlighted.reset();
  m_current = std::move(scene);
  m_emptyMessage.clear();
  if (!m_current) {
    viewport()->update();
    return;
  }
  const QRectF frame(QPointF(0, 0), QSizeF(m_current->size));
  if (!m_current->image.isNull()) {
    m_photoItem = m_graphicsScene->addPixmap(QPixmap::fromImage(m_current->image));
    m_photoItem->setTransformationMode(Qt::SmoothTransformation);
    m_photoItem->setZValue(-2);
  } else {
    // The annotations are still worth seeing without the photo: draw them on a neutral frame.
    m_missingFrame = m_graphicsScene->addRect(frame, QPen(QColor(0x5a, 0x60, 0x6b), 0, Qt::DashLine),
                                              QColor(0x2a, 0x2e, 0x35));
    m_missingFrame->setZValue(-2);
    m_missingFrame->setToolTip(m_current->imageError);
  }
  for (const AnnotationGraphic& graphic : m_current->annotations) {
    m_graphicsScene->addItem(new AnnotationItem(graphic));
  }
  // A margin around the image lets labels above top-edge boxes and the panned view breathe.
  const double margin = std::max(frame.width(), frame.height()) * 0.05 + 24;
  m_graphicsScene->setSceneRect(frame.adjusted(-margin, -margin, margin, margin));
  applyLayers();
  if (m_fitMode) fitToWindow();
  viewport()->update();
  Q_EMIT sceneShown(m_current->imageId);
}

void ImageCanvas::clearScene(const QString& message) {
  showScene(nullptr);
  m_emptyMessage = message;
  viewport()->update();
}

QList<AnnotationItem*> ImageCanvas::annotationItems() const {
  QList<AnnotationItem*> result;
  for (QGraphicsItem* item : m_graphicsScene->items(Qt::AscendingOrder)) {
    if (auto* annotation = qgraphicsitem_cast<AnnotationItem*>(item)) result.append(annotation);
  }
  return result;
}

bool ImageCanvas::hasPhoto() const { return m_photoItem != nullptr; }

void ImageCanvas::setLayers(const CanvasLayers& layers) {
  m_layers = layers;
  applyLayers();
}

void ImageCanvas::applyLayers() {
  if (m_photoItem != nullptr) m_photoItem->setVisible(m_layers.image);
  if (m_missingFrame != nullptr) m_missingFrame->setVisible(m_layers.image);
  for (AnnotationItem* item : annotationItems()) item->setLayers(m_layers);
  for (QGraphicsItem* item : m_graphicsScene->items())
    if (auto* prediction = qgraphicsitem_cast<PredictionItem*>(item)) prediction->setLayers(m_layers);
  viewport()->update();
}

QRectF ImageCanvas::imageRect() const {
  return m_current ? QRectF(QPointF(0, 0), QSizeF(m_current->size)) : QRectF();
}

double ImageCanvas::zoomFactor() const { return transform().m11(); }

void ImageCanvas::fitToWindow() {
  m_fitMode = true;
  const QRectF frame = imageRect();
  if (frame.isEmpty()) return;
  // Leave room for the labels above boxes at the top edge.
  fitInView(frame.adjusted(-8, -24, 8, 8), Qt::KeepAspectRatio);
  Q_EMIT zoomChanged(zoomFactor());
}

void ImageCanvas::zoomBy(double factor) {
  const double target = std::clamp(zoomFactor() * factor, minimumZoom, maximumZoom);
  const double applied = target / zoomFactor();
  if (std::abs(applied - 1.0) < 1e-9) return;
  m_fitMode = false;
  scale(applied, applied);
  Q_EMIT zoomChanged(zoomFactor());
}

void ImageCanvas::zoomIn() { zoomBy(wheelStep); }
void ImageCanvas::zoomOut() { zoomBy(1.0 / wheelStep); }

void ImageCanvas::zoomToActualSize() {
  m_fitMode = false;
  setTransform(QTransform());
  Q_EMIT zoomChanged(zoomFactor());
}

void ImageCanvas::wheelEvent(QWheelEvent* event) {
  const double notches = event->angleDelta().y() / 120.0;
  if (notches == 0) return;
  zoomBy(std::pow(wheelStep, notches));
  event->accept();
}

void ImageCanvas::resizeEvent(QResizeEvent* event) {
  QGraphicsView::resizeEvent(event);
  if (m_fitMode) fitToWindow();
}

void ImageCanvas::mousePressEvent(QMouseEvent* event) {
  m_pressPosition = event->position().toPoint();
  QGraphicsView::mousePressEvent(event);
}

void ImageCanvas::mouseReleaseEvent(QMouseEvent* event) {
  QGraphicsView::mouseReleaseEvent(event);
  // A click (not the end of a pan) picks the top-most annotation under the cursor.
  if (event->button() != Qt::LeftButton ||
      (event->position().toPoint() - m_pressPosition).manhattanLength() > 3) {
    return;
  }
  pickAt(mapToScene(event->position().toPoint()));
}

void ImageCanvas::pickAt(const QPointF& scenePoint) {
  // The smallest instance under the point wins (a small object on a large one stays reachable); on equal
  // areas the top-most. Hidden items (score threshold, layers) cannot be picked.
  QGraphicsItem* best = nullptr;
  double bestArea = 0;
  for (QGraphicsItem* item : m_graphicsScene->items(scenePoint, Qt::IntersectsItemBoundingRect,
                                                    Qt::DescendingOrder)) {
    if (!item->isVisible()) continue;
    double area = 0;
    if (auto* annotation = qgraphicsitem_cast<AnnotationItem*>(item)) {
      if (!annotation->hitsAnnotation(scenePoint)) continue;
      area = annotation->graphic().area > 0 ? annotation->graphic().area
                                            : annotation->graphic().box.width() * annotation->graphic().box.height();
    } else if (auto* prediction = qgraphicsitem_cast<PredictionItem*>(item)) {
      if (!prediction->hitsPrediction(scenePoint)) continue;
      area = prediction->graphic().area;
    } else {
      continue;
    }
    if (best == nullptr || area < bestArea) {
      best = item;
      bestArea = area;
    }
  }
  if (auto* prediction = qgraphicsitem_cast<PredictionItem*>(best)) {
    highlightPrediction(prediction->graphic().modelIndex, prediction->graphic().detectionIndex);
    Q_EMIT predictionClicked(prediction->graphic().modelIndex,
                             static_cast<qint64>(prediction->graphic().detectionIndex));
    return;
  }
  std::optional<std::int64_t> picked;
  if (auto* annotation = qgraphicsitem_cast<AnnotationItem*>(best)) picked = annotation->graphic().annotationId;
  highlightAnnotation(picked);
  Q_EMIT annotationClicked(picked.value_or(-1));
}

bool ImageCanvas::highlightPrediction(int modelIndex, std::int64_t detectionIndex) {
  highlightAnnotation(std::nullopt);
  bool found = false;
  for (QGraphicsItem* item : m_graphicsScene->items()) {
    if (auto* prediction = qgraphicsitem_cast<PredictionItem*>(item)) {
      const bool match = prediction->graphic().modelIndex == modelIndex &&
                         static_cast<std::int64_t>(prediction->graphic().detectionIndex) == detectionIndex;
      prediction->setHighlighted(match);
      found = found || match;
    }
  }
  return found;
}

bool ImageCanvas::highlightAnnotation(std::optional<std::int64_t> annotationId) {
  bool found = false;
  for (AnnotationItem* item : annotationItems()) {
    const bool match = annotationId && item->graphic().annotationId == *annotationId;
    item->setHighlighted(match);
    found = found || match;
  }
  m_highlighted = found ? annotationId : std::nullopt;
  if (annotationId) {
    for (QGraphicsItem* item : m_graphicsScene->items())
      if (auto* prediction = qgraphicsitem_cast<PredictionItem*>(item)) prediction->setHighlighted(false);
  }
  return found;
}

void ImageCanvas::drawForeground(QPainter* painter, const QRectF& rect) {
  QGraphicsView::drawForeground(painter, rect);
  const bool photoMissing = m_current && m_photoItem == nullptr && !m_current->imageError.isEmpty();
  if (m_emptyMessage.isEmpty() && !photoMissing) return;
  // Messages are drawn in viewport pixels, independent of zoom and pan.
  painter->save();
  painter->resetTransform();
  QFont font = painter->font();
  font.setPixelSize(13);
  painter->setFont(font);
  painter->setPen(QColor(0xb8, 0xbe, 0xc8));
  const QRect area = viewport()->rect();
  if (photoMissing) {
    // A strip at the bottom with one line of the reason (it lists every path tried); the frame's tooltip
    // holds all of it.
    const QRect strip(area.left() + 16, area.bottom() - 52, area.width() - 32, 44);
    const QString reason =
        QFontMetrics(font).elidedText(m_current->imageError, Qt::ElideRight, strip.width() - 16);
    painter->fillRect(strip.adjusted(-8, -4, 8, 4), QColor(0x14, 0x16, 0x1a, 200));
    painter->drawText(strip, Qt::AlignCenter,
                      tr("Image file unavailable: ground truth drawn on an empty frame") + QLatin1Char('\n') + reason);
  } else {
    painter->drawText(area.adjusted(40, 40, -40, -40), Qt::AlignCenter | Qt::TextWordWrap, m_emptyMessage);
  }
  painter->restore();
}

}  // namespace counterscope::ui
