// The metrics view's models: the per-category table (values, undefined entries, sorting through the proxy,
// the search filter), its CSV export in the shown order, the charts built from evaluations, and the view fed
// with two models.

#include <memory>

#include <QBarSeries>
#include <QBarSet>
#include <QChart>
#include <QFile>
#include <QScatterSeries>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTableView>
#include <QtTest>

#include "tests/test_paths.h"
#include "ui/metrics_category_model.h"
#include "ui/metrics_charts.h"
#include "ui/metrics_view.h"
#include "ui/model_registry.h"

using namespace counterscope;
using namespace counterscope::ui;

namespace {

evaluation::CategoryEvaluation category(std::int64_t id, const char* name, data::Frequency frequency, double ap,
                                        std::uint32_t truths) {
  evaluation::CategoryEvaluation c;
  c.category_id = id;
  c.name = name;
  c.frequency = frequency;
  c.ap = ap;
  c.ap50 = ap < 0 ? -1 : std::min(1.0, ap + 0.1);
  c.truth_count = truths;
  c.detection_count = truths * 2;
  return c;
}

std::shared_ptr<data::Dataset> makeDataset() {
  auto dataset = std::make_shared<data::Dataset>();
  const struct {
    std::int64_t id;
    const char* name;
    data::Frequency frequency;
    std::int64_t images;
  } categories[] = {{1, "acorn", data::Frequency::rare, 3},
                    {2, "bagel", data::Frequency::common, 40},
                    {3, "cat", data::Frequency::frequent, 900},
                    {4, "dog, small", data::Frequency::frequent, 500}};
  for (const auto& c : categories) {
    data::Category category;
    category.id = c.id;
    category.name = c.name;
    category.frequency = c.frequency;
    category.image_count = c.images;
    dataset->categories.push_back(category);
  }
  dataset->build_indexes();
  return dataset;
}

std::shared_ptr<evaluation::EvaluationResult> makeResult(double scale) {
  auto result = std::make_shared<evaluation::EvaluationResult>();
  result->iou_type = evaluation::IouType::segm;
  result->categories = {category(1, "acorn", data::Frequency::rare, 0.10 * scale, 2),
                        category(2, "bagel", data::Frequency::common, 0.45 * scale, 5),
                        category(3, "cat", data::Frequency::frequent, 0.80 * scale, 9),
                        category(4, "dog, small", data::Frequency::frequent, -1, 0)};
  result->metrics.ap = 0.45 * scale;
  result->metrics.ap_rare = 0.10 * scale;
  result->metrics.ap_common = 0.45 * scale;
  result->metrics.ap_frequent = 0.80 * scale;
  return result;
}

QStringList column(const QAbstractItemModel& model, int column) {
  QStringList values;
  for (int row = 0; row < model.rowCount(); ++row) values.append(model.index(row, column).data().toString());
  return values;
}

}  // namespace

class TestMetricsModels : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("CounterscopeTests"));
    QCoreApplication::setApplicationName(QStringLiteral("test_metrics_models"));
  }

  void showsValuesAndUndefinedEntries() {
    MetricsCategoryModel model;
    model.setEvaluation(makeResult(1.0), makeDataset());
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.columnCount(), static_cast<int>(MetricsCategoryModel::ColumnCount));
    QCOMPARE(model.index(1, MetricsCategoryModel::CategoryColumn).data().toString(), QStringLiteral("bagel"));
    QCOMPARE(model.index(1, MetricsCategoryModel::GroupColumn).data().toString(), QStringLiteral("common"));
    QCOMPARE(model.index(1, MetricsCategoryModel::TrainImagesColumn).data().toLongLong(), 40);
    QCOMPARE(model.index(1, MetricsCategoryModel::ApColumn).data().toString(), QStringLiteral("45.0"));
    QCOMPARE(model.index(3, MetricsCategoryModel::ApColumn).data().toString(), QStringLiteral("—"));
    QCOMPARE(model.index(3, MetricsCategoryModel::ApColumn).data(MetricsCategoryModel::SortRole).toDouble(), -1.0);
    model.setEvaluation(nullptr, nullptr);
    QCOMPARE(model.rowCount(), 0);
  }

  void sortsByAnyColumnWithUndefinedLast() {
    MetricsCategoryModel model;
    model.setEvaluation(makeResult(1.0), makeDataset());
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(MetricsCategoryModel::SortRole);
    proxy.sort(MetricsCategoryModel::ApColumn, Qt::DescendingOrder);
    QCOMPARE(column(proxy, MetricsCategoryModel::CategoryColumn),
             QStringList({"cat", "bagel", "acorn", "dog, small"}));
    proxy.sort(MetricsCategoryModel::ApColumn, Qt::AscendingOrder);
    QCOMPARE(column(proxy, MetricsCategoryModel::CategoryColumn),
             QStringList({"dog, small", "acorn", "bagel", "cat"}));
    // Numeric, not textual: 900 sorts above 500 and 40 above 3.
    proxy.sort(MetricsCategoryModel::TrainImagesColumn, Qt::DescendingOrder);
    QCOMPARE(column(proxy, MetricsCategoryModel::TrainImagesColumn), QStringList({"900", "500", "40", "3"}));
    proxy.sort(MetricsCategoryModel::CategoryColumn, Qt::DescendingOrder);
    QCOMPARE(column(proxy, MetricsCategoryModel::CategoryColumn).first(), QStringLiteral("dog, small"));
  }

  void exportsTheShownOrderAsCsv() {
    MetricsCategoryModel model;
    model.setEvaluation(makeResult(1.0), makeDataset());
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(MetricsCategoryModel::SortRole);
    proxy.sort(MetricsCategoryModel::ApColumn, Qt::DescendingOrder);
    const QString path = QStringLiteral(COUNTERSCOPE_TEST_TMP_DIR "/test_metrics_models.csv");
    QVERIFY(exportTableCsv(proxy, path).isEmpty());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
    const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 5);
    QCOMPARE(lines[0], QStringLiteral("Category,Group,Train images,GT,Dets,AP,AP50,AP75,APs,APm,APl,AR"));
    QVERIFY2(lines[1].startsWith(QStringLiteral("cat,frequent,900,9,18,0.80000000000000004,0.90000000000000002,")),
             qPrintable(lines[1]));
    // A name with a comma is quoted; undefined metrics are empty fields.
    QCOMPARE(lines[4], QStringLiteral("\"dog, small\",frequent,500,0,0,,,,,,,"));
    // The filter applies too.
    proxy.setFilterKeyColumn(MetricsCategoryModel::CategoryColumn);
    proxy.setFilterFixedString(QStringLiteral("AG"));
    proxy.setFilterCaseSensitivity(Qt::CaseInsensitive);
    const QStringList filtered = tableCsv(proxy).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(filtered.size(), 2);
    QVERIFY(filtered[1].startsWith(QStringLiteral("bagel,")));
    // An unwritable path is an error message, not a crash.
    QVERIFY(!exportTableCsv(proxy, QStringLiteral("/nonexistent-folder/x.csv")).isEmpty());
  }

  void chartsCarryTheEvaluations() {
    const auto dataset = makeDataset();
    const auto first = makeResult(1.0);
    const auto second = makeResult(0.5);
    std::unique_ptr<QChart> bars(createApBarsChart({{QStringLiteral("ce"), first.get(), first.get(), nullptr},
                                                    {QStringLiteral("seesaw"), second.get(), nullptr, nullptr}}));
    const auto series = bars->series();
    QCOMPARE(series.size(), 1);
    const auto sets = static_cast<QBarSeries*>(series.first())->barSets();
    QCOMPARE(sets.size(), 2);
    QCOMPARE(sets[0]->label(), QStringLiteral("ce"));
    QCOMPARE(sets[0]->count(), 8);
    QCOMPARE(sets[0]->at(1), 10.0);   // box APr, percent
    QCOMPARE(sets[1]->at(3), 40.0);   // seesaw box APf
    QCOMPARE(sets[1]->at(4), 0.0);    // no mask results

    std::unique_ptr<QChart> scatter(createApScatterChart(*first, *dataset, QStringLiteral("t")));
    int points = 0;
    for (auto* s : scatter->series()) points += static_cast<QScatterSeries*>(s)->count();
    QCOMPARE(points, 3);  // the undefined category is left out
    QCOMPARE(categoryTrainImages(*dataset, 3), 900);
  }

  void viewShowsModelsAndExports() {
    auto evaluationA = std::make_shared<ModelEvaluation>();
    evaluationA->box = *makeResult(0.9);
    evaluationA->mask = *makeResult(1.0);
    evaluationA->hasMask = true;
    auto evaluationB = std::make_shared<ModelEvaluation>();
    evaluationB->box = *makeResult(0.3);
    MetricsView view;
    view.resize(1000, 400);
    view.setModels({{QStringLiteral("ce"), evaluationA}, {QStringLiteral("seesaw"), evaluationB}}, makeDataset());
    QCOMPARE(view.modelCount(), 2);
    view.setMaskResults(true);
    QCOMPARE(view.categoryProxy()->rowCount(), 4);
    QCOMPARE(view.categoryProxy()->index(0, MetricsCategoryModel::ApColumn).data().toString(), QStringLiteral("80.0"));
    view.setCurrentModel(1);  // box only: the mask choice falls back to box
    QCOMPARE(view.categoryProxy()->index(0, MetricsCategoryModel::ApColumn).data().toString(), QStringLiteral("24.0"));
    const QString path = QStringLiteral(COUNTERSCOPE_TEST_TMP_DIR "/test_metrics_view.csv");
    QVERIFY(view.exportCsv(path).isEmpty());
    QVERIFY(QFile::exists(path));
    view.setModels({}, nullptr);
    QCOMPARE(view.categoryProxy()->rowCount(), 0);
  }
};

QTEST_MAIN(TestMetricsModels)
#include "test_metrics_models.moc"
