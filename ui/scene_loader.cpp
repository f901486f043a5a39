#include "ui/scene_loader.h"

#include <exception>

#include <QtConcurrent/QtConcurrent>

namespace counterscope::ui {

SceneLoader::SceneLoader(QObject* parent) : QObject(parent) {
  connect(&m_watcher, &QFutureWatcher<std::shared_ptr<const ImageScene>>::finished, this,
          &SceneLoader::onFinished);
}

SceneLoader::~SceneLoader() { m_watcher.waitForFinished(); }

void SceneLoader::setDataset(std::shared_ptr<const data::Dataset> dataset, const QString& imageRoot) {
  m_dataset = std::move(dataset);
  m_imageRoot = imageRoot;
  m_queued = false;
  ++m_generation;
}

void SceneLoader::request(std::size_t imageIndex) {
  if (!m_dataset || imageIndex >= m_dataset->images.size()) return;
  m_queued = true;
  m_queuedIndex = imageIndex;
  // Only one build runs at a time; the newest request waits for it instead of piling up threads.
  if (!m_watcher.isRunning()) startNext();
}

void SceneLoader::startNext() {
  if (!m_queued || !m_dataset) return;
  m_queued = false;
  m_runningGeneration = m_generation;
  m_watcher.setFuture(QtConcurrent::run(
      [dataset = m_dataset, root = m_imageRoot, index = m_queuedIndex]() -> std::shared_ptr<const ImageScene> {
        try {
          return std::make_shared<const ImageScene>(buildImageScene(*dataset, index, root));
        } catch (const std::exception& error) {
          // An exception must not cross into the GUI thread through the future.
          auto scene = std::make_shared<ImageScene>();
          scene->imageIndex = index;
          scene->imageError = QString::fromStdString(error.what());
          return scene;
        }
      }));
}

void SceneLoader::onFinished() {
  std::shared_ptr<const ImageScene> scene = m_watcher.result();
  const bool stale = m_queued || m_runningGeneration != m_generation;
  if (m_queued) {
    startNext();
  }
  if (!stale && scene) Q_EMIT sceneReady(scene);
}

}  // namespace counterscope::ui
