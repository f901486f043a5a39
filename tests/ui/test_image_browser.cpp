// The browser panel on a hand-built dataset: the searchable category list, the frequency group, the
// count label, next/previous, and keeping the current image when a filter still shows it.

#include <memory>

#include <QComboBox>
#include <QCompleter>
#include <QListView>
#include <QSignalSpy>
#include <QtTest>

#include "tests/ui/tiny_dataset.h"
#include "ui/filter_bar.h"
#include "ui/image_browser.h"
#include "ui/image_list_model.h"
#include "ui/thumbnail_cache.h"

using namespace counterscope;
using namespace counterscope::ui;

class TestImageBrowser : public QObject {
  Q_OBJECT

 private:
  std::shared_ptr<const data::Dataset> m_dataset;

 private Q_SLOTS:
  void initTestCase() { m_dataset = std::make_shared<const data::Dataset>(testing::makeTinyDataset()); }

  void listsOnlyCategoriesThatOccur() {
    FilterBar bar;
    bar.setDataset(m_dataset);
    QComboBox* box = bar.categoryBox();
    QCOMPARE(box->count(), 4);  // "All categories", cat, newt, owl — yak has no annotation
    QCOMPARE(box->itemText(1), QStringLiteral("cat  (2)"));
    QCOMPARE(box->itemText(2), QStringLiteral("newt  (2)"));
    QCOMPARE(box->itemText(3), QStringLiteral("owl  (2)"));
  }

  void searchMatchesAnyPartOfTheName() {
    FilterBar bar;
    bar.setDataset(m_dataset);
    QCompleter* completer = bar.categoryBox()->completer();
    QVERIFY(completer != nullptr);
    completer->setCompletionPrefix(QStringLiteral("EW"));  // inside "newt", any case
    QCOMPARE(completer->completionCount(), 1);
    QCOMPARE(completer->currentCompletion(), QStringLiteral("newt  (2)"));
    completer->setCompletionPrefix(QStringLiteral("yak"));  // never annotated: not offered
    QCOMPARE(completer->completionCount(), 0);
  }

  void groupRestrictsTheCategoryList() {
    FilterBar bar;
    bar.setDataset(m_dataset);
    QSignalSpy changes(&bar, &FilterBar::filterChanged);
    bar.frequencyBox()->setCurrentIndex(bar.frequencyBox()->findData(static_cast<int>(data::Frequency::rare)));
    QCOMPARE(changes.count(), 1);
    QCOMPARE(bar.filter().frequency.value_or(data::Frequency::unknown), data::Frequency::rare);
    QCOMPARE(bar.categoryBox()->count(), 2);  // All + newt
    QCOMPARE(bar.categoryBox()->itemText(1), QStringLiteral("newt  (2)"));
  }

  void choosingACategoryEmitsTheFilter() {
    FilterBar bar;
    bar.setDataset(m_dataset);
    QSignalSpy changes(&bar, &FilterBar::filterChanged);
    bar.categoryBox()->setCurrentIndex(3);  // owl
    QCOMPARE(changes.count(), 1);
    const auto filter = changes.first().first().value<ImageFilter>();
    QCOMPARE(filter.categoryIndex.value_or(99), *m_dataset->category_index(3));
    QVERIFY(!filter.frequency);
  }

  void countsAndWalksTheFilteredList() {
    ImageBrowser browser;
    QSignalSpy current(&browser, &ImageBrowser::currentImageChanged);
    browser.setDataset(m_dataset, QStringLiteral("/nonexistent"));
    QCOMPARE(browser.countText(), QStringLiteral("5 images"));
    QCOMPARE(browser.currentImageIndex().value_or(99), std::size_t{0});
    QVERIFY(!current.isEmpty());
    QCOMPARE(current.last().first().toInt(), 0);

    browser.selectNext();
    browser.selectNext();
    QCOMPARE(browser.currentImageIndex().value_or(99), std::size_t{2});
    browser.selectPrevious();
    QCOMPARE(browser.currentImageIndex().value_or(99), std::size_t{1});

    // Image 20 (index 1) holds a rare category: it stays current when the filter switches to rare.
    ImageFilter rare;
    rare.frequency = data::Frequency::rare;
    browser.filterBar()->setFilter(rare);
    QCOMPARE(browser.countText(), QStringLiteral("2 of 5 images"));
    QCOMPARE(browser.currentImageIndex().value_or(99), std::size_t{1});
    browser.selectNext();
    QCOMPARE(browser.currentImageIndex().value_or(99), std::size_t{4});
    browser.selectNext();  // stays on the last row
    QCOMPARE(browser.currentImageIndex().value_or(99), std::size_t{4});

    // Common hides image 20 ... and 50 stays.
    ImageFilter common;
    common.frequency = data::Frequency::common;
    browser.filterBar()->setFilter(common);
    QCOMPARE(browser.currentImageIndex().value_or(99), std::size_t{4});
    QVERIFY(!browser.selectImage(0));  // image 10 is not in the filtered list
  }

  void emptyFilterResultReportsNoImage() {
    ImageBrowser browser;
    browser.setDataset(m_dataset, QString());
    QSignalSpy current(&browser, &ImageBrowser::currentImageChanged);
    ImageFilter none;
    none.categoryIndex = *m_dataset->category_index(4);  // yak: never annotated
    browser.filterBar()->setFilter(none);
    QCOMPARE(browser.model()->rowCount(), 0);
    QCOMPARE(browser.countText(), QStringLiteral("0 of 5 images"));
    QVERIFY(!current.isEmpty());
    QCOMPARE(current.last().first().toInt(), -1);
    browser.selectNext();  // no crash on an empty list
    QVERIFY(!browser.currentImageIndex());
  }

  void thumbnailsOfMissingFilesArePlaceholders() {
    ImageBrowser browser;
    browser.setDataset(m_dataset, QStringLiteral("/nonexistent"));
    const QModelIndex first = browser.model()->index(0);
    QVERIFY(browser.model()->data(first, Qt::DecorationRole).value<QPixmap>().size() ==
            QSize(96, 72));  // the loading placeholder, while the decode is queued
    QTRY_VERIFY_WITH_TIMEOUT(browser.thumbnails()->isCached(0), 10000);
    QCOMPARE(browser.thumbnails()->pendingCount(), 0);
  }
};

QTEST_MAIN(TestImageBrowser)
#include "test_image_browser.moc"
