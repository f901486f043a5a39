#pragma once
// The QtCharts of the metrics view, each built from evaluations only (no widget state): grouped AP bars per
// model, per-category AP against training images (log axis) coloured by frequency group, precision-recall
// curves, and TIDE dAP per error type. The caller owns the returned chart (give it to a QChartView).

#include <memory>
#include <optional>

#include <QList>
#include <QString>

#include "core/data/lvis/dataset.h"
#include "core/evaluation/error_analysis.h"
#include "core/evaluation/evaluation_result.h"

class QChart;

namespace counterscope::ui {

/// One evaluated model as the metrics charts read it.
struct ModelMetrics {
  QString name;
  const evaluation::EvaluationResult* box = nullptr;
  const evaluation::EvaluationResult* mask = nullptr;  ///< null for box-only results
  const evaluation::ErrorAnalysis* errors = nullptr;   ///< the analysis shown (mask when present)
};

/// Bars AP, APr, APc, APf for box and mask, one bar set per model (percent; undefined values as 0).
QChart* createApBarsChart(const QList<ModelMetrics>& models);
/// dAP (percent) per TIDE error type, one bar set per model.
QChart* createErrorBarsChart(const QList<ModelMetrics>& models);
/// Per-category AP (percent) against training images, log x axis, one scatter series per frequency group.
/// Categories without a defined AP or without training images are left out.
QChart* createApScatterChart(const evaluation::EvaluationResult& result, const data::Dataset& dataset,
                             const QString& title);
/// Precision against recall (averaged over the IoU thresholds): all categories, each frequency group,
/// and the category at `categoryIndex` (into result.categories) when given.
QChart* createPrCurveChart(const evaluation::EvaluationResult& result, std::optional<std::size_t> categoryIndex,
                           const QString& title);

/// Training images of a category as the charts use them: Category::image_count, else its images in `dataset`.
std::int64_t categoryTrainImages(const data::Dataset& dataset, std::int64_t categoryId);

}  // namespace counterscope::ui
