#include "ui/prediction_item.h"

#include <algorithm>
#include <cmath>

#include <QFontMetrics>
#include <QPainter>

#include "core/data/mask/mask_api.h"
#include "ui/annotation_graphic.h"
#include "ui/annotation_painter.h"
#include "ui/error_palette.h"
#include "ui/model_registry.h"

namespace counterscope::ui {

QString detectionLabelTag(std::optional<evaluation::DetectionLabel> label) {
  return label ? QString::fromLatin1(evaluation::detection_label_name(*label)) : QString();
}

std::vector<PredictionGraphic> buildPredictionGraphics(const data::Dataset& dataset, const ModelDetections& detections,
                                                       const ModelEvaluation* evaluation, int modelIndex,
                                                       std::int64_t imageId, double minScore) {
  std::vector<PredictionGraphic> graphics;
  for (const std::uint32_t index : detections.ofImage(imageId)) {
    const data::Detection& detection = detections.all[index];
    if (detection.score < minScore) continue;
    PredictionGraphic graphic;
    graphic.modelIndex = modelIndex;
    graphic.detectionIndex = index;
    graphic.categoryId = detection.category_id;
    if (const auto category = dataset.category_index(detection.category_id)) {
      graphic.categoryName = QString::fromStdString(dataset.categories[*category].name);
      graphic.frequency = dataset.categories[*category].frequency;
    } else {
      graphic.categoryName = QObject::tr("category %1").arg(detection.category_id);
    }
    graphic.score = detection.score;
    if (evaluation != nullptr) {
      if (const auto* outcome = evaluation->detectionOutcome(index)) {
        graphic.label = outcome->label;
        graphic.iou = outcome->iou;
        if (outcome->truth >= 0 && static_cast<std::size_t>(outcome->truth) < dataset.annotations.size())
          graphic.truthAnnotationId = dataset.annotations[static_cast<std::size_t>(outcome->truth)].id;
      }
    }
    graphic.color = detectionLabelColor(graphic.label);
    data::BoxXywh box = detection.bbox;
    if (detection.has_segmentation()) {
      const std::vector<std::uint8_t> mask = data::rle_decode_row_major(detection.segmentation);
      graphic.mask = tintMask(mask.data(), static_cast<int>(detection.segmentation.width),
                              static_cast<int>(detection.segmentation.height), graphic.color, &graphic.maskOrigin);
      graphic.area = static_cast<double>(data::rle_area(detection.segmentation));
      if (!detection.has_bbox) box = data::rle_to_box(detection.segmentation);
    } else {
      graphic.area = box.w * box.h;
    }
    graphic.box = QRectF(box.x, box.y, box.w, box.h);
    graphics.push_back(std::move(graphic));
  }
  std::stable_sort(graphics.begin(), graphics.end(),
                   [](const PredictionGraphic& a, const PredictionGraphic& b) { return a.score > b.score; });
  return graphics;
}

namespace {

QString labelText(const PredictionGraphic& graphic) {
  QString text = QStringLiteral("%1 %2").arg(graphic.categoryName).arg(graphic.score, 0, 'f', 2);
  const QString tag = detectionLabelTag(graphic.label);
  if (!tag.isEmpty()) text += QStringLiteral(" · ") + tag;
  return text;
}

// The label of a prediction: error-coloured chip under the box's bottom-left corner (ground-truth labels
// sit above boxes, so the two rarely cover each other).
class PredictionLabelItem : public QGraphicsItem {
 public:
  PredictionLabelItem(const PredictionGraphic* graphic, QGraphicsItem* parent)
      : QGraphicsItem(parent), m_graphic(graphic), m_text(labelText(*graphic)) {
    setFlag(ItemIgnoresTransformations);
    const QFontMetrics metrics(AnnotationPainter::labelFont());
    m_size = QSizeF(metrics.horizontalAdvance(m_text) + 8, metrics.height() + 2);
  }
  QRectF boundingRect() const override { return QRectF(QPointF(0, 1), m_size); }
  void paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) override {
    const QRectF rect = boundingRect();
    QColor background(0x14, 0x16, 0x1a, 215);
    painter->setPen(Qt::NoPen);
    painter->setBrush(background);
    painter->drawRect(rect);
    painter->fillRect(QRectF(rect.left(), rect.top(), 3, rect.height()), m_graphic->color);
    painter->setFont(AnnotationPainter::labelFont());
    painter->setPen(QColor(0xf0, 0xf2, 0xf5));
    painter->drawText(rect.adjusted(6, 0, 0, 0), Qt::AlignVCenter | Qt::AlignLeft, m_text);
  }

 private:
  const PredictionGraphic* m_graphic;
  QString m_text;
  QSizeF m_size;
};

}  // namespace

PredictionItem::PredictionItem(PredictionGraphic graphic, QGraphicsItem* parent)
    : QGraphicsItem(parent), m_graphic(std::move(graphic)) {
  m_label = new PredictionLabelItem(&m_graphic, this);
  m_label->setPos(m_graphic.box.bottomLeft());
  setZValue(0.5);  // above ground truth, which is drawn first
  QString tip = QStringLiteral("%1 · score %2\n%3")
                    .arg(m_graphic.categoryName)
                    .arg(m_graphic.score, 0, 'f', 3)
                    .arg(detectionLabelText(m_graphic.label));
  if (m_graphic.truthAnnotationId >= 0)
    tip += QObject::tr("\nIoU %1 with annotation %2").arg(m_graphic.iou, 0, 'f', 2).arg(m_graphic.truthAnnotationId);
  setToolTip(tip);
}

QRectF PredictionItem::boundingRect() const {
  QRectF bounds = m_graphic.box;
  if (!m_graphic.mask.isNull()) bounds |= QRectF(m_graphic.maskOrigin, m_graphic.mask.size());
  return bounds.adjusted(-2, -2, 2, 2);
}

void PredictionItem::paint(QPainter* painter, const QStyleOptionGraphicsItem*, QWidget*) {
  if (m_layers.masks && !m_graphic.mask.isNull()) painter->drawImage(m_graphic.maskOrigin, m_graphic.mask);
  if (m_layers.boxes || m_highlighted) {
    QPen pen(m_highlighted ? QColor(Qt::white) : m_graphic.color, m_highlighted ? 2.5 : 1.5,
             m_highlighted ? Qt::SolidLine : Qt::DashLine);
    pen.setCosmetic(true);
    painter->setPen(pen);
    painter->setBrush(Qt::NoBrush);
    painter->drawRect(m_graphic.box);
  }
}

void PredictionItem::setLayers(const CanvasLayers& layers) {
  m_layers = layers;
  m_label->setVisible(layers.labels || m_highlighted);
  update();
}

void PredictionItem::setHighlighted(bool highlighted) {
  if (highlighted == m_highlighted) return;
  m_highlighted = highlighted;
  setZValue(highlighted ? 1.5 : 0.5);
  m_label->setVisible(m_layers.labels || m_highlighted);
  update();
}

bool PredictionItem::hitsPrediction(const QPointF& imagePoint) const {
  if (m_graphic.mask.isNull()) return m_graphic.box.contains(imagePoint);
  const QPoint local =
      QPoint(static_cast<int>(std::floor(imagePoint.x())), static_cast<int>(std::floor(imagePoint.y()))) -
      m_graphic.maskOrigin;
  if (!m_graphic.mask.rect().contains(local)) return false;
  return qAlpha(m_graphic.mask.pixel(local)) > 0;
}

}  // namespace counterscope::ui
