#include "ui/explanation_render.h"

#include <algorithm>
#include <cmath>

#include <QFontMetrics>
#include <QLinearGradient>
#include <QPainter>

#include <opencv2/core.hpp>

#include "ui/annotation_graphic.h"
#include "ui/category_colors.h"

namespace counterscope::ui {

QImage rgbMatToImage(const cv::Mat& rgb) {
  if (rgb.empty()) return {};
  cv::Mat bytes;
  if (rgb.depth() == CV_8U) {
    bytes = rgb;
  } else {
    rgb.convertTo(bytes, CV_8U, 255.0);
  }
  if (bytes.channels() == 1) cv::merge(std::vector<cv::Mat>{bytes, bytes, bytes}, bytes);
  if (!bytes.isContinuous()) bytes = bytes.clone();
  return QImage(bytes.data, bytes.cols, bytes.rows, static_cast<qsizetype>(bytes.step), QImage::Format_RGB888).copy();
}

QColor divergingColor(double value) {
  // Blue (removed) through a dark neutral (unchanged: the dark theme's background) to red (added).
  const double v = std::clamp(value, -1.0, 1.0);
  const QColor zero(0x22, 0x25, 0x2b);
  const QColor end = v < 0 ? QColor(0x4d, 0xa3, 0xff) : QColor(0xff, 0x5a, 0x4d);
  const double t = std::pow(std::abs(v), 0.8);  // lifts small changes a little above the background
  return QColor::fromRgbF(static_cast<float>(zero.redF() + (end.redF() - zero.redF()) * t),
                          static_cast<float>(zero.greenF() + (end.greenF() - zero.greenF()) * t),
                          static_cast<float>(zero.blueF() + (end.blueF() - zero.blueF()) * t));
}

QImage signedHeatmap(const cv::Mat& map, double* scale) {
  if (map.empty()) return {};
  cv::Mat summed;
  cv::transform(map, summed, cv::Matx13f(1, 1, 1));  // signed change summed over R, G, B
  double s = scale != nullptr ? *scale : 0;
  if (s <= 0) {
    std::vector<float> magnitudes;
    magnitudes.reserve(static_cast<std::size_t>(summed.total()));
    for (int y = 0; y < summed.rows; ++y)
      for (int x = 0; x < summed.cols; ++x) magnitudes.push_back(std::abs(summed.at<float>(y, x)));
    const auto nth = magnitudes.begin() + static_cast<std::ptrdiff_t>(magnitudes.size() * 99 / 100);
    std::nth_element(magnitudes.begin(), nth, magnitudes.end());
    s = std::max(static_cast<double>(*nth), 1e-6);
    if (scale != nullptr) *scale = s;
  }
  QImage image(summed.cols, summed.rows, QImage::Format_RGB32);
  for (int y = 0; y < summed.rows; ++y) {
    auto* out = reinterpret_cast<QRgb*>(image.scanLine(y));
    for (int x = 0; x < summed.cols; ++x) out[x] = divergingColor(summed.at<float>(y, x) / s).rgb();
  }
  return image;
}

QImage drawPredictions(const QImage& base, const std::vector<counterfactual::PredictedInstance>& predictions,
                       const std::function<QString(std::int64_t)>& nameOf, int highlight) {
  QImage out = base.convertToFormat(QImage::Format_ARGB32_Premultiplied);
  QPainter painter(&out);
  painter.setRenderHint(QPainter::Antialiasing);
  QFont font = painter.font();
  font.setPixelSize(std::max(9, out.height() / 22));
  painter.setFont(font);
  for (std::size_t i = 0; i < predictions.size(); ++i) {
    const auto& prediction = predictions[i];
    const bool highlighted = static_cast<int>(i) == highlight;
    const QColor color = highlighted ? QColor(Qt::white) : categoryColor(prediction.label);
    if (!prediction.mask.empty() && prediction.mask.isContinuous()) {
      QPoint origin;
      const QImage mask = tintMask(prediction.mask.ptr<std::uint8_t>(), prediction.mask.cols, prediction.mask.rows,
                                   color, &origin);
      if (!mask.isNull()) painter.drawImage(origin, mask);
    }
    const QRectF box(QPointF(prediction.box[0], prediction.box[1]), QPointF(prediction.box[2], prediction.box[3]));
    painter.setPen(QPen(color, highlighted ? 2 : 1));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(box);
    const QString text = QStringLiteral("%1 %2").arg(nameOf(prediction.label)).arg(prediction.score, 0, 'f', 2);
    const QFontMetrics metrics(font);
    QRectF label(box.topLeft() - QPointF(0, metrics.height()), QSizeF(metrics.horizontalAdvance(text) + 4, metrics.height()));
    if (label.top() < 0) label.moveTop(box.top());
    painter.fillRect(label, QColor(0x14, 0x16, 0x1a, 200));
    painter.setPen(QColor(0xf0, 0xf2, 0xf5));
    painter.drawText(label.adjusted(2, 0, 0, 0), Qt::AlignVCenter | Qt::AlignLeft, text);
  }
  return out;
}

QImage drawSegmentationDiff(const QImage& base, const cv::Mat& before, const cv::Mat& after) {
  QImage out = base.convertToFormat(QImage::Format_RGB32);
  const bool usable = !before.empty() && !after.empty() && before.size == after.size &&
                      before.rows == out.height() && before.cols == out.width();
  for (int y = 0; y < out.height(); ++y) {
    auto* row = reinterpret_cast<QRgb*>(out.scanLine(y));
    for (int x = 0; x < out.width(); ++x) {
      const QRgb pixel = row[x];
      // Dimmed photo underneath: the diff colours carry the information.
      QRgb shown = qRgb(qRed(pixel) / 3, qGreen(pixel) / 3, qBlue(pixel) / 3);
      if (usable) {
        const bool was = before.at<std::uint8_t>(y, x) != 0;
        const bool is = after.at<std::uint8_t>(y, x) != 0;
        if (was && is) shown = qRgb(0xb8, 0xbe, 0xc8);
        else if (is) shown = qRgb(0x43, 0xd0, 0x6b);
        else if (was) shown = qRgb(0xff, 0x4d, 0x4d);
      }
      row[x] = shown;
    }
  }
  return out;
}

HeatmapLegend::HeatmapLegend(QWidget* parent) : QWidget(parent) {
  setToolTip(tr("Counterfactual map M = X̃ − X summed over R, G, B: red where the image is brightened, blue "
                "where it is darkened, saturated at ± the 99th percentile of |M|"));
}

void HeatmapLegend::setScale(double scale) {
  m_scale = scale;
  update();
}

void HeatmapLegend::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  const QRect bar(4, 2, width() - 8, 10);
  for (int x = 0; x < bar.width(); ++x) {
    const double value = 2.0 * x / std::max(1, bar.width() - 1) - 1.0;
    painter.setPen(divergingColor(value));
    painter.drawLine(bar.left() + x, bar.top(), bar.left() + x, bar.bottom());
  }
  painter.setPen(palette().color(QPalette::WindowText));
  QFont font = painter.font();
  font.setPixelSize(10);
  painter.setFont(font);
  const QRect text(bar.left(), bar.bottom() + 2, bar.width(), height() - bar.bottom() - 2);
  const QString s = m_scale > 0 ? QString::number(m_scale, 'g', 2) : QStringLiteral("max");
  painter.drawText(text, Qt::AlignLeft | Qt::AlignTop, QStringLiteral("−") + s);
  painter.drawText(text, Qt::AlignHCenter | Qt::AlignTop, QStringLiteral("0"));
  painter.drawText(text, Qt::AlignRight | Qt::AlignTop, QStringLiteral("+") + s);
}

ScoreBars::ScoreBars(QWidget* parent) : QWidget(parent) {
  setToolTip(tr("Class probabilities of the instance's region: grey on X, blue on X̃"));
  setMinimumHeight(60);
}

void ScoreBars::setRows(std::vector<Row> rows) {
  m_rows = std::move(rows);
  updateGeometry();
  update();
}

QSize ScoreBars::sizeHint() const {
  return QSize(240, 14 + static_cast<int>(std::max<std::size_t>(m_rows.size(), 3)) * 18);
}

void ScoreBars::paintEvent(QPaintEvent*) {
  QPainter painter(this);
  QFont font = painter.font();
  font.setPixelSize(11);
  painter.setFont(font);
  const QFontMetrics metrics(font);
  const int nameWidth = std::min(width() / 2, 96);
  const int rowHeight = 18;
  int y = 2;
  if (m_rows.empty()) {
    painter.setPen(QColor(0x80, 0x87, 0x92));
    painter.drawText(rect(), Qt::AlignCenter, tr("No scores yet"));
    return;
  }
  for (const Row& row : m_rows) {
    QString name = row.name;
    if (row.isTarget) name = QStringLiteral("▶ ") + name;
    painter.setPen(row.isTarget ? QColor(0xff, 0xd0, 0x60) : palette().color(QPalette::WindowText));
    painter.drawText(QRect(0, y, nameWidth - 4, rowHeight), Qt::AlignVCenter | Qt::AlignLeft,
                     metrics.elidedText(name, Qt::ElideRight, nameWidth - 4));
    const int barWidth = width() - nameWidth - 74;
    painter.fillRect(QRect(nameWidth, y + 3, static_cast<int>(barWidth * row.before), 5), QColor(0x80, 0x87, 0x92));
    painter.fillRect(QRect(nameWidth, y + 9, static_cast<int>(barWidth * row.after), 5), QColor(0x3d, 0x8b, 0xfd));
    painter.setPen(palette().color(QPalette::WindowText));
    painter.drawText(QRect(width() - 72, y, 72, rowHeight), Qt::AlignVCenter | Qt::AlignRight,
                     QStringLiteral("%1→%2").arg(row.before, 0, 'f', 2).arg(row.after, 0, 'f', 2));
    y += rowHeight;
  }
}

std::vector<counterfactual::PredictedInstance> predictionsFrom(
    const std::vector<counterfactual::PredictedInstance>& predictions, double minimumScore) {
  std::vector<counterfactual::PredictedInstance> kept;
  for (const auto& prediction : predictions)
    if (prediction.score >= minimumScore) kept.push_back(prediction);
  return kept;
}

}  // namespace counterscope::ui
