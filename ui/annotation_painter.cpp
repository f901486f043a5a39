#include "ui/annotation_painter.h"

#include <QFontMetricsF>
#include <QPainterPath>

#include "ui/category_colors.h"

namespace counterscope::ui {

namespace {

constexpr qreal paddingX = 5;
constexpr qreal paddingY = 2;
constexpr qreal stripeWidth = 3;

qreal badgeSize(const QFontMetricsF& metrics) { return metrics.height(); }

}  // namespace

QFont AnnotationPainter::labelFont() {
  QFont font;
  font.setPixelSize(12);
  font.setWeight(QFont::DemiBold);
  return font;
}

QString AnnotationPainter::labelText(const AnnotationGraphic& graphic) {
  return graphic.isCrowd ? QStringLiteral("%1 (crowd)").arg(graphic.categoryName) : graphic.categoryName;
}

void AnnotationPainter::paintMask(QPainter& painter, const AnnotationGraphic& graphic) {
  if (graphic.mask.isNull()) return;
  painter.drawImage(graphic.maskOrigin, graphic.mask);
}

void AnnotationPainter::paintBox(QPainter& painter, const AnnotationGraphic& graphic, bool highlighted) {
  QPen pen(graphic.color, highlighted ? 3.0 : 1.6);
  pen.setCosmetic(true);
  pen.setJoinStyle(Qt::MiterJoin);
  if (graphic.isCrowd) pen.setStyle(Qt::DashLine);
  painter.setPen(pen);
  painter.setBrush(Qt::NoBrush);
  painter.drawRect(graphic.box);
}

QSizeF AnnotationPainter::labelSize(const AnnotationGraphic& graphic, const QFont& font) {
  const QFontMetricsF metrics(font);
  const qreal textWidth = metrics.horizontalAdvance(labelText(graphic));
  const qreal badge = badgeSize(metrics);
  return {stripeWidth + paddingX + textWidth + paddingX + badge + paddingY,
          metrics.height() + 2 * paddingY};
}

void AnnotationPainter::paintLabel(QPainter& painter, const AnnotationGraphic& graphic, const QFont& font) {
  const QFontMetricsF metrics(font);
  const QSizeF size = labelSize(graphic, font);
  const QRectF frame(QPointF(0, 0), size);
  painter.save();
  painter.setRenderHint(QPainter::Antialiasing);
  QPainterPath background;
  background.addRoundedRect(frame, 3, 3);
  painter.fillPath(background, QColor(18, 20, 24, 215));
  // The stripe carries the category colour, so a label can be matched to its mask at a glance.
  painter.setClipPath(background);
  painter.fillRect(QRectF(0, 0, stripeWidth, size.height()), graphic.color);
  painter.setClipping(false);

  painter.setFont(font);
  painter.setPen(QColor(0xf2, 0xf4, 0xf7));
  const QRectF textRect(stripeWidth + paddingX, paddingY, metrics.horizontalAdvance(labelText(graphic)),
                        metrics.height());
  painter.drawText(textRect, Qt::AlignLeft | Qt::AlignVCenter, labelText(graphic));

  // The LVIS frequency group: a round badge with r / c / f, coloured by group.
  const qreal badge = badgeSize(metrics) - 2;
  const QRectF badgeRect(textRect.right() + paddingX, (size.height() - badge) / 2, badge, badge);
  painter.setPen(Qt::NoPen);
  painter.setBrush(frequencyColor(graphic.frequency));
  painter.drawEllipse(badgeRect);
  QFont badgeFont = font;
  badgeFont.setPixelSize(std::max(8, font.pixelSize() - 2));
  badgeFont.setWeight(QFont::Bold);
  painter.setFont(badgeFont);
  painter.setPen(QColor(0x10, 0x12, 0x16));
  painter.drawText(badgeRect, Qt::AlignCenter, QString(QLatin1Char(data::frequency_letter(graphic.frequency))));
  painter.restore();
}

}  // namespace counterscope::ui
