// --screenshot with an explanation (--image-id --ann-id --target): the session picks the instance, waits
// for the model to load and the explanation to finish, then saves the window; the explain panel holds
// the map at the image's size. A target that names no class fails with a message and writes nothing.

#include <filesystem>

#include <QLabel>
#include <QSignalSpy>
#include <QtTest>

#include "tests/test_paths.h"
#include "tests/ui/tiny_explain_world.h"
#include "ui/class_search_box.h"
#include "ui/explain_controller.h"
#include "ui/explain_panel.h"
#include "ui/instance_panel.h"
#include "ui/main_window.h"
#include "ui/model_registry.h"
#include "ui/screenshot_session.h"

using namespace counterscope;
using namespace counterscope::ui;

namespace {
const QString scratch = QStringLiteral(COUNTERSCOPE_TEST_TMP_DIR "/test_explain_screenshot");
}

class TestExplainScreenshot : public QObject {
  Q_OBJECT

 private:
  testing::TinyExplainWorld m_world;

  DatasetSource source() const {
    return {QString::fromStdString(m_world.annotations), QString::fromStdString(m_world.images)};
  }

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QDir(scratch).removeRecursively();
    QVERIFY(QDir().mkpath(scratch));
    m_world = testing::writeTinyExplainWorld(scratch.toStdString());
  }

  void screenshotWaitsForTheExplanation() {
    MainWindow window;
    window.models()->addWeights(QString::fromStdString(m_world.config), QString::fromStdString(m_world.weights));
    const QString output = scratch + QStringLiteral("/explained.png");
    ScreenshotSession session(&window, output, 1);
    // "snow" is a synonym of snowball: the class box resolves synonyms.
    session.setExplanation(qint64{11}, QStringLiteral("snow"), 3);
    QSignalSpy finished(&session, &ScreenshotSession::finished);
    QSignalSpy explained(window.explainPanel(), &ExplainPanel::explanationFinished);
    session.start();
    window.show();
    window.openDataset(source());
    QVERIFY(finished.wait(120000));
    QVERIFY2(finished.first().at(0).toInt() == 0, qPrintable(finished.first().at(1).toString()));
    QCOMPARE(explained.count(), 1);
    QVERIFY(explained.first().at(0).toBool());
    const QImage shot(output);
    QVERIFY(!shot.isNull());
    QCOMPARE(shot.size(), window.size() * window.devicePixelRatio());
    const auto result = window.explainPanel()->result();
    QVERIFY(result);
    QCOMPARE(result->answer.annotation_id, qint64{11});
    QCOMPARE(result->answer.target_category_id, qint64{2});
    QCOMPARE(result->answer.explanation.map.rows, 64);
    QCOMPARE(result->answer.explanation.map.cols, 64);
    QCOMPARE(window.instancePanel()->picked()->annotationId, qint64{11});
    QCOMPARE(window.explainPanel()->targetBox()->text(), QStringLiteral("snowball"));
    QVERIFY(!window.explainController()->isBusy());
    // At the window's 1280x800 every wrapped line of the panel (the attained badge, measures, diff counts)
    // fits its label: nothing is cut off.
    QCOMPARE(window.size(), QSize(1280, 800));
    for (const QLabel* label : window.explainPanel()->findChildren<QLabel*>())
      if (label->isVisible() && label->wordWrap() && !label->text().isEmpty())
        QVERIFY2(label->heightForWidth(label->width()) <= label->height(), qPrintable(label->text()));
  }

  void unknownTargetFailsWithoutWriting() {
    MainWindow window;
    window.models()->addWeights(QString::fromStdString(m_world.config), QString::fromStdString(m_world.weights));
    const QString output = scratch + QStringLiteral("/unknown_target.png");
    ScreenshotSession session(&window, output, 1);
    session.setExplanation(qint64{11}, QStringLiteral("snowbal"), 3);
    QSignalSpy finished(&session, &ScreenshotSession::finished);
    session.start();
    window.show();
    window.openDataset(source());
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.first().at(0).toInt(), 1);
    QVERIFY2(finished.first().at(1).toString().contains(QStringLiteral("--target")),
             qPrintable(finished.first().at(1).toString()));
    QVERIFY(!QFile::exists(output));
  }

  void aResultsFileCannotExplain() {
    MainWindow window;
    const QString results = scratch + QStringLiteral("/empty_results.json");
    QFile file(results);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("[]");
    file.close();
    window.models()->addResultsFile(results);
    ScreenshotSession session(&window, scratch + QStringLiteral("/results.png"), 1);
    session.setExplanation(qint64{11}, QStringLiteral("snowball"), 3);
    QSignalSpy finished(&session, &ScreenshotSession::finished);
    session.start();
    window.show();
    window.openDataset(source());
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.first().at(0).toInt(), 1);
    QVERIFY2(finished.first().at(1).toString().contains(QStringLiteral("results file")),
             qPrintable(finished.first().at(1).toString()));
  }
};

QTEST_MAIN(TestExplainScreenshot)
#include "test_explain_screenshot.moc"
