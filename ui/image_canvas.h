#pragma once
// The image canvas: a QGraphicsView showing one ImageScene (photo + ground-truth items). Wheel zooms
// around the cursor, dragging pans, "fit" keeps the whole image in view while the window resizes.

#include <cstdint>
#include <memory>
#include <optional>

#include <QGraphicsView>

#include "ui/canvas_layers.h"
#include "ui/image_scene.h"

class QGraphicsPixmapItem;
class QGraphicsRectItem;
class QGraphicsSimpleTextItem;

namespace counterscope::ui {

class AnnotationItem;

class ImageCanvas : public QGraphicsView {
  Q_OBJECT

 public:
  explicit ImageCanvas(QWidget* parent = nullptr);

  /// Replaces what is shown. Keeps the current zoom mode (fit, or the user's zoom).
  void showScene(std::shared_ptr<const ImageScene> scene);
  /// Shows nothing; `message` is drawn in the middle of the view (e.g. how to open a dataset).
  void clearScene(const QString& message = QString());

  const ImageScene* currentScene() const { return m_current.get(); }
  QList<AnnotationItem*> annotationItems() const;
  int annotationItemCount() const { return annotationItems().size(); }
  bool hasPhoto() const;

  CanvasLayers layers() const { return m_layers; }
  void setLayers(const CanvasLayers& layers);

  double zoomFactor() const;
  bool isFitMode() const { return m_fitMode; }
  /// Highlights the annotation with this id (none when empty); returns false when it is not shown.
  bool highlightAnnotation(std::optional<std::int64_t> annotationId);
  std::optional<std::int64_t> highlightedAnnotation() const { return m_highlighted; }
  /// Highlights one prediction (PredictionItem) and clears the annotation highlight; false when not shown.
  bool highlightPrediction(int modelIndex, std::int64_t detectionIndex);
  /// Picks what a click at `imagePoint` (image coordinates) selects and emits annotationClicked or
  /// predictionClicked: among the visible instances under the point the smallest wins, the top-most on ties.
  void pickAt(const QPointF& imagePoint);

 public Q_SLOTS:
  void fitToWindow();
  void zoomIn();
  void zoomOut();
  void zoomToActualSize();

 Q_SIGNALS:
  void zoomChanged(double factor);
  /// The scene of this image is now on screen (after showScene).
  void sceneShown(qint64 imageId);
  /// The user clicked an annotation (its id), or empty space (std::nullopt is sent as -1).
  void annotationClicked(qint64 annotationId);
  /// The user clicked a model's prediction (PredictionItem): the model and its detection index.
  void predictionClicked(int modelIndex, qint64 detectionIndex);

 protected:
  void wheelEvent(QWheelEvent* event) override;
  void resizeEvent(QResizeEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void drawForeground(QPainter* painter, const QRectF& rect) override;

 private:
  void zoomBy(double factor);
  void applyLayers();
  QRectF imageRect() const;

  QGraphicsScene* m_graphicsScene;
  std::shared_ptr<const ImageScene> m_current;
  QGraphicsPixmapItem* m_photoItem = nullptr;
  QGraphicsRectItem* m_missingFrame = nullptr;
  QString m_emptyMessage;
  CanvasLayers m_layers;
  bool m_fitMode = true;
  std::optional<std::int64_t> m_highlighted;
  QPoint m_pressPosition;
};

}  // namespace counterscope::ui
