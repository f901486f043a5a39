// The real LVIS v0.5 annotations (100 val images) opened as a user would: loaded in the background,
// image 196141 shown with its photo and its 13 ground-truth annotations drawn on the canvas.

#include <QAction>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QtTest>

#include "tests/test_paths.h"
#include "ui/annotation_item.h"
#include "ui/annotation_table_model.h"
#include "ui/app_status_bar.h"
#include "ui/dataset_document.h"
#include "ui/image_browser.h"
#include "ui/image_canvas.h"
#include "ui/image_list_model.h"
#include "ui/image_scene.h"
#include "ui/main_window.h"

using namespace counterscope;
using namespace counterscope::ui;

namespace {

const QString annotationPath = QStringLiteral(COUNTERSCOPE_REFS_DIR "/lvis/lvis_v0.5_val_100.json");
// The one photo available is lvis/images/val2017/000000196141.jpg; "lvis/" as root resolves it through
// coco_url (images/val2017/...). A root without images makes the canvas draw the ground truth on an empty
// frame.
const QString imageRoot = QStringLiteral(COUNTERSCOPE_REFS_DIR "/lvis/");
const QString rootWithoutPhoto = QStringLiteral(COUNTERSCOPE_TEST_TMP_DIR);
constexpr qint64 imageId = 196141;

}  // namespace

class TestLvisCanvas : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);  // recent files go to a test settings folder
    QCoreApplication::setOrganizationName(QStringLiteral("CounterscopeTests"));
    QCoreApplication::setApplicationName(QStringLiteral("test_lvis_canvas"));
  }

  void documentLoadsInTheBackground() {
    DatasetDocument document;
    QSignalSpy changed(&document, &DatasetDocument::datasetChanged);
    QSignalSpy started(&document, &DatasetDocument::loadStarted);
    QSignalSpy progress(&document, &DatasetDocument::loadProgress);
    document.open({annotationPath, imageRoot});
    QCOMPARE(started.count(), 1);
    QCOMPARE(document.state(), DatasetDocument::State::loading);  // open() returned before the load ended
    QVERIFY(changed.wait(60000));
    QVERIFY2(document.isReady(), qPrintable(document.lastError()));
    QCOMPARE(document.stats().total.images, std::int64_t{100});
    QCOMPARE(document.stats().total.instances, std::int64_t{977});
    QCOMPARE(document.stats().total.categories, std::int64_t{1230});
    QCOMPARE(document.stats().format, data::DatasetFormat::lvis_v05);
    QVERIFY(document.imageIndexOf(imageId));
    QVERIFY(!progress.isEmpty());  // the core's progress reports reached the GUI thread as signals
  }

  void sceneOfImage196141() {
    DatasetDocument document;
    QSignalSpy changed(&document, &DatasetDocument::datasetChanged);
    document.open({annotationPath, imageRoot});
    QVERIFY(changed.wait(60000));
    const auto dataset = document.dataset();
    const std::size_t index = *document.imageIndexOf(imageId);
    auto scene = std::make_shared<const ImageScene>(buildImageScene(*dataset, index, imageRoot));
    QVERIFY2(scene->imageError.isEmpty(), qPrintable(scene->imageError));
    QCOMPARE(scene->image.size(), QSize(640, 429));
    QCOMPARE(scene->annotations.size(), std::size_t{13});
    for (const AnnotationGraphic& graphic : scene->annotations) {
      QVERIFY2(!graphic.mask.isNull(), qPrintable(graphic.categoryName));  // all 13 are polygons
      QVERIFY(!graphic.categoryName.isEmpty());
    }

    ImageCanvas canvas;
    canvas.resize(800, 600);
    QSignalSpy shown(&canvas, &ImageCanvas::sceneShown);
    canvas.showScene(scene);
    QCOMPARE(shown.count(), 1);
    QCOMPARE(shown.first().first().toLongLong(), imageId);
    QCOMPARE(canvas.annotationItemCount(), 13);
    QVERIFY(canvas.hasPhoto());
    QVERIFY(canvas.isFitMode());

    canvas.zoomIn();
    QVERIFY(!canvas.isFitMode());
    canvas.fitToWindow();
    QVERIFY(canvas.isFitMode());

    const qint64 someId = scene->annotations.front().annotationId;
    QVERIFY(canvas.highlightAnnotation(someId));
    QVERIFY(!canvas.highlightAnnotation(-5));
    QVERIFY(!canvas.highlightedAnnotation());

    // The wheel zooms around the cursor; a click on a mask picks its annotation.
    const double fitted = canvas.zoomFactor();
    const QPoint centre = canvas.viewport()->rect().center();
    QWheelEvent wheel(centre, canvas.viewport()->mapToGlobal(centre), QPoint(), QPoint(0, 120), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QCoreApplication::sendEvent(canvas.viewport(), &wheel);
    QVERIFY(canvas.zoomFactor() > fitted * 1.1);
    QVERIFY(!canvas.isFitMode());
    canvas.fitToWindow();

    // The largest annotation (first in the scene): click the centre pixel of its mask that lies inside it.
    const AnnotationGraphic& largest = scene->annotations.front();
    QPoint inside;
    bool found = false;
    for (int y = largest.mask.height() / 2; y < largest.mask.height() && !found; ++y)
      for (int x = largest.mask.width() / 2; x < largest.mask.width() && !found; ++x)
        if (qAlpha(largest.mask.pixel(x, y)) == maskFillAlpha) {
          inside = largest.maskOrigin + QPoint(x, y);
          found = true;
        }
    QVERIFY(found);
    QSignalSpy clicked(&canvas, &ImageCanvas::annotationClicked);
    canvas.show();
    const QPoint viewPoint = canvas.mapFromScene(QPointF(inside) + QPointF(0.5, 0.5));
    QTest::mouseClick(canvas.viewport(), Qt::LeftButton, Qt::NoModifier, viewPoint);
    QCOMPARE(clicked.count(), 1);
    const qint64 picked = clicked.first().first().toLongLong();
    QVERIFY(canvas.highlightedAnnotation());
    QCOMPARE(*canvas.highlightedAnnotation(), picked);

    canvas.clearScene(QStringLiteral("nothing"));
    QCOMPARE(canvas.annotationItemCount(), 0);

    // Without the photo: the reason is kept, the 13 annotations are still drawn.
    auto withoutPhoto = std::make_shared<const ImageScene>(buildImageScene(*dataset, index, rootWithoutPhoto));
    QVERIFY(withoutPhoto->image.isNull());
    QVERIFY2(withoutPhoto->imageError.contains(QStringLiteral("196141")), qPrintable(withoutPhoto->imageError));
    canvas.showScene(withoutPhoto);
    QCOMPARE(canvas.annotationItemCount(), 13);
    QVERIFY(!canvas.hasPhoto());
  }

  void mainWindowShowsTheImage() {
    MainWindow window;
    window.show();
    QSignalSpy ready(&window, &MainWindow::datasetReady);
    QSignalSpy shown(&window, &MainWindow::imageShown);
    window.showImageOnLoad(imageId);
    window.openDataset({annotationPath, imageRoot});
    QVERIFY(window.appStatusBar()->isShowingProgress());
    QVERIFY(ready.wait(60000));
    QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty() && shown.last().first().toLongLong() == imageId, 30000);

    QCOMPARE(window.canvas()->annotationItemCount(), 13);
    QVERIFY(window.canvas()->hasPhoto());
    QCOMPARE(window.annotationTable()->rowCount(), 13);
    QCOMPARE(window.browser()->model()->rowCount(), 100);
    QCOMPARE(window.browser()->countText(), QStringLiteral("100 images"));
    QVERIFY(!window.appStatusBar()->isShowingProgress());
    const QString stats = window.appStatusBar()->statsText();
    QVERIFY2(stats.contains(QStringLiteral("100 images")) && stats.contains(QStringLiteral("977 annotations")),
             qPrintable(stats));
    QVERIFY(stats.contains(QStringLiteral("LVIS v0.5")));

    // Layers: masks off reaches every item; boxes and labels too.
    window.actions().showMasks->setChecked(false);
    window.actions().showLabels->setChecked(false);
    QCOMPARE(window.canvas()->layers().masks, false);
    QCOMPARE(window.canvas()->layers().labels, false);
    QVERIFY(window.canvas()->layers().boxes);
    for (AnnotationItem* item : window.canvas()->annotationItems()) {
      QVERIFY(!item->childItems().first()->isVisible());
    }

    // Next image: a different image comes on the canvas.
    const int before = static_cast<int>(*window.browser()->currentImageIndex());
    shown.clear();
    window.actions().nextImage->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty(), 30000);
    QCOMPARE(static_cast<int>(*window.browser()->currentImageIndex()), before + 1);
    QVERIFY(shown.last().first().toLongLong() != imageId);
  }
};

QTEST_MAIN(TestLvisCanvas)
#include "test_lvis_canvas.moc"
