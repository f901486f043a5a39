#include "ui/job_runner.h"

#include <chrono>
#include <exception>
#include <string>

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include <QThread>
#include <QTime>

#include "core/util/error.h"
#include "ui/progress_metrics.h"

namespace counterscope::ui {

namespace {

// Progress reports closer together than this are dropped (stage changes and stage ends always pass), so that a
// loader reporting per object cannot flood the GUI thread's event queue.
constexpr auto kProgressInterval = std::chrono::milliseconds(100);
// A progress message enters the log at most this often; the chart shows every value.
constexpr qint64 kLogIntervalMs = 2000;

}  // namespace

QString jobStateName(JobState state) {
  switch (state) {
    case JobState::Queued: return QObject::tr("queued");
    case JobState::Running: return QObject::tr("running");
    case JobState::Succeeded: return QObject::tr("done");
    case JobState::Failed: return QObject::tr("failed");
    case JobState::Cancelled: return QObject::tr("cancelled");
  }
  return {};
}

JobRunner::JobRunner(QString title, QString kind, JobFunction function, QObject* parent)
    : QObject(parent), m_title(std::move(title)), m_kind(std::move(kind)), m_function(std::move(function)) {
  qRegisterMetaType<counterscope::ui::JobState>();
}

JobRunner::~JobRunner() {
  m_cancel = true;
  if (m_thread) {
    m_thread->wait();
    delete m_thread;
  }
}

void JobRunner::start() {
  if (m_thread || m_state != JobState::Queued) return;
  m_clock.start();
  setState(JobState::Running);
  appendLog(tr("%1 started").arg(m_kind));
  m_thread = QThread::create([this] { runWorker(); });
  m_thread->setObjectName(QStringLiteral("job: ") + m_title);
  m_thread->start();
}

void JobRunner::cancel() {
  if (m_state == JobState::Queued) {
    m_cancel = true;
    appendLog(tr("cancelled before it started"));
    setState(JobState::Cancelled);
    Q_EMIT cancelled();
    Q_EMIT finished();
    return;
  }
  if (m_state != JobState::Running || m_cancel.exchange(true)) return;
  appendLog(tr("cancel requested — stopping at the next step"));
}

bool JobRunner::wait(int milliseconds) { return !m_thread || m_thread->wait(QDeadlineTimer(milliseconds)); }

bool JobRunner::canResume() const {
  return m_resume && (m_state == JobState::Cancelled || m_state == JobState::Failed);
}

JobRunner* JobRunner::createResumed(QObject* parent) const {
  if (!canResume()) return nullptr;
  auto* runner = new JobRunner(m_title + tr(" (resumed)"), m_kind, m_resume, parent);
  runner->setResumeFunction(m_resume);
  return runner;
}

void JobRunner::runWorker() {
#ifdef __linux__
  // Jobs yield the cores to the GUI thread: nice this thread (Linux nice values are per thread, and the
  // compute threads LibTorch starts from it inherit the value). QThread::LowPriority does nothing under
  // SCHED_OTHER.
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
#endif
  struct Throttle {
    std::string stage;
    std::int64_t done = -1;
    std::chrono::steady_clock::time_point last{};
    std::int64_t metric_step = -1;
  } throttle;
  JobContext context;
  context.cancel = &m_cancel;
  context.on_progress = [this, &throttle](const Progress& progress) {
    const auto now = std::chrono::steady_clock::now();
    const qint64 done = progress.done, total = progress.total;
    if (!progress.message.empty() && done != throttle.metric_step) {
      throttle.metric_step = done;
      for (const auto& [name, value] : parse_progress_metrics(progress.message)) {
        const QString metric = QString::fromStdString(name);
        const double v = value;
        QMetaObject::invokeMethod(
            this, [this, done, metric, v] { Q_EMIT metricPoint(done, metric, v); }, Qt::QueuedConnection);
      }
    }
    const bool stageChanged = progress.stage != throttle.stage;
    const bool stageEnd = total > 0 && done >= total && done != throttle.done;
    if (!stageChanged && !stageEnd && now - throttle.last < kProgressInterval) return;
    throttle.stage = progress.stage;
    throttle.done = done;
    throttle.last = now;
    const QString stage = QString::fromStdString(progress.stage);
    const QString message = QString::fromStdString(progress.message);
    QMetaObject::invokeMethod(
        this, [this, stage, done, total, message] { onProgress(stage, done, total, message); },
        Qt::QueuedConnection);
  };

  JobOutcome outcome;
  QString error;
  bool ok = false, wasCancelled = false;
  try {
    outcome = m_function(context);
    ok = true;
    wasCancelled = !outcome.completed;
  } catch (const Cancelled&) {
    wasCancelled = true;
  } catch (const std::exception& exception) {
    error = QString::fromStdString(exception.what());
  } catch (...) {
    error = tr("unknown error");
  }
  // Queued after every progress report of this thread, so the outcome arrives last.
  QMetaObject::invokeMethod(
      this, [this, ok, outcome, error, wasCancelled] { onOutcome(ok, outcome, error, wasCancelled); },
      Qt::QueuedConnection);
}

void JobRunner::onProgress(const QString& stage, qint64 done, qint64 total, const QString& message) {
  if (m_state != JobState::Running) return;
  const bool newStage = stage != m_stage;
  m_stage = stage;
  m_done = done;
  m_total = total;
  m_eta.update(stage.toStdString(), done, total, static_cast<double>(m_clock.elapsed()) / 1000.0);
  const qint64 now = m_clock.elapsed();
  if (newStage || (!message.isEmpty() && now - m_lastLogMs >= kLogIntervalMs) || (total > 0 && done >= total)) {
    m_lastLogMs = now;
    QString line = total > 0 ? QStringLiteral("%1 %2/%3").arg(stage).arg(done).arg(total) : stage;
    if (!message.isEmpty()) line += QStringLiteral("  ") + message;
    appendLog(line);
  }
  Q_EMIT progressed(stage, done, total, message);
}

void JobRunner::onOutcome(bool ok, const JobOutcome& outcome, const QString& error, bool wasCancelled) {
  m_outputs = outcome.outputs;
  for (const QString& warning : outcome.warnings) appendLog(tr("warning: %1").arg(warning));
  if (!outcome.summary.isEmpty()) appendLog(outcome.summary);
  if (wasCancelled) {
    appendLog(tr("cancelled"));
    setState(JobState::Cancelled);
    Q_EMIT cancelled();
  } else if (ok) {
    appendLog(tr("finished in %1 s").arg(static_cast<double>(m_clock.elapsed()) / 1000.0, 0, 'f', 1));
    setState(JobState::Succeeded);
    Q_EMIT succeeded(m_outputs);
  } else {
    m_error = error;
    appendLog(tr("error: %1").arg(error));
    setState(JobState::Failed);
    Q_EMIT failed(error);
  }
  Q_EMIT finished();
}

void JobRunner::appendLog(const QString& line) {
  const QString stamped = QTime::currentTime().toString(QStringLiteral("[HH:mm:ss] ")) + line;
  m_log.append(stamped);
  Q_EMIT logLine(stamped);
}

void JobRunner::setState(JobState state) {
  if (m_state == state) return;
  m_state = state;
  Q_EMIT stateChanged(state);
}

}  // namespace counterscope::ui
