#pragma once
// Runs one core job — a callable taking a JobContext — on its own worker thread (a long training must not
// hold a thread of the global pool that decodes thumbnails) and reports to the GUI thread through queued
// signals only: state, progress with ETA, log lines, and the numbers its progress messages carry (the live
// loss). Cancel sets the JobContext's atomic flag; an exception becomes failed(message) and the application
// carries on.

#include <atomic>
#include <functional>
#include <memory>

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVariantMap>

#include "core/util/progress.h"
#include "core/util/eta_estimator.h"

class QThread;

namespace counterscope::ui {

enum class JobState { Queued, Running, Succeeded, Failed, Cancelled };
QString jobStateName(JobState state);

/// What a job function returns. A function may also stop by throwing counterscope::Cancelled.
struct JobOutcome {
  bool completed = true;  ///< false: it stopped at the cancel flag (a checkpoint allows resuming)
  QString summary;        ///< one line for the log, e.g. "AP 0.123 (box), 0.101 (mask)"
  QStringList warnings;
  /// Files and values the job produced, e.g. "output_dir", "model_config", "weights", "evaluation".
  QVariantMap outputs;
};
using JobFunction = std::function<JobOutcome(const JobContext&)>;

class JobRunner : public QObject {
  Q_OBJECT

 public:
  /// `kind` names the job type ("training", "evaluation", "generator training").
  JobRunner(QString title, QString kind, JobFunction function, QObject* parent = nullptr);
  /// Cancels a running job and waits for its thread, so no signal outlives the runner.
  ~JobRunner() override;

  /// Starts the worker thread (once; later calls are ignored).
  void start();
  /// Asks the job to stop at its next progress point; cancelled() follows.
  void cancel();
  /// Blocks until the worker thread has ended (tests, shutdown). True when it has.
  bool wait(int milliseconds);

  /// A function that continues this job (a training's resume); empty when the job cannot be resumed.
  void setResumeFunction(JobFunction function) { m_resume = std::move(function); }
  bool canResume() const;
  /// A new queued runner continuing this job, or nullptr when it cannot be resumed now.
  JobRunner* createResumed(QObject* parent) const;

  const QString& title() const { return m_title; }
  const QString& kind() const { return m_kind; }
  JobState state() const { return m_state; }
  bool isActive() const { return m_state == JobState::Queued || m_state == JobState::Running; }
  const QString& stage() const { return m_stage; }
  qint64 done() const { return m_done; }
  qint64 total() const { return m_total; }
  /// Seconds left in the current stage, -1 while unknown.
  double etaSeconds() const { return m_eta.remaining_seconds(); }
  const QString& errorMessage() const { return m_error; }
  const QVariantMap& outputs() const { return m_outputs; }
  const QStringList& log() const { return m_log; }

 Q_SIGNALS:
  void stateChanged(counterscope::ui::JobState state);
  /// `total` is 0 when the stage's size is unknown. Throttled: every stage change and end, else ~10 per second.
  void progressed(const QString& stage, qint64 done, qint64 total, const QString& message);
  void logLine(const QString& line);
  /// A value carried by a progress message (e.g. "loss") at step `done`.
  void metricPoint(qint64 step, const QString& name, double value);
  void succeeded(const QVariantMap& outputs);
  void failed(const QString& message);
  void cancelled();
  /// After succeeded, failed or cancelled.
  void finished();

 private:
  void runWorker();
  void onProgress(const QString& stage, qint64 done, qint64 total, const QString& message);
  void onOutcome(bool ok, const JobOutcome& outcome, const QString& error, bool wasCancelled);
  void appendLog(const QString& line);
  void setState(JobState state);

  QString m_title;
  QString m_kind;
  JobFunction m_function;
  JobFunction m_resume;
  std::atomic<bool> m_cancel{false};
  QThread* m_thread = nullptr;
  JobState m_state = JobState::Queued;
  QString m_stage;
  qint64 m_done = 0;
  qint64 m_total = 0;
  QString m_error;
  QVariantMap m_outputs;
  QStringList m_log;
  EtaEstimator m_eta;
  QElapsedTimer m_clock;
  qint64 m_lastLogMs = -1;
};

}  // namespace counterscope::ui

Q_DECLARE_METATYPE(counterscope::ui::JobState)
