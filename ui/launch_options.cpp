#include "ui/launch_options.h"

#include <QCommandLineParser>
#include <QDir>

namespace counterscope::ui {

DatasetSource demoDatasetSource(const QString& worldDir) {
  const QDir world(worldDir);
  return DatasetSource{world.filePath(QStringLiteral("annotations/val.json")),
                       world.filePath(QStringLiteral("images"))};
}

LaunchParseResult parseLaunchOptions(const QStringList& arguments) {
  LaunchParseResult result;
  QCommandLineParser parser;
  parser.setApplicationDescription(
      QStringLiteral("Counterscope: inspect instance-segmentation errors on LVIS through counterfactual maps."));
  const QCommandLineOption helpOption = parser.addHelpOption();
  const QCommandLineOption versionOption = parser.addVersionOption();
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
    result.helpText = parser.helpText();
    return result;
  }
  if (parser.isSet(helpOption) || parser.isSet(versionOption)) {
    result.helpShown = true;
    result.helpText = parser.isSet(helpOption)
                          ? parser.helpText()
                          : QStringLiteral("counterscope %1\n").arg(QStringLiteral(COUNTERSCOPE_VERSION));
    return result;
  }
  auto fail = [&](const QString& message) {
    result.error = message;
    result.helpText = parser.helpText();
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
