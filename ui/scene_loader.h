#pragma once
// Builds ImageScenes in a worker thread, one request at a time: a newer request supersedes an older one,
// whose result is dropped, so flipping quickly through images never shows a stale scene.

#include <cstdint>
#include <memory>

#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include "ui/image_scene.h"

namespace counterscope::ui {

class SceneLoader : public QObject {
  Q_OBJECT

 public:
  explicit SceneLoader(QObject* parent = nullptr);
  ~SceneLoader() override;

  void setDataset(std::shared_ptr<const data::Dataset> dataset, const QString& imageRoot);
  /// Starts building the scene of `imageIndex`; sceneReady follows unless a later request replaces it.
  void request(std::size_t imageIndex);
  bool isBusy() const { return m_watcher.isRunning() || m_queued; }

 Q_SIGNALS:
  void sceneReady(std::shared_ptr<const counterscope::ui::ImageScene> scene);

 private:
  void startNext();
  void onFinished();

  std::shared_ptr<const data::Dataset> m_dataset;
  QString m_imageRoot;
  bool m_queued = false;
  std::size_t m_queuedIndex = 0;
  std::uint64_t m_generation = 0;          ///< bumped by setDataset: results of older datasets are dropped
  std::uint64_t m_runningGeneration = 0;
  QFutureWatcher<std::shared_ptr<const ImageScene>> m_watcher;
};

}  // namespace counterscope::ui
