#include "ui/prediction_overlay.h"

#include <QGraphicsScene>
#include <QtConcurrent/QtConcurrentRun>

#include "ui/image_canvas.h"
#include "ui/model_registry.h"

namespace counterscope::ui {

namespace {
// Detections below this score are not built at all: the threshold slider starts here.
constexpr double buildFloor = 0.05;
}  // namespace

PredictionOverlay::PredictionOverlay(ImageCanvas* canvas, ModelRegistry* registry, QObject* parent)
    : QObject(parent), m_canvas(canvas), m_registry(registry) {
  connect(m_canvas, &ImageCanvas::sceneShown, this, &PredictionOverlay::onSceneShown);
  connect(m_registry, &ModelRegistry::modelChanged, this, &PredictionOverlay::onModelChanged);
  connect(&m_watcher, &QFutureWatcherBase::finished, this, &PredictionOverlay::onBuilt);
}

PredictionOverlay::~PredictionOverlay() { m_watcher.waitForFinished(); }

QList<PredictionItem*> PredictionOverlay::items() const {
  QList<PredictionItem*> result;
  // Looked up each time: ImageCanvas::showScene clears the scene, so stored pointers could dangle.
  for (QGraphicsItem* item : m_canvas->scene()->items(Qt::AscendingOrder))
    if (auto* prediction = qgraphicsitem_cast<PredictionItem*>(item)) result.append(prediction);
  return result;
}

int PredictionOverlay::visibleCount() const {
  int count = 0;
  for (PredictionItem* item : items()) count += item->isVisible() ? 1 : 0;
  return count;
}

void PredictionOverlay::setModel(int modelIndex) {
  if (modelIndex == m_model) return;
  m_model = modelIndex;
  removeItems();
  rebuild();
}

void PredictionOverlay::setScoreThreshold(double threshold) {
  m_threshold = threshold;
  applyThreshold();
}

void PredictionOverlay::setVisible(bool visible) {
  m_visible = visible;
  applyThreshold();
}

void PredictionOverlay::onSceneShown(qint64 imageId) {
  m_imageId = imageId;
  m_hasImage = true;
  m_shownDetections = nullptr;  // the scene was cleared with the items
  m_shownEvaluation = nullptr;
  rebuild();
}

void PredictionOverlay::onModelChanged(int index) {
  if (index != m_model || !m_hasImage) return;
  const ModelEntry& entry = m_registry->entry(index);
  if (entry.detections.get() == m_shownDetections && entry.evaluation.get() == m_shownEvaluation) return;
  rebuild();
}

void PredictionOverlay::removeItems() {
  for (PredictionItem* item : items()) {
    m_canvas->scene()->removeItem(item);
    delete item;
  }
  m_shownDetections = nullptr;
  m_shownEvaluation = nullptr;
}

void PredictionOverlay::rebuild() {
  if (!m_hasImage || m_model < 0 || m_model >= m_registry->count() || !m_registry->dataset() ||
      m_canvas->currentScene() == nullptr) {
    removeItems();
    Q_EMIT predictionsShown(m_imageId, 0);
    return;
  }
  const ModelEntry& entry = m_registry->entry(m_model);
  if (!entry.isResults()) m_registry->predictImage(m_model, m_imageId);
  if (!entry.detections) {
    removeItems();
    return;  // still loading: modelChanged brings us back
  }
  if (m_watcher.isRunning()) {
    m_dirty = true;
    return;
  }
  m_dirty = false;
  auto dataset = m_registry->dataset();
  auto detections = entry.detections;
  auto evaluation = entry.evaluation;
  const int model = m_model;
  const std::int64_t imageId = m_imageId;
  m_watcher.setFuture(QtConcurrent::run([dataset, detections, evaluation, model, imageId]() {
    auto built = std::make_shared<Built>();
    built->imageId = imageId;
    built->model = model;
    built->detections = detections.get();
    built->evaluation = evaluation.get();
    built->graphics = buildPredictionGraphics(*dataset, *detections, evaluation.get(), model, imageId, buildFloor);
    return built;
  }));
}

void PredictionOverlay::onBuilt() {
  const std::shared_ptr<Built> built = m_watcher.result();
  if (m_dirty) {
    rebuild();
    return;
  }
  if (!built || built->imageId != m_imageId || built->model != m_model || m_canvas->currentScene() == nullptr ||
      m_canvas->currentScene()->imageId != m_imageId) {
    return;
  }
  removeItems();
  for (PredictionGraphic& graphic : built->graphics) {
    auto* item = new PredictionItem(std::move(graphic));
    item->setLayers(m_canvas->layers());
    m_canvas->scene()->addItem(item);
  }
  m_shownDetections = built->detections;
  m_shownEvaluation = built->evaluation;
  applyThreshold();
  Q_EMIT predictionsShown(m_imageId, visibleCount());
}

void PredictionOverlay::applyThreshold() {
  for (PredictionItem* item : items()) item->setVisible(m_visible && item->graphic().score >= m_threshold);
}

}  // namespace counterscope::ui
