// --screenshot: in process (the session the executable uses) and through the real executable, as
// packaging/demo.sh runs it: the PNG exists and has the window's size; a bad dataset exits non-zero.

#include <QImage>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QtTest>

#include "tests/test_paths.h"
#include "ui/app_status_bar.h"
#include "ui/image_canvas.h"
#include "ui/main_window.h"
#include "ui/screenshot_session.h"

using namespace counterscope::ui;

namespace {

const QString annotationPath = QStringLiteral(COUNTERSCOPE_REFS_DIR "/lvis/lvis_v0.5_val_100.json");
const QString imageRoot = QStringLiteral(COUNTERSCOPE_REFS_DIR "/lvis/images");
const QString scratch = QStringLiteral(COUNTERSCOPE_TEST_TMP_DIR "/test_screenshot");

/// No display at all, as on a build server: the executable must pick the offscreen platform itself.
QProcessEnvironment headlessEnvironment() {
  QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
  for (const char* name : {"QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"}) {
    environment.remove(QString::fromLatin1(name));
  }
  // Keep the executable's QSettings (recent files) out of the user's configuration.
  environment.insert(QStringLiteral("XDG_CONFIG_HOME"), scratch + QStringLiteral("/config"));
  return environment;
}

}  // namespace

class TestScreenshot : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("CounterscopeTests"));
    QCoreApplication::setApplicationName(QStringLiteral("test_screenshot"));
    QDir(scratch).removeRecursively();
    QVERIFY(QDir().mkpath(scratch));
  }

  void sessionWritesTheWindow() {
    MainWindow window;
    const QString output = scratch + QStringLiteral("/in_process.png");
    ScreenshotSession session(&window, output, 196141);
    QSignalSpy finished(&session, &ScreenshotSession::finished);
    session.start();
    window.show();
    window.openDataset({annotationPath, imageRoot});
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.first().at(0).toInt(), 0);
    const QImage shot(output);
    QVERIFY(!shot.isNull());
    QCOMPARE(shot.size(), window.size() * window.devicePixelRatio());
    QCOMPARE(window.size(), QSize(1280, 800));
    QCOMPARE(window.canvas()->currentScene()->imageId, qint64{196141});
  }

  void sessionReportsAnUnknownImage() {
    MainWindow window;
    ScreenshotSession session(&window, scratch + QStringLiteral("/unknown.png"), 42);
    QSignalSpy finished(&session, &ScreenshotSession::finished);
    session.start();
    window.show();
    window.openDataset({annotationPath, imageRoot});
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.first().at(0).toInt(), 1);
    QVERIFY(finished.first().at(1).toString().contains(QStringLiteral("--image-id = 42")));
    QVERIFY(!QFile::exists(scratch + QStringLiteral("/unknown.png")));
  }

  void executableWritesThePng() {
    const QString output = scratch + QStringLiteral("/executable.png");
    QProcess process;
    process.setProcessEnvironment(headlessEnvironment());
    process.start(QStringLiteral(COUNTERSCOPE_APP_PATH),
                  {QStringLiteral("--ann"), annotationPath, QStringLiteral("--images"), imageRoot,
                   QStringLiteral("--screenshot"), output});
    QVERIFY(process.waitForFinished(90000));
    QVERIFY2(process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0,
             process.readAllStandardError().constData());
    const QImage shot(output);
    QVERIFY(!shot.isNull());
    QCOMPARE(shot.size(), QSize(1280, 800));
  }

  void executableOpensADemoWorld() {
    // The layout 'counterscope-cli synth --out DIR' writes: DIR/annotations/val.json, DIR/images/val2017/.
    const QString world = scratch + QStringLiteral("/world");
    QVERIFY(QDir().mkpath(world + QStringLiteral("/annotations")));
    QVERIFY(QDir().mkpath(world + QStringLiteral("/images")));
    QFile::remove(world + QStringLiteral("/annotations/val.json"));
    QVERIFY(QFile::copy(annotationPath, world + QStringLiteral("/annotations/val.json")));
    QFile::link(imageRoot + QStringLiteral("/val2017"), world + QStringLiteral("/images/val2017"));
    const QString output = scratch + QStringLiteral("/demo.png");
    QProcess process;
    process.setProcessEnvironment(headlessEnvironment());
    process.start(QStringLiteral(COUNTERSCOPE_APP_PATH),
                  {QStringLiteral("--demo"), QStringLiteral("--world"), world, QStringLiteral("--screenshot"), output,
                   QStringLiteral("--image-id"), QStringLiteral("196141")});
    QVERIFY(process.waitForFinished(90000));
    QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
    QCOMPARE(QImage(output).size(), QSize(1280, 800));  // long status texts must not widen the window
  }

  void demoModeSaysItShowsTheDemoWorld() {
    MainWindow window;
    window.setDemoMode(true);
    QVERIFY(window.appStatusBar()->modelText().contains(QStringLiteral("Demo world")));
    window.setDemoMode(false);
    QVERIFY(!window.appStatusBar()->modelText().contains(QStringLiteral("demo")));
  }

  void executableFailsOnABadDataset() {
    const QString output = scratch + QStringLiteral("/bad.png");
    QProcess process;
    process.setProcessEnvironment(headlessEnvironment());
    process.start(QStringLiteral(COUNTERSCOPE_APP_PATH),
                  {QStringLiteral("--ann"), scratch + QStringLiteral("/absent.json"), QStringLiteral("--images"),
                   scratch, QStringLiteral("--screenshot"), output});
    QVERIFY(process.waitForFinished(90000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 1);
    const QString error = QString::fromLocal8Bit(process.readAllStandardError());
    QVERIFY2(error.contains(QStringLiteral("absent.json")), qPrintable(error));
    QVERIFY(!QFile::exists(output));
  }

  void executableHelpNeedsNoDisplay() {
    QProcess process;
    process.setProcessEnvironment(headlessEnvironment());
    process.start(QStringLiteral(COUNTERSCOPE_APP_PATH), {QStringLiteral("--help")});
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitCode(), 0);
    QVERIFY(QString::fromLocal8Bit(process.readAllStandardOutput()).contains(QStringLiteral("--screenshot")));
  }

  void executableWithoutDisplayNeedsScreenshot() {
    QProcess process;
    process.setProcessEnvironment(headlessEnvironment());
    process.start(QStringLiteral(COUNTERSCOPE_APP_PATH),
                  {QStringLiteral("--ann"), annotationPath, QStringLiteral("--images"), imageRoot});
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);  // a message, not Qt's abort
    QCOMPARE(process.exitCode(), 1);
    QVERIFY(QString::fromLocal8Bit(process.readAllStandardError()).contains(QStringLiteral("no display")));
  }

  void executableRejectsBadUsage() {
    QProcess process;
    process.setProcessEnvironment(headlessEnvironment());
    process.start(QStringLiteral(COUNTERSCOPE_APP_PATH), {QStringLiteral("--demo")});
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitCode(), 2);
    QVERIFY(QString::fromLocal8Bit(process.readAllStandardError()).contains(QStringLiteral("--world")));
  }
};

QTEST_MAIN(TestScreenshot)
#include "test_screenshot.moc"
