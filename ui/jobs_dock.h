#pragma once
// The Jobs dock: the list of jobs (state, progress bar, ETA), and for the selected one its stage, a live loss
// chart and its log, with Cancel and Resume. Jobs run one at a time in the order queued (the machine's
// cores are shared with the GUI, thumbnails and explanations); each on its own worker thread.

#include <QHash>
#include <QList>
#include <QPointF>
#include <QVariantMap>
#include <QWidget>

#include "ui/job_runner.h"

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace counterscope::ui {

class JobLauncher;
class LossChart;
class ModelRegistry;

class JobsDock : public QWidget {
  Q_OBJECT

 public:
  explicit JobsDock(QWidget* parent = nullptr);
  /// Cancels every job and waits for the threads.
  ~JobsDock() override;

  /// Takes ownership of `runner` (not started yet), lists it, and starts it when no other job runs.
  void addJob(JobRunner* runner);
  QList<JobRunner*> jobs() const { return m_jobs; }
  JobRunner* selectedJob() const;
  void selectJob(JobRunner* runner);
  LossChart* lossChart() const { return m_chart; }
  /// The Train / Evaluate / Generator buttons and their forms; set its defaults from the open dataset.
  JobLauncher* launcher() const { return m_launcher; }
  /// Registers what jobs produce: a finished training's folder as a model, an evaluation's results file.
  void setRegistry(ModelRegistry* registry) { m_registry = registry; }
  /// True while a job is queued or running.
  bool hasActiveJobs() const;

  QPushButton* cancelButton() const { return m_cancel; }
  QPushButton* resumeButton() const { return m_resume; }

 public Q_SLOTS:
  void cancelSelected();
  void resumeSelected();

 Q_SIGNALS:
  /// A job finished successfully; `outputs` as the job returned them (a training's "model_config" and
  /// "weights", an evaluation's "results").
  void jobSucceeded(counterscope::ui::JobRunner* runner, const QVariantMap& outputs);
  void jobFailed(counterscope::ui::JobRunner* runner, const QString& message);
  /// Emitted with the number of jobs queued or running, for a status-bar note.
  void activeJobCountChanged(int count);

 private:
  QTreeWidgetItem* itemFor(JobRunner* runner) const;
  void updateItem(JobRunner* runner);
  void showDetails(JobRunner* runner);
  void updateButtons();
  void startNext();
  void onFinished(JobRunner* runner);
  void registerOutputs(JobRunner* runner);

  QTreeWidget* m_list;
  QLabel* m_stage;
  QProgressBar* m_progress;
  LossChart* m_chart;
  QPlainTextEdit* m_log;
  QPushButton* m_cancel;
  QPushButton* m_resume;
  JobLauncher* m_launcher;
  ModelRegistry* m_registry = nullptr;
  QList<JobRunner*> m_jobs;
  QHash<JobRunner*, QTreeWidgetItem*> m_items;
  QHash<JobRunner*, QList<QPointF>> m_losses;
};

/// "1 h 02 min", "3 min 20 s", "45 s"; "—" when unknown (negative).
QString formatDuration(double seconds);

}  // namespace counterscope::ui
