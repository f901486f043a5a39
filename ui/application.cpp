#include "ui/application.h"

#include <cstdio>

#include <QApplication>
#include <QTimer>

#include "ui/launch_options.h"
#include "ui/main_window.h"
#include "ui/model_registry.h"
#include "ui/screenshot_session.h"
#include "ui/theme.h"

namespace counterscope::ui {

namespace {

bool hasDisplay() {
  return !qEnvironmentVariableIsEmpty("DISPLAY") || !qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") ||
         !qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM");
}

}  // namespace

int runApplication(int argc, char** argv) {
  // Parse before QApplication exists: --help and usage errors must not need a display.
  QStringList arguments;
  for (int i = 0; i < argc; ++i) arguments.append(QString::fromLocal8Bit(argv[i]));
  const LaunchParseResult parsed = parseLaunchOptions(arguments);
  if (parsed.helpShown) {
    std::fputs(qPrintable(parsed.helpText), stdout);
    return 0;
  }
  if (!parsed.error.isEmpty()) {
    std::fprintf(stderr, "counterscope: %s\n\n%s", qPrintable(parsed.error), qPrintable(parsed.helpText));
    return 2;
  }
  const LaunchOptions& options = parsed.options;
  if (!hasDisplay()) {
    if (options.screenshotPath.isEmpty()) {
      std::fprintf(stderr,
                   "counterscope: no display (DISPLAY and WAYLAND_DISPLAY are unset); run it from a desktop "
                   "session, or render offscreen with --screenshot OUT.png\n");
      return 1;
    }
    qputenv("QT_QPA_PLATFORM", "offscreen");  // a screenshot needs no screen
  }

  QApplication application(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("Counterscope"));
  QApplication::setApplicationName(QStringLiteral("Counterscope"));
  QApplication::setApplicationVersion(QStringLiteral(COUNTERSCOPE_VERSION));
  QApplication::setApplicationDisplayName(QStringLiteral("Counterscope"));
  applyTheme(application);

  MainWindow window;
  window.setDemoMode(options.demo);
  if (options.demo) {
    // Once the world has loaded: loading a dataset clears the banner that names missing demo files.
    const QString demoDir = options.demoModels.isEmpty() ? demoModelsFolder() : options.demoModels;
    QObject::connect(
        &window, &MainWindow::datasetReady, &window, [&window, demoDir] { window.openDemoModels(demoDir); },
        Qt::SingleShotConnection);
  }
  if (!options.weights.isEmpty()) window.models()->addWeights(options.modelConfig, options.weights, options.generator);
  for (const QString& results : options.results) window.models()->addResultsFile(results);
  const bool screenshot = !options.screenshotPath.isEmpty();
  if (!screenshot) window.restoreLayout();  // a screenshot always shows the default 1280×800 layout

  ScreenshotSession* session = nullptr;
  if (screenshot) {
    session = new ScreenshotSession(&window, options.screenshotPath, options.imageId, &window);
    QObject::connect(session, &ScreenshotSession::finished, &application,
                     [&application](int exitCode, const QString& message) {
                       std::fprintf(exitCode == 0 ? stdout : stderr, "counterscope: %s\n", qPrintable(message));
                       application.exit(exitCode);
                     });
    session->setExplanation(options.annotationId, options.target, options.optimizeSteps, options.twin);
    session->setCompare(options.compare);
    session->start();
  } else {
    window.showImageOnLoad(options.imageId);
  }
  window.show();
  if (options.dataset) {
    // Open once the event loop runs, so the window paints before the load's first progress report.
    const DatasetSource source = *options.dataset;
    QTimer::singleShot(0, &window, [&window, source] { window.openDataset(source); });
  }
  return application.exec();
}

}  // namespace counterscope::ui
