#pragma once
// The colours and names of TIDE error types on the canvas, the instance panel and the legend: one colour
// per detection outcome (true positive, Cls, Loc, Both, Dupe, Bkg, ignored) and one for missed ground truth.

#include <optional>

#include <QColor>
#include <QString>
#include <QWidget>

#include "core/evaluation/error_analysis.h"

namespace counterscope::ui {

/// Colour of a detection outcome; `std::nullopt` = not evaluated (no evaluation yet, or outside it).
QColor detectionLabelColor(std::optional<evaluation::DetectionLabel> label);
/// Colour of a ground truth's outcome (matched green, missed magenta, mistaken amber).
QColor truthLabelColor(evaluation::TruthLabel label);
/// Human-readable name: "true positive", "classification error", …; "not evaluated" for nullopt.
QString detectionLabelText(std::optional<evaluation::DetectionLabel> label);
QString truthLabelText(evaluation::TruthLabel label);

/// A compact horizontal legend of the detection outcomes and missed ground truth (colour chip + short name).
class ErrorLegend : public QWidget {
  Q_OBJECT

 public:
  explicit ErrorLegend(QWidget* parent = nullptr);
  QSize sizeHint() const override;
  QSize minimumSizeHint() const override { return sizeHint(); }

 protected:
  void paintEvent(QPaintEvent* event) override;
};

}  // namespace counterscope::ui
