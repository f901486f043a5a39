#include "ui/metrics_charts.h"

#include <algorithm>
#include <cmath>

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QScatterSeries>
#include <QValueAxis>

#include "ui/chart_style.h"

namespace counterscope::ui {

namespace {

// Bar-set colours of successive models (the first matches the application's accent).
QColor modelColor(int i) {
  static const QColor colors[] = {QColor(0x3d, 0x8b, 0xfd), QColor(0xf2, 0xb5, 0x4a), QColor(0x4f, 0xb0, 0x8c),
                                  QColor(0xc0, 0x7c, 0xf0), QColor(0xef, 0x6b, 0x73), QColor(0x5c, 0xc8, 0xd8)};
  return colors[static_cast<std::size_t>(i) % (sizeof(colors) / sizeof(colors[0]))];
}

double percent(double value) { return value < 0 ? 0.0 : 100.0 * value; }

QValueAxis* percentAxis(double maximum, const QString& title) {
  auto* axis = new QValueAxis;
  axis->setRange(0, std::max(1.0, std::ceil(maximum * 1.1)));
  axis->setLabelFormat(QStringLiteral("%.0f"));
  axis->setTitleText(title);
  return axis;
}

QChart* barChart(const QStringList& categories, const QList<QBarSet*>& sets, double maximum, const QString& title,
                 const QString& valueTitle) {
  auto* chart = new QChart;
  styleChart(chart);
  chart->setTitle(title);
  auto* series = new QBarSeries;
  for (QBarSet* set : sets) series->append(set);
  chart->addSeries(series);
  auto* x = new QBarCategoryAxis;
  x->append(categories);
  chart->addAxis(x, Qt::AlignBottom);
  series->attachAxis(x);
  auto* y = percentAxis(maximum, valueTitle);
  chart->addAxis(y, Qt::AlignLeft);
  series->attachAxis(y);
  chart->legend()->setAlignment(Qt::AlignTop);
  chart->legend()->setVisible(!sets.isEmpty());
  return chart;
}

}  // namespace

std::int64_t categoryTrainImages(const data::Dataset& dataset, std::int64_t categoryId) {
  const auto k = dataset.category_index(categoryId);
  if (!k) return 0;
  const std::int64_t count = dataset.categories[*k].image_count;
  return count > 0 ? count : static_cast<std::int64_t>(dataset.images_of_category(*k).size());
}

QChart* createApBarsChart(const QList<ModelMetrics>& models) {
  const QStringList categories{QStringLiteral("AP"),      QStringLiteral("APr"),      QStringLiteral("APc"),
                               QStringLiteral("APf"),     QStringLiteral("mask AP"),  QStringLiteral("mask APr"),
                               QStringLiteral("mask APc"), QStringLiteral("mask APf")};
  QList<QBarSet*> sets;
  double maximum = 0;
  for (int i = 0; i < models.size(); ++i) {
    const ModelMetrics& model = models[i];
    if (!model.box) continue;
    auto* set = new QBarSet(model.name);
    set->setColor(modelColor(i));
    set->setBorderColor(modelColor(i));
    const auto& b = model.box->metrics;
    QList<double> values{percent(b.ap), percent(b.ap_rare), percent(b.ap_common), percent(b.ap_frequent)};
    if (model.mask) {
      const auto& m = model.mask->metrics;
      values << percent(m.ap) << percent(m.ap_rare) << percent(m.ap_common) << percent(m.ap_frequent);
    } else {
      values << 0 << 0 << 0 << 0;  // box-only results: no mask bars
    }
    for (double value : values) {
      set->append(value);
      maximum = std::max(maximum, value);
    }
    sets.append(set);
  }
  return barChart(categories, sets, maximum, QObject::tr("AP by frequency group (box · mask)"), QObject::tr("AP %"));
}

QChart* createErrorBarsChart(const QList<ModelMetrics>& models) {
  QStringList categories;
  for (std::size_t t = 0; t < evaluation::error_type_count; ++t)
    categories.append(QString::fromLatin1(evaluation::error_type_name(static_cast<evaluation::ErrorType>(t))));
  QList<QBarSet*> sets;
  double maximum = 0;
  for (int i = 0; i < models.size(); ++i) {
    if (!models[i].errors) continue;
    auto* set = new QBarSet(models[i].name);
    set->setColor(modelColor(i));
    set->setBorderColor(modelColor(i));
    for (const double dap : models[i].errors->overall.dap) {
      set->append(percent(dap));
      maximum = std::max(maximum, percent(dap));
    }
    sets.append(set);
  }
  return barChart(categories, sets, maximum, QObject::tr("dAP per error type (TIDE, AP50 gained by fixing)"),
                  QObject::tr("dAP %"));
}

QChart* createApScatterChart(const evaluation::EvaluationResult& result, const data::Dataset& dataset,
                             const QString& title) {
  auto* chart = new QChart;
  styleChart(chart);
  chart->setTitle(title);
  struct Group {
    data::Frequency frequency;
    QColor color;
  };
  const Group groups[] = {{data::Frequency::rare, rareColor()},
                          {data::Frequency::common, commonColor()},
                          {data::Frequency::frequent, frequentColor()}};
  auto* x = new QLogValueAxis;
  x->setBase(10);
  x->setLabelFormat(QStringLiteral("%g"));
  x->setTitleText(QObject::tr("training images (log)"));
  x->setMinorTickCount(-1);
  auto* y = new QValueAxis;
  y->setRange(0, 100);
  y->setLabelFormat(QStringLiteral("%.0f"));
  y->setTitleText(QObject::tr("AP %"));
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  double maxImages = 10;
  for (const Group& group : groups) {
    auto* series = new QScatterSeries;
    series->setName(group.frequency == data::Frequency::rare     ? QObject::tr("rare")
                    : group.frequency == data::Frequency::common ? QObject::tr("common")
                                                                 : QObject::tr("frequent"));
    series->setColor(group.color);
    series->setBorderColor(group.color.darker(140));
    series->setMarkerSize(7);
    for (const auto& category : result.categories) {
      if (category.frequency != group.frequency || category.ap < 0) continue;
      const std::int64_t images = categoryTrainImages(dataset, category.category_id);
      if (images <= 0) continue;
      series->append(static_cast<double>(images), 100.0 * category.ap);
      maxImages = std::max(maxImages, static_cast<double>(images));
    }
    chart->addSeries(series);
    series->attachAxis(x);
    series->attachAxis(y);
  }
  x->setRange(1, std::pow(10.0, std::ceil(std::log10(maxImages))));
  chart->legend()->setAlignment(Qt::AlignTop);
  return chart;
}

QChart* createPrCurveChart(const evaluation::EvaluationResult& result, std::optional<std::size_t> categoryIndex,
                           const QString& title) {
  auto* chart = new QChart;
  styleChart(chart);
  chart->setTitle(title);
  auto* x = new QValueAxis;
  x->setRange(0, 1);
  x->setTitleText(QObject::tr("recall"));
  x->setLabelFormat(QStringLiteral("%.1f"));
  auto* y = new QValueAxis;
  y->setRange(0, 1);
  y->setTitleText(QObject::tr("precision"));
  y->setLabelFormat(QStringLiteral("%.1f"));
  chart->addAxis(x, Qt::AlignBottom);
  chart->addAxis(y, Qt::AlignLeft);
  auto add = [&](const evaluation::PrecisionRecallCurve& curve, const QString& name, const QColor& color,
                 qreal width, Qt::PenStyle style) {
    if (curve.empty()) return;
    auto* series = new QLineSeries;
    series->setName(name);
    for (std::size_t i = 0; i < curve.precision.size() && i < curve.recall.size(); ++i)
      series->append(curve.recall[i], std::max(0.0, curve.precision[i]));
    QPen pen(color);
    pen.setWidthF(width);
    pen.setStyle(style);
    series->setPen(pen);
    chart->addSeries(series);
    series->attachAxis(x);
    series->attachAxis(y);
  };
  add(result.frequency_curve(data::Frequency::unknown), QObject::tr("all"), overallColor(), 2.2, Qt::SolidLine);
  add(result.frequency_curve(data::Frequency::rare), QObject::tr("rare"), rareColor(), 1.4, Qt::DashLine);
  add(result.frequency_curve(data::Frequency::common), QObject::tr("common"), commonColor(), 1.4, Qt::DashLine);
  add(result.frequency_curve(data::Frequency::frequent), QObject::tr("frequent"), frequentColor(), 1.4, Qt::DashLine);
  if (categoryIndex && *categoryIndex < result.categories.size()) {
    add(result.category_curve(*categoryIndex), QString::fromStdString(result.categories[*categoryIndex].name),
        Qt::white, 2.0, Qt::SolidLine);
  }
  chart->legend()->setAlignment(Qt::AlignRight);
  return chart;
}

}  // namespace counterscope::ui
