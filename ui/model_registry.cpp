#include "ui/model_registry.h"

#include <chrono>
#include <deque>
#include <exception>
#include <set>

#include <QDir>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <opencv2/imgcodecs.hpp>

#include "core/data/category_labels.h"
#include "core/data/lvis/image_paths.h"
#include "core/data/lvis/results_io.h"
#include "core/data/mask/mask_api.h"
#include "core/evaluation/lvis_evaluator.h"
#include "core/modeling/predictor.h"
#include "core/util/error.h"

namespace counterscope::ui {
namespace {

const std::vector<std::uint32_t> no_detections;

// Images predicted per background step: small enough that an image the user opens (predictImage) waits
// for at most one step, large enough that publishing the detections is not the bottleneck.
constexpr std::size_t background_chunk = 8;

// "runs/probe/model.safetensors" is better named "probe" than "model".
QString nameFromFile(const QString& path) {
  const QFileInfo info(path);
  const QString base = info.completeBaseName();
  if (base == QLatin1String("model") || base == QLatin1String("results")) {
    const QString folder = info.absoluteDir().dirName();
    if (!folder.isEmpty()) return folder;
  }
  return base;
}

template <typename Result, typename Work, typename Done>
void runInPool(QObject* context, QThreadPool* pool, Work work, Done done) {
  auto* watcher = new QFutureWatcher<Result>(context);
  QObject::connect(watcher, &QFutureWatcherBase::finished, context, [watcher, done]() {
    done(watcher->result());
    watcher->deleteLater();
  });
  watcher->setFuture(QtConcurrent::run(pool, std::move(work)));
}

QString messageOf(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return QString::fromStdString(e.what());
  } catch (...) {
    return QStringLiteral("unknown error");
  }
}

}  // namespace

const char* modelStateName(ModelEntry::State state) {
  switch (state) {
    case ModelEntry::State::loading: return "loading";
    case ModelEntry::State::ready: return "ready";
    case ModelEntry::State::predicting: return "predicting";
    case ModelEntry::State::evaluating: return "evaluating";
    case ModelEntry::State::failed: return "failed";
  }
  return "?";
}

const std::vector<std::uint32_t>& ModelDetections::ofImage(std::int64_t imageId) const {
  const auto it = byImage.find(imageId);
  return it == byImage.end() ? no_detections : it->second;
}

void ModelDetections::append(std::vector<data::Detection> detections) {
  all.reserve(all.size() + detections.size());
  for (auto& detection : detections) {
    if (detection.has_segmentation()) hasMasks = true;
    byImage[detection.image_id].push_back(static_cast<std::uint32_t>(all.size()));
    all.push_back(std::move(detection));
  }
}

const evaluation::DetectionOutcome* ModelEvaluation::detectionOutcome(std::size_t index) const {
  if (index >= outcomeOfDetection.size() || outcomeOfDetection[index] < 0) return nullptr;
  return &errors().detections[static_cast<std::size_t>(outcomeOfDetection[index])];
}

const evaluation::TruthOutcome* ModelEvaluation::truthOutcome(std::size_t annotationIndex) const {
  if (annotationIndex >= outcomeOfAnnotation.size() || outcomeOfAnnotation[annotationIndex] < 0) return nullptr;
  return &errors().truths[static_cast<std::size_t>(outcomeOfAnnotation[annotationIndex])];
}

// Per-entry worker bookkeeping, kept out of ModelEntry so that entries stay plain data.
struct ModelRegistry::Slot {
  std::shared_ptr<const modeling::Predictor> predictor;
  std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false);
  bool busy = false;                 ///< a load / prediction / evaluation worker runs
  std::deque<std::int64_t> urgent;   ///< images asked for by the views
  std::deque<std::int64_t> background;
  std::set<std::int64_t> requested;  ///< predicted or queued
  bool evaluateAfterPrediction = false;
  bool evaluationPending = false;    ///< evaluate once the running worker ends
};

ModelRegistry::ModelRegistry(QObject* parent) : QObject(parent), m_pool(new QThreadPool(this)) {
  m_pool->setMaxThreadCount(2);
}

ModelRegistry::~ModelRegistry() {
  for (auto& slot : m_slots) slot->cancel->store(true);
  // Wait for the workers before the watchers (children) go: their results are then dropped unseen.
  for (auto* watcher : findChildren<QFutureWatcherBase*>()) watcher->waitForFinished();
  m_pool->waitForDone();
}

ModelRegistry::Slot& ModelRegistry::slot(int index) { return *m_slots.at(static_cast<std::size_t>(index)); }

const ModelEntry& ModelRegistry::entry(int index) const { return m_entries.at(static_cast<std::size_t>(index)); }

int ModelRegistry::indexOfName(const QString& name) const {
  for (int i = 0; i < count(); ++i)
    if (m_entries[static_cast<std::size_t>(i)].displayName == name) return i;
  return -1;
}

bool ModelRegistry::isBusy() const {
  for (const auto& slot : m_slots)
    if (slot->busy) return true;
  return false;
}

void ModelRegistry::setDataset(std::shared_ptr<const data::Dataset> dataset, const QString& imageRoot) {
  m_dataset = std::move(dataset);
  m_imageRoot = imageRoot;
  ++m_datasetGeneration;
  for (int i = 0; i < count(); ++i) {
    ModelEntry& model = m_entries[static_cast<std::size_t>(i)];
    Slot& s = slot(i);
    s.urgent.clear();
    s.background.clear();
    s.requested.clear();
    s.evaluateAfterPrediction = false;
    model.evaluation.reset();
    model.progressDone = model.progressTotal = 0;
    if (!model.isResults() && model.state != ModelEntry::State::failed && model.state != ModelEntry::State::loading) {
      // Predictions of another dataset's images mean nothing here.
      model.detections = std::make_shared<const ModelDetections>();
      model.predictedAll = false;
    }
    Q_EMIT modelChanged(i);
    if (model.isResults() && model.detections && m_dataset) evaluate(i);
  }
}

int ModelRegistry::addResultsFile(const QString& path, const QString& name) {
  ModelSource source;
  source.kind = ModelSource::Kind::results;
  source.results = path;
  source.name = name;
  return addModel(source);
}

int ModelRegistry::addWeights(const QString& config, const QString& weights, const QString& generator,
                              const QString& name) {
  ModelSource source;
  source.kind = ModelSource::Kind::weights;
  source.config = config;
  source.weights = weights;
  source.generator = generator;
  source.name = name;
  return addModel(source);
}

int ModelRegistry::addTrainingOutput(const QString& folder, const QString& name) {
  const QDir dir(folder);
  const QString config = dir.filePath(QStringLiteral("model.json"));
  const QString weights = dir.filePath(QStringLiteral("model.safetensors"));
  for (const QString& required : {config, weights}) {
    if (!QFileInfo(required).isFile()) {
      Q_EMIT errorOccurred(QStringLiteral("%1: no %2 in the training output folder")
                               .arg(folder, QFileInfo(required).fileName()));
      return -1;
    }
  }
  const QString generator = dir.filePath(QStringLiteral("generator.safetensors"));
  return addWeights(config, weights, QFileInfo(generator).isFile() ? generator : QString(),
                    name.isEmpty() ? QDir(folder).dirName() : name);
}

int ModelRegistry::addModel(const ModelSource& source) {
  ModelEntry model;
  model.source = source;
  QString base = source.name;
  if (base.isEmpty())
    base = source.kind == ModelSource::Kind::results ? nameFromFile(source.results) : nameFromFile(source.weights);
  if (base.isEmpty()) base = QStringLiteral("model");
  // Display names identify models in selectors and charts: keep them unique.
  QString display = base;
  for (int n = 2; indexOfName(display) >= 0; ++n) display = QStringLiteral("%1 (%2)").arg(base).arg(n);
  model.displayName = display;
  m_entries.push_back(std::move(model));
  m_slots.push_back(std::make_unique<Slot>());
  const int index = count() - 1;
  Q_EMIT modelAdded(index);
  startLoad(index);
  return index;
}

void ModelRegistry::setGenerator(int index, const QString& generatorPath) {
  ModelEntry& model = m_entries.at(static_cast<std::size_t>(index));
  if (model.isResults()) {
    Q_EMIT errorOccurred(QStringLiteral("%1: a results file has no detector to explain; open the model's weights")
                             .arg(model.displayName));
    return;
  }
  model.source.generator = generatorPath;
  Q_EMIT modelChanged(index);
}

void ModelRegistry::fail(int index, const QString& message) {
  ModelEntry& model = m_entries[static_cast<std::size_t>(index)];
  model.error = message;
  Q_EMIT modelChanged(index);
  Q_EMIT errorOccurred(QStringLiteral("%1: %2").arg(model.displayName, message));
}

namespace {
struct LoadOutcome {
  std::shared_ptr<const modeling::Predictor> predictor;
  std::shared_ptr<const ModelDetections> detections;
  QString error;
};
}  // namespace

void ModelRegistry::startLoad(int index) {
  const ModelSource source = m_entries[static_cast<std::size_t>(index)].source;
  slot(index).busy = true;
  runInPool<LoadOutcome>(
      this, m_pool,
      [source]() {
        LoadOutcome outcome;
        try {
          if (source.kind == ModelSource::Kind::results) {
            auto detections = std::make_shared<ModelDetections>();
            detections->append(data::load_results(source.results.toStdString()));
            outcome.detections = std::move(detections);
          } else {
            modeling::PredictorOptions options;
            options.model = source.config.toStdString();
            options.weights = source.weights.toStdString();
            if (options.weights.empty()) throw InputError("model", "weights", "", "no weights file given");
            outcome.predictor = std::make_shared<const modeling::Predictor>(options);
            outcome.detections = std::make_shared<const ModelDetections>();
          }
        } catch (...) {
          outcome.error = messageOf(std::current_exception());
        }
        return outcome;
      },
      [this, index](const LoadOutcome& outcome) {
        Slot& s = slot(index);
        s.busy = false;
        ModelEntry& model = m_entries[static_cast<std::size_t>(index)];
        if (!outcome.error.isEmpty()) {
          model.state = ModelEntry::State::failed;
          fail(index, outcome.error);
          return;
        }
        s.predictor = outcome.predictor;
        model.detections = outcome.detections;
        model.state = ModelEntry::State::ready;
        Q_EMIT modelChanged(index);
        if (model.isResults() && m_dataset) evaluate(index);
        pumpPrediction(index);  // images asked for while loading
      });
}

void ModelRegistry::predictImage(int index, qint64 imageId) {
  ModelEntry& model = m_entries.at(static_cast<std::size_t>(index));
  if (model.isResults() || model.state == ModelEntry::State::failed || !m_dataset) return;
  Slot& s = slot(index);
  if (!s.requested.insert(imageId).second) return;
  s.urgent.push_back(imageId);
  pumpPrediction(index);
}

void ModelRegistry::predictAll(int index) {
  ModelEntry& model = m_entries.at(static_cast<std::size_t>(index));
  if (!m_dataset || model.state == ModelEntry::State::failed) return;
  if (model.isResults() || model.predictedAll) {
    evaluate(index);
    return;
  }
  Slot& s = slot(index);
  s.cancel->store(false);
  for (const auto& image : m_dataset->images)
    if (s.requested.insert(image.id).second) s.background.push_back(image.id);
  s.evaluateAfterPrediction = true;
  model.progressTotal = static_cast<qint64>(m_dataset->images.size());
  model.progressDone = model.progressTotal - static_cast<qint64>(s.background.size());
  pumpPrediction(index);
}

void ModelRegistry::cancel(int index) {
  Slot& s = slot(index);
  s.cancel->store(true);
  s.background.clear();
  s.evaluateAfterPrediction = false;
  s.evaluationPending = false;
  // Queued images were never predicted: a later request must queue them again.
  s.requested.clear();
  const auto& detections = m_entries[static_cast<std::size_t>(index)].detections;
  if (detections)
    for (const auto& imageDetections : detections->byImage) s.requested.insert(imageDetections.first);
}

namespace {
struct PredictionOutcome {
  std::vector<std::int64_t> images;  ///< predicted (with or without detections)
  std::vector<data::Detection> detections;
  QString error;  ///< the first failure; the other images of the step still ran
  bool cancelled = false;
};

PredictionOutcome predictImages(const modeling::Predictor& predictor, const data::Dataset& dataset,
                                const std::string& imageRoot, const std::vector<std::int64_t>& imageIds,
                                const std::atomic<bool>& cancel) {
  PredictionOutcome outcome;
  const data::CategoryLabels labels(dataset);
  if (labels.num_classes() != predictor.num_classes()) {
    outcome.error = QStringLiteral("the model has %1 classes, the dataset %2 categories + background")
                        .arg(predictor.num_classes() - 1)
                        .arg(labels.num_classes() - 1);
    return outcome;
  }
  for (const std::int64_t imageId : imageIds) {
    if (cancel.load()) {
      outcome.cancelled = true;
      break;
    }
    try {
      const auto imageIndex = dataset.image_index(imageId);
      if (!imageIndex) throw InputError(dataset.source_path, "image_id", std::to_string(imageId), "unknown image");
      const std::string path = data::resolve_image_path(dataset.images[*imageIndex], imageRoot);
      const cv::Mat image = cv::imread(path, cv::IMREAD_UNCHANGED);
      if (image.empty()) throw InputError(path, "", "", "cannot read the image");
      const auto prediction = predictor.predict(image, path);
      for (const auto& instance : prediction.instances) {
        const auto category = labels.category_of(instance.label);
        if (!category) continue;
        data::Detection detection;
        detection.image_id = imageId;
        detection.category_id = *category;
        detection.bbox = {instance.box[0], instance.box[1], instance.box[2] - instance.box[0],
                          instance.box[3] - instance.box[1]};
        detection.has_bbox = true;
        detection.score = instance.score;
        detection.segmentation = data::rle_encode_row_major(instance.mask.ptr<std::uint8_t>(),
                                                            static_cast<std::uint32_t>(prediction.height),
                                                            static_cast<std::uint32_t>(prediction.width));
        outcome.detections.push_back(std::move(detection));
      }
    } catch (...) {
      if (outcome.error.isEmpty()) outcome.error = messageOf(std::current_exception());
    }
    outcome.images.push_back(imageId);  // a failed image is not retried on every view
  }
  return outcome;
}
}  // namespace

void ModelRegistry::pumpPrediction(int index) {
  Slot& s = slot(index);
  ModelEntry& model = m_entries[static_cast<std::size_t>(index)];
  if (s.busy || !s.predictor || !m_dataset) return;
  std::vector<std::int64_t> batch;
  if (!s.urgent.empty()) {
    batch.assign(s.urgent.begin(), s.urgent.end());
    s.urgent.clear();
  } else {
    while (!s.background.empty() && batch.size() < background_chunk) {
      batch.push_back(s.background.front());
      s.background.pop_front();
    }
  }
  if (batch.empty()) {
    if (s.evaluateAfterPrediction) {
      s.evaluateAfterPrediction = false;
      model.predictedAll = true;
      startEvaluation(index);
    } else if (s.evaluationPending) {
      s.evaluationPending = false;
      startEvaluation(index);
    }
    return;
  }
  s.busy = true;
  s.cancel->store(false);
  model.state = ModelEntry::State::predicting;
  Q_EMIT modelChanged(index);
  const auto predictor = s.predictor;
  const auto dataset = m_dataset;
  const std::string root = m_imageRoot.toStdString();
  const auto cancel = s.cancel;
  const std::uint64_t generation = m_datasetGeneration;
  runInPool<PredictionOutcome>(
      this, m_pool,
      [predictor, dataset, root, batch, cancel]() { return predictImages(*predictor, *dataset, root, batch, *cancel); },
      [this, index, generation](const PredictionOutcome& outcome) {
        Slot& s = slot(index);
        ModelEntry& model = m_entries[static_cast<std::size_t>(index)];
        s.busy = false;
        model.state = ModelEntry::State::ready;
        if (generation == m_datasetGeneration) {
          auto detections = std::make_shared<ModelDetections>(*model.detections);
          detections->append(outcome.detections);
          model.detections = std::move(detections);
          model.progressDone += static_cast<qint64>(outcome.images.size());
          // A new image invalidates the evaluation of a model whose images were all predicted before.
          if (!outcome.images.empty() && model.predictedAll) model.evaluation.reset();
        }
        if (!outcome.error.isEmpty()) {
          fail(index, outcome.error);
          if (outcome.images.empty()) {  // the whole step failed (class count): stop the background work
            s.background.clear();
            s.evaluateAfterPrediction = false;
          }
        } else {
          Q_EMIT modelChanged(index);
        }
        pumpPrediction(index);
      });
}

void ModelRegistry::evaluate(int index) {
  ModelEntry& model = m_entries.at(static_cast<std::size_t>(index));
  if (!m_dataset || model.state == ModelEntry::State::failed || model.state == ModelEntry::State::loading) return;
  if (!model.isResults() && !model.predictedAll) {
    predictAll(index);  // evaluating a sample of predicted images would report misleading metrics
    return;
  }
  Slot& s = slot(index);
  if (s.busy) {
    s.evaluationPending = true;
    return;
  }
  startEvaluation(index);
}

namespace {
struct EvaluationOutcome {
  std::shared_ptr<const ModelEvaluation> evaluation;
  QString error;
};

EvaluationOutcome evaluateDetections(const data::Dataset& dataset, const ModelDetections& detections,
                                     const std::string& source, const JobContext& context) {
  EvaluationOutcome outcome;
  try {
    const auto start = std::chrono::steady_clock::now();
    auto result = std::make_shared<ModelEvaluation>();
    evaluation::LvisEvaluator evaluator(dataset);
    // In file order, so that store indexes are indexes into ModelDetections::all.
    evaluator.process_results(detections.all, source);
    result->hasMask = detections.hasMasks;
    result->box = evaluator.evaluate(evaluation::IouType::bbox, context);
    if (result->hasMask) result->mask = evaluator.evaluate(evaluation::IouType::segm, context);
    const evaluation::PreparedEvaluation prepared = evaluator.prepare();
    result->boxErrors = evaluation::analyse_errors(prepared, evaluation::IouType::bbox, {}, context);
    if (result->hasMask)
      result->maskErrors = evaluation::analyse_errors(prepared, evaluation::IouType::segm, {}, context);
    const evaluation::ErrorAnalysis& errors = result->errors();
    result->outcomeOfDetection.assign(detections.all.size(), -1);
    for (std::size_t i = 0; i < errors.detections.size(); ++i)
      if (errors.detections[i].detection < result->outcomeOfDetection.size())
        result->outcomeOfDetection[errors.detections[i].detection] = static_cast<std::int32_t>(i);
    result->outcomeOfAnnotation.assign(dataset.annotations.size(), -1);
    for (std::size_t i = 0; i < errors.truths.size(); ++i)
      if (errors.truths[i].annotation < result->outcomeOfAnnotation.size())
        result->outcomeOfAnnotation[errors.truths[i].annotation] = static_cast<std::int32_t>(i);
    result->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    outcome.evaluation = std::move(result);
  } catch (...) {
    outcome.error = messageOf(std::current_exception());
  }
  return outcome;
}
}  // namespace

void ModelRegistry::startEvaluation(int index) {
  Slot& s = slot(index);
  ModelEntry& model = m_entries[static_cast<std::size_t>(index)];
  s.busy = true;
  s.cancel->store(false);
  model.state = ModelEntry::State::evaluating;
  model.progressDone = 0;
  model.progressTotal = 0;
  Q_EMIT modelChanged(index);
  const auto dataset = m_dataset;
  const auto detections = model.detections;
  const std::string source =
      (model.isResults() ? model.source.results : model.displayName).toStdString();
  const auto cancel = s.cancel;
  const std::uint64_t generation = m_datasetGeneration;
  runInPool<EvaluationOutcome>(
      this, m_pool,
      [dataset, detections, source, cancel]() {
        JobContext context;
        context.cancel = cancel.get();
        return evaluateDetections(*dataset, *detections, source, context);
      },
      [this, index, generation](const EvaluationOutcome& outcome) {
        Slot& s = slot(index);
        ModelEntry& model = m_entries[static_cast<std::size_t>(index)];
        s.busy = false;
        model.state = ModelEntry::State::ready;
        if (generation != m_datasetGeneration) {
          Q_EMIT modelChanged(index);
          pumpPrediction(index);
          return;
        }
        if (!outcome.error.isEmpty()) {
          fail(index, QStringLiteral("evaluation failed: %1").arg(outcome.error));
        } else {
          model.error.clear();
          model.evaluation = outcome.evaluation;
          Q_EMIT modelChanged(index);
          Q_EMIT evaluationReady(index);
        }
        pumpPrediction(index);
      });
}

}  // namespace counterscope::ui
