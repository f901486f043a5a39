#pragma once
// The live loss chart of the Jobs dock: one line series per plotted metric (the smoothed training loss),
// points buffered and drawn at most five times per second however fast the job reports.

#include <QHash>
#include <QList>
#include <QPointF>
#include <QString>
#include <QWidget>

class QChart;
class QChartView;
class QLineSeries;
class QTimer;
class QValueAxis;

namespace counterscope::ui {

class LossChart : public QWidget {
  Q_OBJECT

 public:
  explicit LossChart(QWidget* parent = nullptr);

  /// Replaces what is shown (switching jobs): the points of `metric` so far.
  void setPoints(const QString& metric, const QList<QPointF>& points);
  /// Adds one point; drawn with the next refresh.
  void appendPoint(const QString& metric, const QPointF& point);
  void clear();
  /// Points drawn so far (tests).
  qsizetype drawnPointCount(const QString& metric) const;

 private:
  QLineSeries* seriesFor(const QString& metric);
  void flush();
  void updateAxes();

  QChart* m_chart;
  QChartView* m_view;
  QValueAxis* m_x;
  QValueAxis* m_y;
  QTimer* m_refresh;
  QHash<QString, QLineSeries*> m_series;
  QHash<QString, QList<QPointF>> m_pending;
};

}  // namespace counterscope::ui
