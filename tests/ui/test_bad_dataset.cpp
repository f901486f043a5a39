// Bad annotation files: the window reports the file and the problem in its message banner and status bar,
// keeps working, and a later good file still opens.

#include <QFile>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QtTest>

#include "tests/test_paths.h"
#include "ui/app_status_bar.h"
#include "ui/dataset_document.h"
#include "ui/image_browser.h"
#include "ui/image_canvas.h"
#include "ui/image_list_model.h"
#include "ui/main_window.h"
#include "ui/message_banner.h"

using namespace counterscope;
using namespace counterscope::ui;

namespace {

QString scratchFile(const QString& name, const QByteArray& content) {
  const QString folder = QStringLiteral(COUNTERSCOPE_TEST_TMP_DIR "/test_bad_dataset");
  QDir().mkpath(folder);
  const QString path = folder + QLatin1Char('/') + name;
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) qFatal("cannot write %s", qPrintable(path));
  file.write(content);
  return path;
}

}  // namespace

class TestBadDataset : public QObject {
  Q_OBJECT

 private:
  /// Opens `path` in a fresh window and returns the message it failed with (empty when it loaded).
  static QString failureOf(MainWindow& window, const QString& path) {
    QSignalSpy failed(&window, &MainWindow::datasetFailed);
    QSignalSpy ready(&window, &MainWindow::datasetReady);
    window.openDataset({path, QStringLiteral(COUNTERSCOPE_TEST_TMP_DIR)});
    if (!QTest::qWaitFor([&] { return !failed.isEmpty() || !ready.isEmpty(); }, 30000)) return QStringLiteral("timeout");
    return failed.isEmpty() ? QString() : failed.first().first().toString();
  }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("CounterscopeTests"));
    QCoreApplication::setApplicationName(QStringLiteral("test_bad_dataset"));
  }

  void badFilesShowAnErrorAndNoCrash_data() {
    QTest::addColumn<QString>("path");
    QTest::newRow("missing file") << QStringLiteral(COUNTERSCOPE_TEST_TMP_DIR "/test_bad_dataset/absent.json");
    QTest::newRow("not JSON") << scratchFile(QStringLiteral("not_json.json"), "this is { not json");
    QTest::newRow("truncated") << scratchFile(QStringLiteral("truncated.json"),
                                              R"({"images": [{"id": 1, "width": 10, "height": 10)");
    QTest::newRow("annotation of unknown image")
        << scratchFile(QStringLiteral("unknown_image.json"),
                       R"({"images": [{"id": 1, "width": 10, "height": 10, "file_name": "a.jpg"}],
                           "categories": [{"id": 1, "name": "cat"}],
                           "annotations": [{"id": 1, "image_id": 99, "category_id": 1,
                                            "bbox": [0, 0, 2, 2], "area": 4, "segmentation": [[0,0,2,0,2,2]]}]})");
  }

  void badFilesShowAnErrorAndNoCrash() {
    QFETCH(QString, path);
    MainWindow window;
    window.show();
    const QString message = failureOf(window, path);
    QVERIFY2(!message.isEmpty() && message != QStringLiteral("timeout"), qPrintable(message));
    QCOMPARE(window.document()->state(), DatasetDocument::State::failed);
    QVERIFY(!window.banner()->isHidden());
    QCOMPARE(window.banner()->kind(), MessageBanner::Kind::error);
    // The message names the file at fault.
    QVERIFY2(message.contains(QFileInfo(path).fileName()), qPrintable(message));
    QVERIFY(window.banner()->text().contains(QFileInfo(path).fileName()));
    QCOMPARE(window.appStatusBar()->statsText(), QStringLiteral("Could not open the dataset"));
    QCOMPARE(window.canvas()->annotationItemCount(), 0);
    QCOMPARE(window.browser()->model()->rowCount(), 0);
  }

  void aGoodFileOpensAfterABadOne() {
    MainWindow window;
    window.show();
    QVERIFY(!failureOf(window, scratchFile(QStringLiteral("bad.json"), "[1, 2")).isEmpty());
    const QString good = failureOf(window, QStringLiteral(COUNTERSCOPE_REFS_DIR "/lvis/lvis_v0.5_val_100.json"));
    QVERIFY2(good.isEmpty(), qPrintable(good));
    QVERIFY(window.banner()->isHidden());
    QCOMPARE(window.browser()->model()->rowCount(), 100);
  }

  void replacingALoadCancelsIt() {
    DatasetDocument document;
    QSignalSpy changed(&document, &DatasetDocument::datasetChanged);
    QSignalSpy failed(&document, &DatasetDocument::loadFailed);
    document.open({QStringLiteral(COUNTERSCOPE_REFS_DIR "/lvis/lvis_v0.5_val_100.json"), QString()});
    document.close();  // while loading
    QCOMPARE(document.state(), DatasetDocument::State::empty);
    QTest::qWait(200);
    QVERIFY(changed.isEmpty());  // the cancelled load never lands
    QVERIFY(failed.isEmpty());
    QVERIFY(!document.dataset());
  }
};

QTEST_MAIN(TestBadDataset)
#include "test_bad_dataset.moc"
