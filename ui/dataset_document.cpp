#include "ui/dataset_document.h"

#include "ui/load_job.h"

namespace counterscope::ui {

DatasetDocument::DatasetDocument(QObject* parent) : QObject(parent) {
  qRegisterMetaType<counterscope::ui::DatasetSource>();
}

DatasetDocument::~DatasetDocument() { discardJob(); }

void DatasetDocument::discardJob() {
  if (m_job == nullptr) return;
  m_job->disconnect(this);
  m_job->cancel();
  // The job waits for its worker when destroyed; deleting later keeps this call cheap for the GUI thread
  // when a queued signal of the job is being delivered right now.
  m_job->deleteLater();
  m_job = nullptr;
}

void DatasetDocument::open(const DatasetSource& source) {
  discardJob();
  const bool hadDataset = m_dataset != nullptr;
  m_dataset.reset();
  m_stats = {};
  m_lastError.clear();
  m_source = source;
  m_state = State::loading;
  if (hadDataset) Q_EMIT datasetChanged();

  m_job = new LoadJob(source, this);
  connect(m_job, &LoadJob::progressUpdated, this, &DatasetDocument::loadProgress);
  connect(m_job, &LoadJob::finished, this, &DatasetDocument::onLoadFinished);
  connect(m_job, &LoadJob::failed, this, &DatasetDocument::onLoadFailed);
  Q_EMIT loadStarted(source);
  m_job->start();
}

void DatasetDocument::close() {
  discardJob();
  const bool hadDataset = m_dataset != nullptr;
  m_dataset.reset();
  m_stats = {};
  m_source = {};
  m_state = State::empty;
  if (hadDataset) Q_EMIT datasetChanged();
}

std::optional<std::size_t> DatasetDocument::imageIndexOf(qint64 imageId) const {
  if (!m_dataset) return std::nullopt;
  return m_dataset->image_index(imageId);
}

void DatasetDocument::onLoadFinished(const std::shared_ptr<const LoadedDataset>& loaded) {
  discardJob();
  m_dataset = loaded->dataset;
  m_stats = loaded->stats;
  m_state = State::ready;
  Q_EMIT datasetChanged();
}

void DatasetDocument::onLoadFailed(const QString& message) {
  discardJob();
  m_lastError = message;
  m_state = State::failed;
  Q_EMIT loadFailed(message);
}

}  // namespace counterscope::ui
