#pragma once
// The application's core jobs as JobFunctions: detector training, evaluation of a model (predict + LVIS
// evaluation + TIDE error analysis) and generator training. The specs are plain Qt-side structs; the
// LibTorch-pulling work stays in training_jobs.cpp (one adapter), evaluation_job.cpp is torch-free.

#include <QString>

#include "ui/job_runner.h"

namespace counterscope::ui {

/// Detector training (counterscope-cli train). Writes OUT/checkpoints/, metrics.jsonl, model.safetensors,
/// model.json and (with a validation split) eval.json.
struct TrainingJobSpec {
  QString model = QStringLiteral("tiny");  ///< preset name or model config JSON
  QString trainAnnotations;                ///< the open dataset's train split or a chosen JSON
  QString imageRoot;
  QString valAnnotations;                  ///< optional: evaluated at the end
  QString loss = QStringLiteral("ce");     ///< ce | cm | lr | fl | seesaw
  qint64 iterations = 1000;
  qint64 batchSize = 4;
  QString device = QStringLiteral("cpu");
  QString outputDir;
  bool resume = false;                     ///< continue from OUT/checkpoints
  qint64 checkpointPeriod = 100;
  qint64 logPeriod = 20;
  double baseLearningRate = 0;             ///< 0: the solver's default
  qint64 maxEvalImages = 0;                ///< 0: all validation images
  int loaderThreads = 1;                   ///< one loader: the GUI and the other jobs share the cores
};

/// Predictions of a model on a split and their LVIS evaluation. Writes OUT/results.json (LVIS results format),
/// OUT/eval.json ({"bbox": metrics, "segm": metrics}) and OUT/errors.json (TIDE dAP per error type).
struct EvaluationJobSpec {
  QString modelConfig;  ///< preset or config JSON
  QString weights;
  QString annotations;
  QString imageRoot;
  QString outputDir;
  QString device = QStringLiteral("cpu");
  qint64 maxImages = 0;  ///< 0: every image of the split
};

/// Counterfactual generator training (counterscope-cli cf-train). Writes OUT/generator.safetensors,
/// checkpoints/, metrics.jsonl and cf_config.json.
struct GeneratorJobSpec {
  QString modelConfig;
  QString weights;
  QString trainAnnotations;
  QString imageRoot;
  QString targetLoss = QStringLiteral("cls");  ///< cls | box | mask
  qint64 iterations = 1000;
  qint64 batchSize = 2;
  QString outputDir;
  bool resume = false;
  qint64 checkpointPeriod = 100;
};

/// The loss names the training form offers (the core's registry).
QStringList trainingLossNames();

JobFunction makeTrainingJob(const TrainingJobSpec& spec);
JobFunction makeEvaluationJob(const EvaluationJobSpec& spec);
JobFunction makeGeneratorTrainingJob(const GeneratorJobSpec& spec);

/// A runner for the spec with its resume function set (the same spec with resume on).
JobRunner* createTrainingRunner(const TrainingJobSpec& spec, QObject* parent);
JobRunner* createGeneratorRunner(const GeneratorJobSpec& spec, QObject* parent);
JobRunner* createEvaluationRunner(const EvaluationJobSpec& spec, QObject* parent);

/// Augmentation of a training set until every category has at least K images (counterscope-cli augment):
/// counterfactual label swaps kept when the model attains the target (LVIS-CF), or random image
/// transformations (the baseline). Writes OUT/annotations/train.json (image root OUT/images), the new images
/// and OUT/statistics.json. There is no resume flag: running the same spec again into the same folder resumes
/// from its journal (another spec in that folder is refused).
struct AugmentationJobSpec {
  QString method = QStringLiteral("counterfactual");  ///< counterfactual | transforms
  QString annotations;                                ///< training annotations
  QString imageRoot;
  qint64 minImages = 10;                              ///< K
  QString outputDir;
  QString modelConfig;   ///< counterfactual: preset or config JSON
  QString weights;       ///< counterfactual: detector weights
  QString generator;     ///< counterfactual: generator trained for that detector (cf-train)
  double acceptScore = 0.5;  ///< counterfactual: keep X~ when the target's score reaches this
  double strength = 0.5;     ///< transforms: magnitude of the operations in [0, 1]
  qint64 seed = 0;
  qint64 maxAttempts = 20;   ///< a category is given up after this many failed attempts
};

/// The methods the augmentation form offers.
QStringList augmentationMethodNames();

/// Outputs of a run that added images: "augmented_annotations", "augmented_images" (its image root),
/// "statistics", "images_added", "partial", "unreachable" (category names). "Nothing to do" succeeds with
/// that message as its summary and no dataset outputs.
JobFunction makeAugmentationJob(const AugmentationJobSpec& spec);
/// A runner whose resume function runs the same spec again (the journal continues the run).
JobRunner* createAugmentationRunner(const AugmentationJobSpec& spec, QObject* parent);

}  // namespace counterscope::ui
