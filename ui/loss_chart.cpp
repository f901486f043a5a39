#include "ui/loss_chart.h"

#include <algorithm>
#include <cmath>

#include <QChart>
#include <QChartView>
#include <QLineSeries>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>

#include "ui/chart_style.h"

namespace counterscope::ui {

namespace {
constexpr int kRefreshMs = 200;  // at most five redraws per second
}

LossChart::LossChart(QWidget* parent)
    : QWidget(parent), m_chart(new QChart), m_x(new QValueAxis), m_y(new QValueAxis), m_refresh(new QTimer(this)) {
  m_view = createChartView(m_chart);
  m_view->setParent(this);
  m_chart->setTitle(tr("Training loss (smoothed)"));
  m_x->setTitleText(tr("iteration"));
  m_x->setLabelFormat(QStringLiteral("%d"));
  m_y->setLabelFormat(QStringLiteral("%.3g"));
  m_x->setRange(0, 1);
  m_y->setRange(0, 1);
  m_chart->addAxis(m_x, Qt::AlignBottom);
  m_chart->addAxis(m_y, Qt::AlignLeft);
  m_chart->legend()->hide();
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(m_view);
  m_refresh->setInterval(kRefreshMs);
  m_refresh->setSingleShot(true);
  connect(m_refresh, &QTimer::timeout, this, &LossChart::flush);
}

QLineSeries* LossChart::seriesFor(const QString& metric) {
  if (auto* series = m_series.value(metric)) return series;
  auto* series = new QLineSeries;
  series->setName(metric);
  series->setUseOpenGL(false);
  m_chart->addSeries(series);
  series->attachAxis(m_x);
  series->attachAxis(m_y);
  QPen pen(m_series.isEmpty() ? overallColor() : commonColor());
  pen.setWidthF(1.6);
  series->setPen(pen);
  m_series.insert(metric, series);
  if (m_series.size() > 1) m_chart->legend()->show();
  return series;
}

void LossChart::setPoints(const QString& metric, const QList<QPointF>& points) {
  m_pending.remove(metric);
  seriesFor(metric)->replace(points);
  updateAxes();
}

void LossChart::appendPoint(const QString& metric, const QPointF& point) {
  m_pending[metric].append(point);
  if (!m_refresh->isActive()) m_refresh->start();
}

void LossChart::clear() {
  m_pending.clear();
  for (auto* series : std::as_const(m_series)) series->clear();
  updateAxes();
}

qsizetype LossChart::drawnPointCount(const QString& metric) const {
  const auto* series = m_series.value(metric);
  return series ? series->count() : 0;
}

void LossChart::flush() {
  for (auto it = m_pending.cbegin(); it != m_pending.cend(); ++it) seriesFor(it.key())->append(it.value());
  m_pending.clear();
  updateAxes();
}

void LossChart::updateAxes() {
  double minX = 0, maxX = 1, minY = 0, maxY = 0;
  bool any = false;
  for (const auto* series : std::as_const(m_series)) {
    const auto points = series->points();
    for (const QPointF& point : points) {
      if (!std::isfinite(point.y())) continue;
      maxX = std::max(maxX, point.x());
      maxY = any ? std::max(maxY, point.y()) : point.y();
      minY = any ? std::min(minY, point.y()) : point.y();
      any = true;
    }
  }
  if (!any) {
    minY = 0;
    maxY = 1;
  }
  // Losses are positive: anchor the axis at 0 unless all values sit far above it.
  if (minY > 0 && minY < 0.5 * maxY) minY = 0;
  const double pad = std::max(1e-6, (maxY - minY) * 0.05);
  m_x->setRange(minX, maxX);
  m_y->setRange(minY == 0 ? 0 : minY - pad, maxY + pad);
}

}  // namespace counterscope::ui
