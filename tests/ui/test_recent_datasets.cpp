// Recently opened datasets in QSettings: newest first, no duplicates, bounded; the window's File menu
// lists them after a successful load. Also the layer toggles' persistence (stored when the action goes).

#include <QAction>
#include <QMenu>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QtTest>

#include "tests/test_paths.h"
#include "ui/action_settings.h"
#include "ui/main_window.h"
#include "ui/recent_datasets.h"

using namespace counterscope::ui;

class TestRecentDatasets : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("CounterscopeTests"));
    QCoreApplication::setApplicationName(QStringLiteral("test_recent_datasets"));
  }

  void init() { RecentDatasets::clear(); }

  void newestFirstWithoutDuplicates() {
    QVERIFY(RecentDatasets::load().isEmpty());
    const DatasetSource a{QStringLiteral("/a.json"), QStringLiteral("/a")};
    const DatasetSource b{QStringLiteral("/b.json"), QStringLiteral("/b")};
    RecentDatasets::remember(a);
    RecentDatasets::remember(b);
    RecentDatasets::remember(a);
    const QList<DatasetSource> recent = RecentDatasets::load();
    QCOMPARE(recent.size(), 2);
    QCOMPARE(recent[0], a);
    QCOMPARE(recent[1], b);
    // Same file with another image root is another entry.
    RecentDatasets::remember(DatasetSource{QStringLiteral("/a.json"), QStringLiteral("/other")});
    QCOMPARE(RecentDatasets::load().size(), 3);
  }

  void checkedActionsAreStoredWhenTheyGoAndRestored() {
    QSettings().remove(QStringLiteral("testLayers"));
    {
      QAction masks;
      masks.setCheckable(true);
      masks.setChecked(true);
      persistCheckedActions({{QStringLiteral("masks"), &masks}}, QStringLiteral("testLayers"));
      masks.toggle();
      // Not written while the action lives: toggling must not touch the settings file.
      QVERIFY(!QSettings().contains(QStringLiteral("testLayers/masks")));
    }
    QCOMPARE(QSettings().value(QStringLiteral("testLayers/masks")).toBool(), false);
    QAction restored;
    restored.setCheckable(true);
    restored.setChecked(true);
    persistCheckedActions({{QStringLiteral("masks"), &restored}}, QStringLiteral("testLayers"));
    QVERIFY(!restored.isChecked());
  }

  void keepsAtMostTheMaximum() {
    for (int i = 0; i < RecentDatasets::maximumCount + 3; ++i) {
      RecentDatasets::remember(DatasetSource{QStringLiteral("/%1.json").arg(i), QStringLiteral("/r")});
    }
    const QList<DatasetSource> recent = RecentDatasets::load();
    QCOMPARE(recent.size(), RecentDatasets::maximumCount);
    QCOMPARE(recent.first().annotationPath, QStringLiteral("/%1.json").arg(RecentDatasets::maximumCount + 2));
  }

  void windowRemembersAnOpenedDataset() {
    MainWindow window;
    QVERIFY(!window.actions().recentMenu->isEnabled());
    QSignalSpy ready(&window, &MainWindow::datasetReady);
    const DatasetSource source{QStringLiteral(COUNTERSCOPE_REFS_DIR "/lvis/lvis_v0.5_val_100.json"),
                               QStringLiteral(COUNTERSCOPE_REFS_DIR "/lvis/")};
    window.openDataset(source);
    QVERIFY(ready.wait(60000));
    QCOMPARE(RecentDatasets::load().value(0), source);
    QVERIFY(window.actions().recentMenu->isEnabled());
    QCOMPARE(window.actions().recentMenu->actions().first()->text(), QStringLiteral("lvis_v0.5_val_100.json"));
  }
};

QTEST_MAIN(TestRecentDatasets)
#include "test_recent_datasets.moc"
