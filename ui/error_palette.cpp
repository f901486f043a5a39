#include "ui/error_palette.h"

#include <array>
#include <utility>

#include <QFontMetrics>
#include <QPainter>

namespace counterscope::ui {

using evaluation::DetectionLabel;
using evaluation::TruthLabel;

QColor detectionLabelColor(std::optional<DetectionLabel> label) {
  if (!label) return QColor(0xc8, 0xcc, 0xd2);
  switch (*label) {
    case DetectionLabel::true_positive: return QColor(0x43, 0xc0, 0x6b);
    case DetectionLabel::classification: return QColor(0xef, 0x45, 0x45);
    case DetectionLabel::localisation: return QColor(0xff, 0x98, 0x1f);
    case DetectionLabel::both: return QColor(0xb0, 0x5c, 0xf0);
    case DetectionLabel::duplicate: return QColor(0xf2, 0xd4, 0x2c);
    case DetectionLabel::background: return QColor(0x2e, 0xb8, 0xf0);
    case DetectionLabel::ignored: return QColor(0x8a, 0x90, 0x99);
  }
  return QColor(0xc8, 0xcc, 0xd2);
}

QColor truthLabelColor(TruthLabel label) {
  switch (label) {
    case TruthLabel::matched: return QColor(0x43, 0xc0, 0x6b);
    case TruthLabel::missed: return QColor(0xff, 0x4f, 0xa8);
    case TruthLabel::mistaken: return QColor(0xff, 0x98, 0x1f);
  }
  return QColor(0xc8, 0xcc, 0xd2);
}

QString detectionLabelText(std::optional<DetectionLabel> label) {
  if (!label) return QObject::tr("not evaluated");
  switch (*label) {
    case DetectionLabel::true_positive: return QObject::tr("true positive");
    case DetectionLabel::classification: return QObject::tr("classification error (Cls)");
    case DetectionLabel::localisation: return QObject::tr("localisation error (Loc)");
    case DetectionLabel::both: return QObject::tr("class and location wrong (Both)");
    case DetectionLabel::duplicate: return QObject::tr("duplicate (Dupe)");
    case DetectionLabel::background: return QObject::tr("background (Bkg)");
    case DetectionLabel::ignored: return QObject::tr("ignored (not exhaustively annotated)");
  }
  return QObject::tr("not evaluated");
}

QString truthLabelText(TruthLabel label) {
  switch (label) {
    case TruthLabel::matched: return QObject::tr("matched");
    case TruthLabel::missed: return QObject::tr("missed (Miss)");
    case TruthLabel::mistaken: return QObject::tr("mistaken (a Cls/Loc error points at it)");
  }
  return QString();
}

namespace {

std::array<std::pair<QString, QColor>, 8> legendEntries() {
  return {{{QStringLiteral("TP"), detectionLabelColor(DetectionLabel::true_positive)},
           {QStringLiteral("Cls"), detectionLabelColor(DetectionLabel::classification)},
           {QStringLiteral("Loc"), detectionLabelColor(DetectionLabel::localisation)},
           {QStringLiteral("Both"), detectionLabelColor(DetectionLabel::both)},
           {QStringLiteral("Dupe"), detectionLabelColor(DetectionLabel::duplicate)},
           {QStringLiteral("Bkg"), detectionLabelColor(DetectionLabel::background)},
           {QStringLiteral("Miss"), truthLabelColor(TruthLabel::missed)},
           {QStringLiteral("n/e"), detectionLabelColor(std::nullopt)}}};
}

constexpr int chip = 10;
constexpr int gap = 4;
constexpr int spacing = 10;

}  // namespace

ErrorLegend::ErrorLegend(QWidget* parent) : QWidget(parent) {
  setToolTip(tr("Prediction colours by TIDE error type: true positive, classification, localisation, both, "
                "duplicate, background; Miss = ground truth no prediction found; n/e = not evaluated yet"));
}

QSize ErrorLegend::sizeHint() const {
  const QFontMetrics metrics(font());
  int width = 0;
  for (const auto& [name, color] : legendEntries()) width += chip + gap + metrics.horizontalAdvance(name) + spacing;
  return QSize(width, std::max(metrics.height(), chip) + 4);
}

void ErrorLegend::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  painter.setRenderHint(QPainter::Antialiasing);
  const QFontMetrics metrics(font());
  int x = 0;
  const int y = (height() - chip) / 2;
  for (const auto& [name, color] : legendEntries()) {
    painter.setPen(Qt::NoPen);
    painter.setBrush(color);
    painter.drawRoundedRect(QRectF(x, y, chip, chip), 2, 2);
    x += chip + gap;
    painter.setPen(palette().color(QPalette::WindowText));
    painter.drawText(QRect(x, 0, metrics.horizontalAdvance(name) + 2, height()), Qt::AlignVCenter, name);
    x += metrics.horizontalAdvance(name) + spacing;
  }
}

}  // namespace counterscope::ui
