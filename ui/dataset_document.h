#pragma once
// The open dataset of a window: its source, the loaded core Dataset (shared, immutable once loaded) and
// its summary. Owns the load job; views observe it through signals.

#include <memory>
#include <optional>

#include <QObject>
#include <QString>

#include "core/data/lvis/dataset_stats.h"
#include "ui/dataset_source.h"

namespace counterscope::ui {

class LoadJob;
struct LoadedDataset;

class DatasetDocument : public QObject {
  Q_OBJECT

 public:
  enum class State { empty, loading, ready, failed };

  explicit DatasetDocument(QObject* parent = nullptr);
  ~DatasetDocument() override;

  /// Starts loading `source` in a worker thread; a load in progress is cancelled first.
  void open(const DatasetSource& source);
  /// Drops the dataset (and cancels a load in progress).
  void close();

  State state() const { return m_state; }
  bool isReady() const { return m_state == State::ready; }
  const DatasetSource& source() const { return m_source; }
  /// Null unless ready. Shared so that worker threads (thumbnails, scenes) can keep it alive.
  const std::shared_ptr<const data::Dataset>& dataset() const { return m_dataset; }
  const data::DatasetStats& stats() const { return m_stats; }
  const QString& lastError() const { return m_lastError; }

  /// Index in dataset()->images of the image with this id.
  std::optional<std::size_t> imageIndexOf(qint64 imageId) const;

 Q_SIGNALS:
  void loadStarted(const counterscope::ui::DatasetSource& source);
  void loadProgress(const QString& stage, qint64 done, qint64 total);
  /// The dataset was replaced: loaded, or closed (dataset() is then null).
  void datasetChanged();
  void loadFailed(const QString& message);

 private:
  void onLoadFinished(const std::shared_ptr<const LoadedDataset>& loaded);
  void onLoadFailed(const QString& message);
  void discardJob();

  State m_state = State::empty;
  DatasetSource m_source;
  std::shared_ptr<const data::Dataset> m_dataset;
  data::DatasetStats m_stats;
  QString m_lastError;
  LoadJob* m_job = nullptr;
};

}  // namespace counterscope::ui
