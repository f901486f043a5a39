#include "ui/chart_style.h"

#include <QChart>
#include <QChartView>
#include <QFont>
#include <QGraphicsLayout>
#include <QPainter>

namespace counterscope::ui {

void styleChart(QChart* chart) {
  chart->setTheme(QChart::ChartThemeDark);
  chart->setBackgroundBrush(QColor(0x1d, 0x20, 0x25));
  chart->setBackgroundRoundness(0);
  chart->setMargins(QMargins(4, 4, 4, 4));
  chart->layout()->setContentsMargins(0, 0, 0, 0);
  chart->setAnimationOptions(QChart::NoAnimation);  // live updates must not queue animations
  QFont title = chart->titleFont();
  title.setPointSizeF(9.5);
  title.setBold(true);
  chart->setTitleFont(title);
  chart->setTitleBrush(QColor(0xdf, 0xe3, 0xe8));
  QFont legend = chart->legend()->font();
  legend.setPointSizeF(8.5);
  chart->legend()->setFont(legend);
  chart->legend()->setLabelColor(QColor(0xb8, 0xbe, 0xc8));
}

QChartView* createChartView(QChart* chart) {
  styleChart(chart);
  auto* view = new QChartView(chart);
  view->setRenderHint(QPainter::Antialiasing);
  view->setMinimumSize(240, 160);
  return view;
}

QColor rareColor() { return QColor(0xef, 0x6b, 0x73); }
QColor commonColor() { return QColor(0xf2, 0xb5, 0x4a); }
QColor frequentColor() { return QColor(0x4f, 0xb0, 0x8c); }
QColor overallColor() { return QColor(0x3d, 0x8b, 0xfd); }

}  // namespace counterscope::ui
