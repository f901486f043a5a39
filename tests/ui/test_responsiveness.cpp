// Responsiveness: the main window is driven (next image, layer toggles, dock tabs, job selection, thumbnail
// scrolling) while a detector training runs in the Jobs dock and thumbnails decode, and a 5 ms heartbeat
// timer measures the GUI thread's longest stall. Asserted: under 100 ms, less what a pause of the whole
// machine explains (see gui_stall_probe.h). Nothing else here is timed.

#include <algorithm>
#include <filesystem>

#include <QAction>
#include <QDockWidget>
#include <QListView>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabBar>
#include <QTimer>
#include <QtTest>

#include "tests/support/tiny_synthetic_world.h"
#include "tests/test_paths.h"
#include "tests/ui/gui_stall_probe.h"
#include "ui/image_browser.h"
#include "ui/job_factories.h"
#include "ui/jobs_dock.h"
#include "ui/main_window.h"
#include "ui/metrics_view.h"

using namespace counterscope;
using namespace counterscope::ui;

namespace {

namespace fs = std::filesystem;
const fs::path kRoot = fs::path(COUNTERSCOPE_TEST_TMP_DIR) / "test_responsiveness";

}  // namespace

class TestResponsiveness : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("CounterscopeTests"));
    QCoreApplication::setApplicationName(QStringLiteral("test_responsiveness"));
    fs::remove_all(kRoot);
    testing::TinyWorldOptions world;
    world.train_images = 120;  // enough thumbnails to keep the decoder busy while scrolling
    testing::write_tiny_world(kRoot / "world", world);
    testing::write_tiny_64px_model_config(kRoot / "model.json");
  }

  void guiThreadNeverStallsWhileTrainingAndBrowsing() {
    MainWindow window;
    window.resize(1280, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const QString annotations = QString::fromStdString((kRoot / "world" / "annotations" / "train.json").string());
    const QString images = QString::fromStdString((kRoot / "world" / "images").string());
    QSignalSpy ready(&window, &MainWindow::datasetReady);
    window.openDataset({annotations, images});
    QVERIFY(ready.wait(30000));

    TrainingJobSpec spec;
    spec.model = QString::fromStdString((kRoot / "model.json").string());
    spec.trainAnnotations = annotations;
    spec.imageRoot = images;
    spec.iterations = 400;  // more than the drive lasts; cancelled at the end
    spec.batchSize = 2;
    spec.checkpointPeriod = 1000;
    spec.logPeriod = 5;
    spec.outputDir = QString::fromStdString((kRoot / "train").string());
    JobRunner* runner = createTrainingRunner(spec, nullptr);
    int losses = 0;
    connect(runner, &JobRunner::metricPoint, this, [&losses](qint64, const QString& name) {
      if (name == QLatin1String("loss")) ++losses;
    });
    QSignalSpy shown(&window, &MainWindow::imageShown);
    window.jobsDock()->addJob(runner);
    QCOMPARE(runner->state(), JobState::Running);

    // Drive the window every 40 ms once the training steps have begun. The first second is a warm-up, not
    // measured: each action runs once, so that first-use costs (code paged in, fonts, chart set-up) are
    // paid before the stalls are.
    QTRY_VERIFY_WITH_TIMEOUT(losses > 0, 60000);
    const int lossesBefore = losses;
    auto* jobsDock = window.findChild<QDockWidget*>(QStringLiteral("jobsDock"));
    auto* metricsDock = window.findChild<QDockWidget*>(QStringLiteral("metricsDock"));
    QVERIFY(jobsDock && metricsDock);
    QListView* thumbnails = window.browser()->view();
    int step = 0;
    QTimer driver;
    driver.setInterval(40);
    connect(&driver, &QTimer::timeout, this, [&] {
      ++step;
      window.browser()->selectNext();
      if (step % 5 == 0) window.actions().showMasks->toggle();
      if (step % 7 == 0) window.actions().showBoxes->toggle();
      if (step % 9 == 0) (step % 18 == 0 ? jobsDock : metricsDock)->raise();
      if (step % 11 == 0) window.jobsDock()->selectJob(runner);  // rebuilds the chart and the log view
      QScrollBar* bar = thumbnails->verticalScrollBar();
      bar->setValue(bar->value() + bar->pageStep() / 2 >= bar->maximum() ? 0 : bar->value() + bar->pageStep() / 2);
    });
    driver.start();
    QTest::qWait(1000);
    test::GuiStallProbe heartbeat(5);
    heartbeat.start();
    const int stepsBefore = step;
    QTest::qWait(4000);
    QTRY_VERIFY_WITH_TIMEOUT(losses > lossesBefore, 60000);  // the training advanced while driven
    driver.stop();
    heartbeat.stop();
    runner->cancel();
    QTRY_VERIFY_WITH_TIMEOUT(!runner->isActive(), 60000);

    const double stall = heartbeat.longestApplicationStallMs();
    qInfo("GUI thread: longest gap %s over %d heartbeats; longest machine pause %.1f ms; longest stall of the "
          "application %.1f ms; %d driver steps, %lld images shown, %d loss points during the drive",
          heartbeat.describeLongestGap().c_str(), heartbeat.ticks(), heartbeat.longestMachinePauseMs(), stall,
          step - stepsBefore, static_cast<long long>(shown.count()), losses - lossesBefore);
    QVERIFY(step - stepsBefore >= 20);
    QVERIFY(shown.count() >= 3);
    QVERIFY2(stall < 100.0, qPrintable(QStringLiteral("longest stall %1 ms").arg(stall)));
  }
};

QTEST_MAIN(TestResponsiveness)
#include "test_responsiveness.moc"
