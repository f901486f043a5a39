#pragma once
// The application's list of models. An entry is either a detector (config + weights, optionally a
// counterfactual generator trained for it) whose detections are predicted on demand or for the whole
// dataset in the background, or a results file of any framework (LVIS/COCO results JSON) whose detections
// are read once. Once a model has detections for the open dataset, its evaluation (lvis-api metrics for
// box and mask, per-category AP, PR curves, TIDE error types per detection) is computed in a worker.
//
// Everything heavy runs off the GUI thread; entries change only on the GUI thread and observers learn of
// it through the signals. No LibTorch in this header (the Predictor facade hides it).

#include <atomic>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include <QObject>
#include <QString>

class QThreadPool;

#include "core/data/lvis/dataset.h"
#include "core/data/lvis/results.h"
#include "core/evaluation/error_analysis.h"
#include "core/evaluation/evaluation_result.h"

namespace counterscope::ui {

/// Where a model comes from.
struct ModelSource {
  enum class Kind { weights, results };
  Kind kind = Kind::weights;
  QString name;       ///< display name; empty = derived from the file names
  QString config;     ///< weights: model.json or a preset name
  QString weights;    ///< weights: .safetensors / .pth
  QString generator;  ///< weights: counterfactual generator file (optional)
  QString results;    ///< results: LVIS/COCO results JSON
};

/// A model's detections, grouped by image. Immutable once published (shared with worker threads).
struct ModelDetections {
  std::vector<data::Detection> all;
  std::unordered_map<std::int64_t, std::vector<std::uint32_t>> byImage;  ///< image id -> indexes into `all`
  bool hasMasks = false;  ///< at least one detection carries a segmentation

  /// Indexes into `all` of the detections of one image (empty when none).
  const std::vector<std::uint32_t>& ofImage(std::int64_t imageId) const;
  /// Appends detections (e.g. one freshly predicted image) and indexes them.
  void append(std::vector<data::Detection> detections);
};

/// The evaluation of a model's detections on the dataset that was open when it ran.
struct ModelEvaluation {
  evaluation::EvaluationResult box;
  evaluation::EvaluationResult mask;  ///< segm; meaningful only when `hasMask`
  bool hasMask = false;
  evaluation::ErrorAnalysis boxErrors;
  evaluation::ErrorAnalysis maskErrors;  ///< meaningful only when `hasMask`
  /// For each detection of ModelDetections::all: its index in `errors().detections`, or -1 when it did not
  /// take part in the evaluation (beyond the per-image limit, or federated out).
  std::vector<std::int32_t> outcomeOfDetection;
  /// For each annotation of the dataset: its index in `errors().truths`, or -1.
  std::vector<std::int32_t> outcomeOfAnnotation;
  double seconds = 0;  ///< wall time of the evaluation

  /// The error analysis the application shows: mask when the model has masks, else box.
  const evaluation::ErrorAnalysis& errors() const { return hasMask ? maskErrors : boxErrors; }
  /// The outcome of detection `index` (ModelDetections::all), or null.
  const evaluation::DetectionOutcome* detectionOutcome(std::size_t index) const;
  /// The outcome of the dataset annotation at `annotationIndex`, or null.
  const evaluation::TruthOutcome* truthOutcome(std::size_t annotationIndex) const;
};

/// What the registry knows about one model.
struct ModelEntry {
  enum class State { loading, ready, predicting, evaluating, failed };
  ModelSource source;
  QString displayName;
  State state = State::loading;
  QString error;              ///< the last failure (load, prediction or evaluation), empty when none
  qint64 progressDone = 0;    ///< predicting / evaluating progress
  qint64 progressTotal = 0;
  bool predictedAll = false;  ///< weights: every image of the dataset has been predicted
  std::shared_ptr<const ModelDetections> detections;  ///< never null once ready (may be empty)
  std::shared_ptr<const ModelEvaluation> evaluation;  ///< null until evaluated on the current dataset

  bool isResults() const { return source.kind == ModelSource::Kind::results; }
  bool hasGenerator() const { return !source.generator.isEmpty(); }
};

const char* modelStateName(ModelEntry::State state);

class ModelRegistry : public QObject {
  Q_OBJECT

 public:
  explicit ModelRegistry(QObject* parent = nullptr);
  /// Cancels and waits for every worker, so no signal outlives the registry.
  ~ModelRegistry() override;

  /// The dataset predictions and evaluations refer to (null closes it: evaluations are dropped).
  /// Models already loaded are re-evaluated on the new dataset.
  void setDataset(std::shared_ptr<const data::Dataset> dataset, const QString& imageRoot);
  const std::shared_ptr<const data::Dataset>& dataset() const { return m_dataset; }
  const QString& imageRoot() const { return m_imageRoot; }

  /// Adds a model and starts loading it in a worker; modelAdded(index) is emitted at once, modelChanged
  /// when loading ends (state ready or failed, with errorOccurred). Returns the index.
  int addModel(const ModelSource& source);
  int addResultsFile(const QString& path, const QString& name = {});
  int addWeights(const QString& config, const QString& weights, const QString& generator = {},
                 const QString& name = {});
  /// A finished training's output folder (model.json + model.safetensors, generator.safetensors when
  /// present). Returns -1 (and emits errorOccurred) when the folder lacks them.
  int addTrainingOutput(const QString& folder, const QString& name = {});
  /// Attaches a generator file to a weights model (for the explainer).
  void setGenerator(int index, const QString& generatorPath);

  int count() const { return static_cast<int>(m_entries.size()); }
  /// The entry at `index` (0 <= index < count()).
  const ModelEntry& entry(int index) const;
  /// Index of the model whose display name is `name`, or -1.
  int indexOfName(const QString& name) const;

  /// Weights models: predicts one image in the background unless it is already predicted or queued;
  /// modelChanged(index) follows. No-op for results models.
  void predictImage(int index, qint64 imageId);
  /// Weights models: predicts every image of the dataset in the background (progress in the entry), then
  /// evaluates. Results models: evaluates.
  void predictAll(int index);
  /// (Re-)evaluates the model's detections on the current dataset in the background.
  void evaluate(int index);
  /// Asks the model's running worker to stop.
  void cancel(int index);
  /// True while any worker of this registry runs.
  bool isBusy() const;

 Q_SIGNALS:
  void modelAdded(int index);
  /// State, progress, detections or evaluation of the model changed.
  void modelChanged(int index);
  void evaluationReady(int index);
  void errorOccurred(const QString& message);

 private:
  struct Slot;
  void startLoad(int index);
  void startPrediction(int index, std::vector<std::int64_t> imageIds, bool thenEvaluate);
  void startEvaluation(int index);
  void pumpPrediction(int index);
  void fail(int index, const QString& message);
  Slot& slot(int index);

  std::shared_ptr<const data::Dataset> m_dataset;
  QString m_imageRoot;
  std::uint64_t m_datasetGeneration = 0;  ///< bumped by setDataset: results for older datasets are dropped
  std::vector<ModelEntry> m_entries;
  std::vector<std::unique_ptr<Slot>> m_slots;  ///< per entry: predictor, worker bookkeeping
  QThreadPool* m_pool;  ///< own workers: long predictions must not starve the global pool (thumbnails)
};

}  // namespace counterscope::ui
