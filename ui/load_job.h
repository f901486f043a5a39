#pragma once
// Loads a dataset in a worker thread (QtConcurrent) and reports through signals only: the core's JobContext
// progress callback becomes queued progressUpdated signals, an atomic flag cancels.

#include <atomic>
#include <memory>

#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include "core/data/lvis/dataset_stats.h"
#include "ui/dataset_source.h"

namespace counterscope::ui {

/// What a finished load hands to the GUI thread.
struct LoadedDataset {
  DatasetSource source;
  std::shared_ptr<const data::Dataset> dataset;
  data::DatasetStats stats;
};

class LoadJob : public QObject {
  Q_OBJECT

 public:
  explicit LoadJob(DatasetSource source, QObject* parent = nullptr);
  /// Cancels a running load and waits for the worker, so no signal outlives the job.
  ~LoadJob() override;

  const DatasetSource& source() const { return m_source; }
  void start();
  /// Asks the worker to stop at its next progress point; failed(…) or nothing follows, never finished.
  void cancel();
  bool isRunning() const { return m_watcher.isRunning(); }

 Q_SIGNALS:
  /// `total` is 0 when the stage's size is unknown.
  void progressUpdated(const QString& stage, qint64 done, qint64 total);
  void finished(std::shared_ptr<const counterscope::ui::LoadedDataset> result);
  void failed(const QString& message);
  void cancelled();

 private:
  struct Outcome {
    std::shared_ptr<const LoadedDataset> result;
    QString error;
    bool cancelled = false;
  };
  Outcome run();
  void onWorkerFinished();

  DatasetSource m_source;
  std::atomic<bool> m_cancel{false};
  QFutureWatcher<Outcome> m_watcher;
};

}  // namespace counterscope::ui
