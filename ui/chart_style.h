#pragma once
// One look for every QtCharts chart of the application: the dark theme matched to the window palette,
// compact margins, small fonts (the charts live in docks), and the frequency-group colours.

#include <QColor>

class QChart;
class QChartView;

namespace counterscope::ui {

void styleChart(QChart* chart);
/// A view with antialiasing and the chart styled, parented to nothing.
QChartView* createChartView(QChart* chart);

/// Colours of the LVIS frequency groups (rare, common, frequent) and of "all".
QColor rareColor();
QColor commonColor();
QColor frequentColor();
QColor overallColor();

}  // namespace counterscope::ui
