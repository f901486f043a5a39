#include "ui/launch_options.h"

#include <QCommandLineParser>
#include <QDir>

namespace counterscope::ui {

DatasetSource demoDatasetSource(const QString& worldDir) {
  const QDir world(worldDir);
  return DatasetSource{world.filePath(QStringLiteral("annotations/val.json")),
                       world.filePath(QStringLiteral("images"))};
}

QString launchUsage() {
  return QStringLiteral(
      "usage: counterscope [--ann FILE --images ROOT] [--demo --world DIR] [--screenshot OUT.png] [--image-id ID]\n"
      "\n"
      "Counterscope: inspect instance-segmentation errors on LVIS through counterfactual maps.\n"
      "\n"
      "options:\n"
      "  --ann FILE            LVIS/COCO annotation JSON to open at start-up\n"
      "  --images ROOT         image root of the dataset given with --ann\n"
      "  --demo                open the synthetic world given with --world (its val split)\n"
      "  --world DIR           folder written by 'counterscope-cli synth --out DIR'\n"
      "  --screenshot OUT.png  render the window (offscreen without a display), save it once the first\n"
      "                        image is drawn, and exit (0 = written, 1 = the dataset or image failed)\n"
      "  --image-id ID         image to show first (its LVIS/COCO id)\n"
      "  -h, --help            show this help\n"
      "  -v, --version         show the version\n");
}

LaunchParseResult parseLaunchOptions(const QStringList& arguments) {
  LaunchParseResult result;
  // Parsing needs no QCoreApplication (and the help text is our own): --help and usage errors must work
  // on a machine without a display, before any GUI object exists.
  QCommandLineParser parser;
  const QCommandLineOption helpOption({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("help"));
  const QCommandLineOption versionOption({QStringLiteral("v"), QStringLiteral("version")},
                                         QStringLiteral("version"));
  parser.addOptions({helpOption, versionOption});
  const QCommandLineOption annOption(QStringLiteral("ann"),
                                     QStringLiteral("LVIS/COCO annotation JSON to open at start-up."),
                                     QStringLiteral("FILE"));
  const QCommandLineOption imagesOption(QStringLiteral("images"),
                                        QStringLiteral("Image root of the dataset given with --ann."),
                                        QStringLiteral("ROOT"));
  const QCommandLineOption demoOption(
      QStringLiteral("demo"), QStringLiteral("Open the synthetic world given with --world (its val split)."));
  const QCommandLineOption worldOption(
      QStringLiteral("world"), QStringLiteral("Folder written by 'counterscope-cli synth --out DIR'."),
      QStringLiteral("DIR"));
  const QCommandLineOption screenshotOption(
      QStringLiteral("screenshot"),
      QStringLiteral("Render the window, save it as a PNG once the first image is drawn, and exit."),
      QStringLiteral("OUT.png"));
  const QCommandLineOption imageIdOption(QStringLiteral("image-id"),
                                         QStringLiteral("Image to show first (its LVIS/COCO id)."),
                                         QStringLiteral("ID"));
  parser.addOptions({annOption, imagesOption, demoOption, worldOption, screenshotOption, imageIdOption});

  if (!parser.parse(arguments)) {
    result.error = parser.errorText();
    result.helpText = launchUsage();
    return result;
  }
  if (parser.isSet(helpOption) || parser.isSet(versionOption)) {
    result.helpShown = true;
    result.helpText = parser.isSet(helpOption)
                          ? launchUsage()
                          : QStringLiteral("counterscope %1\n").arg(QStringLiteral(COUNTERSCOPE_VERSION));
    return result;
  }
  auto fail = [&](const QString& message) {
    result.error = message;
    result.helpText = launchUsage();
    return result;
  };
  if (!parser.positionalArguments().isEmpty()) {
    return fail(QStringLiteral("unexpected argument '%1'").arg(parser.positionalArguments().first()));
  }

  LaunchOptions& options = result.options;
  options.demo = parser.isSet(demoOption);
  const bool hasAnn = parser.isSet(annOption);
  const bool hasImages = parser.isSet(imagesOption);
  if (options.demo) {
    if (hasAnn || hasImages) return fail(QStringLiteral("--demo cannot be combined with --ann/--images"));
    if (!parser.isSet(worldOption)) {
      return fail(QStringLiteral("--demo needs --world DIR (the folder 'counterscope-cli synth --out DIR' wrote)"));
    }
    options.dataset = demoDatasetSource(parser.value(worldOption));
  } else {
    if (parser.isSet(worldOption)) return fail(QStringLiteral("--world is only used with --demo"));
    if (hasAnn != hasImages) return fail(QStringLiteral("--ann and --images must be given together"));
    if (hasAnn) options.dataset = DatasetSource{parser.value(annOption), parser.value(imagesOption)};
  }

  options.screenshotPath = parser.value(screenshotOption);
  if (!options.screenshotPath.isEmpty() && !options.dataset) {
    return fail(QStringLiteral("--screenshot needs a dataset (--ann/--images or --demo --world)"));
  }
  if (parser.isSet(imageIdOption)) {
    bool ok = false;
    const qint64 id = parser.value(imageIdOption).toLongLong(&ok);
    if (!ok) return fail(QStringLiteral("--image-id = '%1': not an integer").arg(parser.value(imageIdOption)));
    options.imageId = id;
  }
  return result;
}

}  // namespace counterscope::ui
