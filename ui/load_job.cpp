#include "ui/load_job.h"

#include <exception>

#include <QFileInfo>
#include <QtConcurrent/QtConcurrent>

#include "core/data/lvis/lvis_loader.h"
#include "core/util/error.h"

namespace counterscope::ui {

LoadJob::LoadJob(DatasetSource source, QObject* parent) : QObject(parent), m_source(std::move(source)) {
  connect(&m_watcher, &QFutureWatcher<Outcome>::finished, this, &LoadJob::onWorkerFinished);
}

LoadJob::~LoadJob() {
  m_cancel = true;
  m_watcher.waitForFinished();
}

void LoadJob::start() {
  m_cancel = false;
  m_watcher.setFuture(QtConcurrent::run([this] { return run(); }));
}

void LoadJob::cancel() { m_cancel = true; }

LoadJob::Outcome LoadJob::run() {
  Outcome outcome;
  const QFileInfo annotationFile(m_source.annotationPath);
  if (!annotationFile.isFile()) {
    outcome.error = QStringLiteral("%1: annotation file not found").arg(m_source.annotationPath);
    return outcome;
  }
  // Loaders report per object; forward only when the stage changes or a per-mille step passes, so that
  // the GUI thread's event queue is not flooded.
  struct Throttle {
    std::string stage;
    std::int64_t permille = -1;
  };
  auto throttle = std::make_shared<Throttle>();
  JobContext context;
  context.cancel = &m_cancel;
  context.on_progress = [this, throttle](const Progress& progress) {
    const std::int64_t permille = progress.total > 0 ? progress.done * 1000 / progress.total : -1;
    if (progress.stage == throttle->stage && permille == throttle->permille) return;
    throttle->stage = progress.stage;
    throttle->permille = permille;
    const QString stage = QString::fromStdString(progress.stage);
    const qint64 done = progress.done, total = progress.total;
    QMetaObject::invokeMethod(
        this, [this, stage, done, total] { Q_EMIT progressUpdated(stage, done, total); }, Qt::QueuedConnection);
  };
  try {
    auto loaded = std::make_shared<LoadedDataset>();
    loaded->source = m_source;
    auto dataset = std::make_shared<data::Dataset>(
        data::load_dataset(QFile::encodeName(m_source.annotationPath).toStdString(), context));
    context.throw_if_cancelled();
    context.report("summarise", 0, 0);
    loaded->stats = data::compute_dataset_stats(*dataset);
    loaded->dataset = std::move(dataset);
    outcome.result = std::move(loaded);
  } catch (const Cancelled&) {
    outcome.cancelled = true;
  } catch (const std::exception& error) {
    outcome.error = QString::fromStdString(error.what());
  }
  return outcome;
}

void LoadJob::onWorkerFinished() {
  const Outcome outcome = m_watcher.result();
  if (outcome.cancelled) {
    Q_EMIT cancelled();
  } else if (outcome.result) {
    Q_EMIT finished(outcome.result);
  } else {
    Q_EMIT failed(outcome.error);
  }
}

}  // namespace counterscope::ui
