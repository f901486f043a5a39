#pragma once
// One model prediction on the canvas: its mask and box tinted by its TIDE error type (dashed box, so that
// predictions stand apart from the solid ground-truth boxes) and a label "name score · type" that ignores
// the zoom. The drawable data is built off the GUI thread.

#include <cstdint>
#include <optional>
#include <vector>

#include <QColor>
#include <QGraphicsItem>
#include <QImage>
#include <QPoint>
#include <QRectF>
#include <QString>

#include "core/data/lvis/dataset.h"
#include "core/evaluation/error_analysis.h"
#include "ui/canvas_layers.h"

namespace counterscope::ui {

struct ModelDetections;
struct ModelEvaluation;

struct PredictionGraphic {
  int modelIndex = -1;
  std::uint32_t detectionIndex = 0;  ///< index into ModelDetections::all
  std::int64_t categoryId = 0;
  QString categoryName;
  data::Frequency frequency = data::Frequency::unknown;
  double score = 0;
  std::optional<evaluation::DetectionLabel> label;  ///< none: not evaluated
  double iou = 0;                      ///< with `truthAnnotationId` (0 when none)
  std::int64_t truthAnnotationId = -1; ///< the ground truth matched or the one the error refers to
  QColor color;
  QRectF box;
  QImage mask;
  QPoint maskOrigin;
  double area = 0;  ///< mask pixels, or box area without a mask
};

/// Builds the drawables of one image's detections (score >= minScore), by decreasing score.
std::vector<PredictionGraphic> buildPredictionGraphics(const data::Dataset& dataset, const ModelDetections& detections,
                                                       const ModelEvaluation* evaluation, int modelIndex,
                                                       std::int64_t imageId, double minScore);

/// Short tag of a detection outcome for labels: "TP", "Cls", … ("" when not evaluated).
QString detectionLabelTag(std::optional<evaluation::DetectionLabel> label);

class PredictionItem : public QGraphicsItem {
 public:
  enum { Type = UserType + 3 };

  explicit PredictionItem(PredictionGraphic graphic, QGraphicsItem* parent = nullptr);

  int type() const override { return Type; }
  QRectF boundingRect() const override;
  void paint(QPainter* painter, const QStyleOptionGraphicsItem* option, QWidget* widget) override;

  const PredictionGraphic& graphic() const { return m_graphic; }
  void setLayers(const CanvasLayers& layers);
  void setHighlighted(bool highlighted);
  bool isHighlighted() const { return m_highlighted; }
  /// True when the point (image coordinates) lies on the mask, or inside the box without a mask.
  bool hitsPrediction(const QPointF& imagePoint) const;

 private:
  PredictionGraphic m_graphic;
  CanvasLayers m_layers;
  bool m_highlighted = false;
  QGraphicsItem* m_label;
};

}  // namespace counterscope::ui
