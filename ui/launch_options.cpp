#include "ui/launch_options.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace counterscope::ui {

DatasetSource demoDatasetSource(const QString& worldDir) {
  const QDir world(worldDir);
  return DatasetSource{world.filePath(QStringLiteral("annotations/val.json")),
                       world.filePath(QStringLiteral("images"))};
}

QString demoModelsFolder() {
  QStringList candidates;
  if (QCoreApplication::instance() != nullptr) {
    const QDir app(QCoreApplication::applicationDirPath());
    candidates << app.filePath(QStringLiteral("../share/counterscope/demo"))
               << app.filePath(QStringLiteral("../resources/demo"));
  }
  candidates << QDir(QStringLiteral(COUNTERSCOPE_SOURCE_DIR)).filePath(QStringLiteral("resources/demo"));
  for (const QString& candidate : candidates)
    if (QFileInfo(candidate).isDir()) return QDir::cleanPath(candidate);
  return QDir::cleanPath(candidates.last());
}

QString launchUsage() {
  return QStringLiteral(
      "usage: counterscope [--ann FILE --images ROOT] [--demo --world DIR] [--screenshot OUT.png] [--image-id ID]\n"
      "                   [--ann-id AID --target NAME [--compare] [--optimize STEPS | --twin]]\n"
      "                   [--model CONFIG --weights W] [--results FILE]\n"
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
      "  --ann-id AID          pick this annotation of the image; with --target, explain it (the\n"
      "                        screenshot waits for the explanation)\n"
      "  --target NAME         class to explain the instance as (name, synonym or id)\n"
      "  --optimize STEPS      explain with the optimiser (at most STEPS steps) instead of the generator\n"
      "  --twin                explain with the synthetic world's ground-truth twin instead (the reference)\n"
      "  --compare             with --screenshot and --target: explain the instance with two models side by\n"
      "                        side (Compare window) and save that window\n"
      "  --model CONFIG        detector config (model.json or preset) to open, with --weights\n"
      "  --weights W           detector weights (.safetensors / .pth)\n"
      "  --generator G         counterfactual generator of that detector\n"
      "  --results FILE        LVIS/COCO results JSON to open as a model (repeatable)\n"
      "  --demo-models DIR     demo models folder (default: resources/demo)\n"
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
  const QCommandLineOption annIdOption(QStringLiteral("ann-id"), QStringLiteral("Annotation to pick."),
                                       QStringLiteral("AID"));
  const QCommandLineOption targetOption(QStringLiteral("target"), QStringLiteral("Class to explain as."),
                                        QStringLiteral("NAME"));
  const QCommandLineOption optimizeOption(QStringLiteral("optimize"), QStringLiteral("Optimiser steps."),
                                          QStringLiteral("STEPS"));
  const QCommandLineOption modelOption(QStringLiteral("model"), QStringLiteral("Detector config."),
                                       QStringLiteral("CONFIG"));
  const QCommandLineOption weightsOption(QStringLiteral("weights"), QStringLiteral("Detector weights."),
                                         QStringLiteral("W"));
  const QCommandLineOption generatorOption(QStringLiteral("generator"), QStringLiteral("Generator."),
                                           QStringLiteral("G"));
  const QCommandLineOption resultsOption(QStringLiteral("results"), QStringLiteral("Results JSON."),
                                         QStringLiteral("FILE"));
  const QCommandLineOption demoModelsOption(QStringLiteral("demo-models"), QStringLiteral("Demo models."),
                                            QStringLiteral("DIR"));
  const QCommandLineOption compareOption(QStringLiteral("compare"), QStringLiteral("Screenshot of Compare."));
  const QCommandLineOption twinOption(QStringLiteral("twin"), QStringLiteral("Explain with the ground-truth twin."));
  parser.addOptions({annIdOption, targetOption, optimizeOption, modelOption, weightsOption, generatorOption,
                     resultsOption, demoModelsOption, compareOption, twinOption});

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
  if (parser.isSet(annIdOption)) {
    bool ok = false;
    const qint64 id = parser.value(annIdOption).toLongLong(&ok);
    if (!ok) return fail(QStringLiteral("--ann-id = '%1': not an integer").arg(parser.value(annIdOption)));
    if (!options.imageId) return fail(QStringLiteral("--ann-id needs --image-id (the image it belongs to)"));
    options.annotationId = id;
  }
  options.target = parser.value(targetOption).trimmed();
  if (!options.target.isEmpty() && !options.annotationId)
    return fail(QStringLiteral("--target needs --image-id and --ann-id (the instance to explain)"));
  if (parser.isSet(optimizeOption)) {
    bool ok = false;
    options.optimizeSteps = parser.value(optimizeOption).toInt(&ok);
    if (!ok || options.optimizeSteps < 1)
      return fail(QStringLiteral("--optimize = '%1': expected a positive step count").arg(parser.value(optimizeOption)));
  }
  options.twin = parser.isSet(twinOption);
  if (options.twin && options.optimizeSteps > 0) return fail(QStringLiteral("give one of --optimize and --twin"));
  if (options.twin && options.target.isEmpty())
    return fail(QStringLiteral("--twin needs --target (with --image-id and --ann-id)"));
  options.compare = parser.isSet(compareOption);
  if (options.compare && (options.target.isEmpty() || options.screenshotPath.isEmpty()))
    return fail(QStringLiteral("--compare needs --screenshot and --target (with --image-id and --ann-id)"));
  options.modelConfig = parser.value(modelOption);
  options.weights = parser.value(weightsOption);
  options.generator = parser.value(generatorOption);
  if (options.modelConfig.isEmpty() != options.weights.isEmpty())
    return fail(QStringLiteral("--model and --weights must be given together"));
  if (!options.generator.isEmpty() && options.weights.isEmpty())
    return fail(QStringLiteral("--generator needs --model and --weights (the detector it was trained on)"));
  options.results = parser.values(resultsOption);
  options.demoModels = parser.isSet(demoModelsOption) ? parser.value(demoModelsOption) : QString();
  return result;
}

}  // namespace counterscope::ui
