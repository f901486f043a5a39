// Compare: two models side by side on the same image and instance. Through the main window on the tiny
// explain world with two detectors (the same weights under two files): Compare opens on the picked instance
// with the shown model on the left and the other on the right, zoom and pan follow from either side, both
// sides are explained for the same target (same weights: the same outcome), and --screenshot --compare saves
// the Compare window once both explanations are done.

#include <filesystem>
#include <utility>

#include <QScrollBar>
#include <QSignalSpy>
#include <QtTest>

#include "tests/test_paths.h"
#include "tests/ui/tiny_explain_world.h"
#include "ui/compare_view.h"
#include "ui/image_canvas.h"
#include "ui/main_window.h"
#include "ui/model_registry.h"
#include "ui/screenshot_session.h"

using namespace counterscope;
using namespace counterscope::ui;

namespace {
const QString scratch = QStringLiteral(COUNTERSCOPE_TEST_TMP_DIR "/test_compare_view");

/// The outcome line without its last field (the time taken, which differs between two runs).
QString withoutTime(const QString& outcome) { return outcome.left(outcome.lastIndexOf(QStringLiteral("·"))); }
}  // namespace

class TestCompareView : public QObject {
  Q_OBJECT

 private:
  testing::TinyExplainWorld m_world;
  QString m_secondWeights;

  void addBothModels(MainWindow& window) {
    const QString config = QString::fromStdString(m_world.config);
    window.models()->addWeights(config, QString::fromStdString(m_world.weights));
    window.models()->addWeights(config, m_secondWeights);
  }
  DatasetSource source() const {
    return {QString::fromStdString(m_world.annotations), QString::fromStdString(m_world.images)};
  }
  /// Runs `counterscope --screenshot OUTPUT --image-id 1 --ann-id 12 --target grass --compare` on `window`;
  /// returns the session's (exit code, message), or (-1, "timed out").
  std::pair<int, QString> compareScreenshot(MainWindow& window, const QString& output) {
    ScreenshotSession session(&window, output, 1);
    session.setExplanation(qint64{12}, QStringLiteral("grass"), 3);
    session.setCompare(true);
    QSignalSpy finished(&session, &ScreenshotSession::finished);
    session.start();
    window.show();
    window.openDataset(source());
    if (!finished.wait(180000)) return {-1, QStringLiteral("timed out")};
    return {finished.first().at(0).toInt(), finished.first().at(1).toString()};
  }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QDir(scratch).removeRecursively();
    QVERIFY(QDir().mkpath(scratch));
    m_world = testing::writeTinyExplainWorld(scratch.toStdString());
    m_secondWeights = scratch + QStringLiteral("/second.safetensors");
    QVERIFY(QFile::copy(QString::fromStdString(m_world.weights), m_secondWeights));
  }

  void nothingToCompareWithoutAnImage() {
    MainWindow window;
    window.showCompare();  // no dataset: a message, no window, no crash
    QVERIFY(window.findChild<CompareView*>() == nullptr);
  }

  void bothSidesExplainTheSameInstanceWithSynchronisedZoom() {
    MainWindow window;
    window.resize(1280, 800);
    addBothModels(window);
    window.show();
    QSignalSpy ready(&window, &MainWindow::datasetReady);
    window.openDataset(source());
    QVERIFY(ready.wait(30000));
    QSignalSpy shown(&window, &MainWindow::imageShown);
    QVERIFY(window.showImageId(1));
    QTRY_VERIFY_WITH_TIMEOUT(!shown.isEmpty() && shown.last().at(0).toLongLong() == 1, 30000);
    QVERIFY(window.pickAnnotation(12));

    window.showCompare();
    auto* view = window.findChild<CompareView*>();
    QVERIFY(view != nullptr);
    QVERIFY(view->isVisible());
    QCOMPARE(view->model(0), 0);
    QCOMPARE(view->model(1), 1);

    // Zoom and pan on either side move the other.
    view->canvas(0)->zoomIn();
    view->canvas(0)->zoomIn();
    QCOMPARE(view->canvas(1)->transform(), view->canvas(0)->transform());
    view->canvas(1)->zoomOut();
    QCOMPARE(view->canvas(0)->transform(), view->canvas(1)->transform());
    view->canvas(0)->horizontalScrollBar()->setValue(view->canvas(0)->horizontalScrollBar()->maximum());
    QCOMPARE(view->canvas(1)->horizontalScrollBar()->value(), view->canvas(0)->horizontalScrollBar()->value());

    QVERIFY(view->setTarget(QStringLiteral("grass")));
    // Explaining with a model that is still loading is refused (the side says so): wait for both.
    for (int model = 0; model < 2; ++model)
      QTRY_VERIFY_WITH_TIMEOUT(window.models()->entry(model).state != ModelEntry::State::loading, 60000);
    QSignalSpy finished(view, &CompareView::explanationsFinished);
    view->explainBoth();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
    for (int side = 0; side < 2; ++side) {
      QVERIFY2(view->outcomeText(side).contains(QStringLiteral("attained")), qPrintable(view->outcomeText(side)));
      QVERIFY(!view->mapImage(side).isNull());
    }
    // The same weights on both sides: the same outcome, measure for measure (the model name aside).
    QString left = withoutTime(view->outcomeText(0)), right = withoutTime(view->outcomeText(1));
    left.remove(QStringLiteral("model.safetensors"));
    right.remove(QStringLiteral("second.safetensors"));
    QCOMPARE(left.section(QStringLiteral("score gain"), 1), right.section(QStringLiteral("score gain"), 1));
  }

  void screenshotOfCompareWaitsForBothSides() {
    MainWindow window;
    addBothModels(window);
    const QString output = scratch + QStringLiteral("/compare.png");
    const auto [exitCode, message] = compareScreenshot(window, output);
    QVERIFY2(exitCode == 0, qPrintable(message));
    auto* view = window.findChild<CompareView*>();
    QVERIFY(view != nullptr);
    const QImage shot(output);
    QVERIFY(!shot.isNull());
    QCOMPARE(shot.size(), view->size() * view->devicePixelRatio());
    for (int side = 0; side < 2; ++side) QVERIFY(!view->mapImage(side).isNull());
  }

  void compareScreenshotNeedsTwoModels() {
    MainWindow window;
    window.models()->addWeights(QString::fromStdString(m_world.config), QString::fromStdString(m_world.weights));
    const auto [exitCode, message] = compareScreenshot(window, scratch + QStringLiteral("/one_model.png"));
    QCOMPARE(exitCode, 1);
    QVERIFY2(message.contains(QStringLiteral("two models")), qPrintable(message));
    QVERIFY(!QFile::exists(scratch + QStringLiteral("/one_model.png")));
  }
};

QTEST_MAIN(TestCompareView)
#include "test_compare_view.moc"
