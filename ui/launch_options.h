#pragma once
// The command line of the desktop application, parsed once into a typed struct:
//   counterscope [--ann FILE --images ROOT] [--demo --world DIR] [--screenshot OUT.png] [--image-id ID]

#include <optional>

#include <QString>
#include <QStringList>

#include "ui/dataset_source.h"

namespace counterscope::ui {

struct LaunchOptions {
  /// The dataset to open at start-up (from --ann/--images or --demo --world); none opens an empty window.
  std::optional<DatasetSource> dataset;
  /// True for --demo: the synthetic world written by `counterscope-cli synth`.
  bool demo = false;
  /// --screenshot: render the window (offscreen works), save it here once the first image is drawn, exit.
  QString screenshotPath;
  /// --image-id: the image shown first (and in the screenshot) instead of the first of the list.
  std::optional<qint64> imageId;
  /// --ann-id / --target: the instance to pick and the class to explain it as (the screenshot waits for
  /// the explanation); --optimize STEPS explains with the optimiser instead of the generator.
  std::optional<qint64> annotationId;
  QString target;
  int optimizeSteps = 0;
  /// --twin: explain with the synthetic world's ground-truth twin (the reference) instead.
  bool twin = false;
  /// --compare (with --screenshot and --target): also explain the instance with the first two models side by
  /// side in the Compare window and save that window instead of the main one.
  bool compare = false;
  /// --model/--weights [--generator]: a detector to open; --results: results files to open.
  QString modelConfig;
  QString weights;
  QString generator;
  QStringList results;
  /// --demo: the folder of the demo models (--demo-models, default: demoModelsFolder()).
  QString demoModels;
};

/// Where the demo models are looked for: next to the executable (../share/counterscope/demo,
/// ../resources/demo) or in the source tree's resources/demo; the last candidate when none exists.
QString demoModelsFolder();

/// Outcome of parsing: the options, or a message for the user (bad usage) with the help text.
struct LaunchParseResult {
  LaunchOptions options;
  QString error;         ///< non-empty on bad usage
  bool helpShown = false;  ///< --help/--version was asked; the text is in `helpText`
  QString helpText;
};

/// The --help text.
QString launchUsage();

/// Parses `arguments` (argv as QStrings, program name first). Never exits the process.
LaunchParseResult parseLaunchOptions(const QStringList& arguments);

/// The demo layout under a synthetic world folder: DIR/annotations/val.json with images under DIR/images.
DatasetSource demoDatasetSource(const QString& worldDir);

}  // namespace counterscope::ui
