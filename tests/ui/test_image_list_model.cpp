// ImageListModel and ImageFilter on a hand-built dataset: rows, roles, filters by category and by
// frequency group, the row <-> image mapping, and the edge cases (empty dataset, a category never seen).

#include <memory>

#include <QSignalSpy>
#include <QtTest>

#include "tests/ui/tiny_dataset.h"
#include "ui/image_filter.h"
#include "ui/image_list_model.h"

using namespace counterscope;
using namespace counterscope::ui;

class TestImageListModel : public QObject {
  Q_OBJECT

 private:
  std::shared_ptr<const data::Dataset> m_dataset;

  static QList<qlonglong> ids(const ImageListModel& model) {
    QList<qlonglong> result;
    for (int row = 0; row < model.rowCount(); ++row) {
      result.append(model.data(model.index(row), ImageListModel::ImageIdRole).toLongLong());
    }
    return result;
  }

 private Q_SLOTS:
  void initTestCase() { m_dataset = std::make_shared<const data::Dataset>(testing::makeTinyDataset()); }

  void emptyModelHasNoRows() {
    ImageListModel model;
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.totalImageCount(), 0);
    QVERIFY(!model.imageIndexAt(0));
    QVERIFY(!model.data(model.index(0), Qt::DisplayRole).isValid());
  }

  void listsAllImagesInFileOrder() {
    ImageListModel model;
    model.setDataset(m_dataset);
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(ids(model), (QList<qlonglong>{10, 20, 30, 40, 50}));
    QCOMPARE(model.data(model.index(1), ImageListModel::AnnotationCountRole).toInt(), 2);
    QCOMPARE(model.data(model.index(3), ImageListModel::AnnotationCountRole).toInt(), 0);
    QCOMPARE(model.data(model.index(0), ImageListModel::FileNameRole).toString(),
             QStringLiteral("000000000010.jpg"));
    const QString display = model.data(model.index(0), Qt::DisplayRole).toString();
    QVERIFY2(display.startsWith(QStringLiteral("10\n2 annotations")), qPrintable(display));
    QVERIFY(model.data(model.index(2), Qt::DisplayRole).toString().contains(QStringLiteral("1 annotation ·")));
    // Without a thumbnail cache there is no decoration (nothing is decoded).
    QVERIFY(!model.data(model.index(0), Qt::DecorationRole).isValid());
  }

  void filtersByCategory() {
    ImageListModel model;
    model.setDataset(m_dataset);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    ImageFilter filter;
    filter.categoryIndex = *m_dataset->category_index(2);  // newt
    model.setFilter(filter);
    QCOMPARE(resets.count(), 1);
    QCOMPARE(ids(model), (QList<qlonglong>{20, 50}));
    QCOMPARE(model.totalImageCount(), 5);
    model.setFilter(filter);  // unchanged: no reset
    QCOMPARE(resets.count(), 1);
  }

  void filtersByFrequencyGroup() {
    ImageListModel model;
    model.setDataset(m_dataset);
    ImageFilter filter;
    filter.frequency = data::Frequency::common;
    model.setFilter(filter);
    QCOMPARE(ids(model), (QList<qlonglong>{30, 50}));
    filter.frequency = data::Frequency::frequent;
    model.setFilter(filter);
    QCOMPARE(ids(model), (QList<qlonglong>{10, 20}));
    filter.frequency = data::Frequency::rare;
    model.setFilter(filter);
    QCOMPARE(ids(model), (QList<qlonglong>{20, 50}));
  }

  void combinesCategoryAndGroup() {
    ImageFilter filter;
    filter.categoryIndex = *m_dataset->category_index(1);  // cat, on images 10 and 20
    filter.frequency = data::Frequency::rare;              // newt is on 20 and 50
    QCOMPARE(filterImages(*m_dataset, filter), (std::vector<std::uint32_t>{1}));
  }

  void categoryNeverSeenGivesNoImages() {
    ImageListModel model;
    model.setDataset(m_dataset);
    ImageFilter filter;
    filter.categoryIndex = *m_dataset->category_index(4);  // yak: no annotation
    model.setFilter(filter);
    QCOMPARE(model.rowCount(), 0);
    filter.categoryIndex = 999;  // out of range: no rows, no crash
    model.setFilter(filter);
    QCOMPARE(model.rowCount(), 0);
  }

  void mapsRowsAndImages() {
    ImageListModel model;
    model.setDataset(m_dataset);
    ImageFilter filter;
    filter.frequency = data::Frequency::common;
    model.setFilter(filter);
    QCOMPARE(model.rowOfImage(4).value_or(-1), 1);  // image 50 is the second row
    QVERIFY(!model.rowOfImage(0));                  // image 10 is filtered out
    QVERIFY(!model.rowOfImage(77));
    QCOMPARE(model.imageIndexAt(0).value_or(99), std::size_t{2});
    QVERIFY(!model.imageIndexAt(2));
    QVERIFY(!model.imageIndexAt(-1));
  }

  void newDatasetClearsTheFilter() {
    ImageListModel model;
    model.setDataset(m_dataset);
    ImageFilter filter;
    filter.frequency = data::Frequency::rare;
    model.setFilter(filter);
    model.setDataset(m_dataset);
    QVERIFY(model.filter().isEmpty());
    QCOMPARE(model.rowCount(), 5);
    model.setDataset(nullptr);
    QCOMPARE(model.rowCount(), 0);
  }
};

QTEST_MAIN(TestImageListModel)
#include "test_image_list_model.moc"
