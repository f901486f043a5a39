#include "ui/jobs_dock.h"

#include <algorithm>
#include <cmath>

#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

#include "ui/job_launch_dialog.h"
#include "ui/loss_chart.h"
#include "ui/model_registry.h"

namespace counterscope::ui {

namespace {

enum Column { TitleColumn, StateColumn, ProgressColumn, EtaColumn };
const QString kLossMetric = QStringLiteral("loss");

QColor stateColor(JobState state) {
  switch (state) {
    case JobState::Succeeded: return QColor(0x4f, 0xb0, 0x8c);
    case JobState::Failed: return QColor(0xef, 0x6b, 0x73);
    case JobState::Cancelled: return QColor(0xf2, 0xb5, 0x4a);
    case JobState::Running: return QColor(0x3d, 0x8b, 0xfd);
    case JobState::Queued: break;
  }
  return QColor(0x9a, 0xa2, 0xad);
}

int percent(const JobRunner* runner) {
  if (runner->state() == JobState::Succeeded) return 100;
  if (runner->total() <= 0) return 0;
  return static_cast<int>(100 * runner->done() / runner->total());
}

}  // namespace

QString formatDuration(double seconds) {
  if (!(seconds >= 0)) return QStringLiteral("—");
  const qint64 s = static_cast<qint64>(std::llround(seconds));
  if (s >= 3600) return QObject::tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60, 2, 10, QLatin1Char('0'));
  if (s >= 60) return QObject::tr("%1 min %2 s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
  return QObject::tr("%1 s").arg(s);
}

JobsDock::JobsDock(QWidget* parent)
    : QWidget(parent),
      m_list(new QTreeWidget(this)),
      m_stage(new QLabel(this)),
      m_progress(new QProgressBar(this)),
      m_chart(new LossChart(this)),
      m_log(new QPlainTextEdit(this)),
      m_cancel(new QPushButton(tr("Cancel"), this)),
      m_resume(new QPushButton(tr("Resume"), this)),
      m_launcher(new JobLauncher(this)) {
  m_list->setColumnCount(4);
  m_list->setHeaderLabels({tr("Job"), tr("State"), tr("Progress"), tr("ETA")});
  m_list->setRootIsDecorated(false);
  m_list->setUniformRowHeights(true);
  m_list->setAlternatingRowColors(true);
  m_list->header()->setSectionResizeMode(TitleColumn, QHeaderView::Stretch);
  m_list->header()->setStretchLastSection(false);
  m_list->setColumnWidth(StateColumn, 70);
  m_list->setColumnWidth(ProgressColumn, 110);
  m_list->setColumnWidth(EtaColumn, 80);
  m_list->setMinimumWidth(280);

  auto* launchRow = new QHBoxLayout;
  launchRow->setContentsMargins(0, 0, 0, 0);
  for (QPushButton* button : m_launcher->buttons(this)) launchRow->addWidget(button);
  launchRow->addStretch(1);

  auto* left = new QWidget(this);
  auto* leftLayout = new QVBoxLayout(left);
  leftLayout->setContentsMargins(4, 4, 4, 4);
  leftLayout->setSpacing(4);
  leftLayout->addLayout(launchRow);
  leftLayout->addWidget(m_list, 1);

  m_stage->setWordWrap(false);
  m_stage->setTextInteractionFlags(Qt::TextSelectableByMouse);
  m_progress->setRange(0, 100);
  m_progress->setTextVisible(true);
  m_progress->setMaximumHeight(16);
  m_log->setReadOnly(true);
  m_log->setMaximumBlockCount(5000);
  m_log->setLineWrapMode(QPlainTextEdit::NoWrap);
  QFont mono(QStringLiteral("monospace"));
  mono.setStyleHint(QFont::TypeWriter);
  mono.setPointSizeF(8.5);
  m_log->setFont(mono);
  m_cancel->setToolTip(tr("Stop the selected job at its next step (a training keeps its checkpoint)"));
  m_resume->setToolTip(tr("Continue the selected cancelled or failed training, generator training or augmentation "
                           "(from its newest checkpoint or journal)"));

  auto* buttons = new QHBoxLayout;
  buttons->setContentsMargins(0, 0, 0, 0);
  buttons->addWidget(m_stage, 1);
  buttons->addWidget(m_cancel);
  buttons->addWidget(m_resume);

  auto* detailSplit = new QSplitter(Qt::Horizontal, this);
  detailSplit->addWidget(m_chart);
  detailSplit->addWidget(m_log);
  detailSplit->setStretchFactor(0, 1);
  detailSplit->setStretchFactor(1, 1);

  auto* right = new QWidget(this);
  auto* rightLayout = new QVBoxLayout(right);
  rightLayout->setContentsMargins(4, 4, 4, 4);
  rightLayout->setSpacing(4);
  rightLayout->addLayout(buttons);
  rightLayout->addWidget(m_progress);
  rightLayout->addWidget(detailSplit, 1);

  auto* split = new QSplitter(Qt::Horizontal, this);
  split->addWidget(left);
  split->addWidget(right);
  split->setStretchFactor(0, 0);
  split->setStretchFactor(1, 1);
  split->setSizes({330, 900});
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(split);

  connect(m_list, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
    showDetails(item ? item->data(TitleColumn, Qt::UserRole).value<JobRunner*>() : nullptr);
  });
  connect(m_cancel, &QPushButton::clicked, this, &JobsDock::cancelSelected);
  connect(m_resume, &QPushButton::clicked, this, &JobsDock::resumeSelected);
  connect(m_launcher, &JobLauncher::jobCreated, this, &JobsDock::addJob);
  showDetails(nullptr);
}

JobsDock::~JobsDock() {
  for (JobRunner* runner : std::as_const(m_jobs)) runner->cancel();
  qDeleteAll(m_jobs);  // each waits for its thread
  m_jobs.clear();
}

void JobsDock::addJob(JobRunner* runner) {
  runner->setParent(this);
  m_jobs.append(runner);
  auto* item = new QTreeWidgetItem(m_list);
  item->setData(TitleColumn, Qt::UserRole, QVariant::fromValue(runner));
  item->setText(TitleColumn, runner->title());
  item->setToolTip(TitleColumn, runner->title());
  auto* bar = new QProgressBar(m_list);
  bar->setRange(0, 100);
  bar->setMaximumHeight(14);
  bar->setTextVisible(true);
  m_list->setItemWidget(item, ProgressColumn, bar);
  m_items.insert(runner, item);

  connect(runner, &JobRunner::stateChanged, this, [this, runner] {
    updateItem(runner);
    if (runner == selectedJob()) showDetails(runner);
  });
  connect(runner, &JobRunner::progressed, this, [this, runner] {
    updateItem(runner);
    if (runner != selectedJob()) return;
    m_progress->setValue(percent(runner));
    QString stage = runner->stage();
    if (runner->total() > 0) stage += QStringLiteral("  %1 / %2").arg(runner->done()).arg(runner->total());
    if (runner->etaSeconds() >= 0) stage += tr("  ·  ETA %1").arg(formatDuration(runner->etaSeconds()));
    m_stage->setText(stage);
  });
  connect(runner, &JobRunner::metricPoint, this, [this, runner](qint64 step, const QString& name, double value) {
    if (name != kLossMetric) return;
    m_losses[runner].append(QPointF(static_cast<double>(step), value));
    if (runner == selectedJob()) m_chart->appendPoint(kLossMetric, QPointF(static_cast<double>(step), value));
  });
  connect(runner, &JobRunner::logLine, this, [this, runner](const QString& line) {
    if (runner == selectedJob()) m_log->appendPlainText(line);
  });
  connect(runner, &JobRunner::finished, this, [this, runner] { onFinished(runner); });

  updateItem(runner);
  m_list->setCurrentItem(item);
  startNext();
  Q_EMIT activeJobCountChanged(static_cast<int>(std::count_if(m_jobs.cbegin(), m_jobs.cend(),
                                                              [](const JobRunner* j) { return j->isActive(); })));
}

JobRunner* JobsDock::selectedJob() const {
  const QTreeWidgetItem* item = m_list->currentItem();
  return item ? item->data(TitleColumn, Qt::UserRole).value<JobRunner*>() : nullptr;
}

void JobsDock::selectJob(JobRunner* runner) {
  if (auto* item = itemFor(runner)) m_list->setCurrentItem(item);
}

bool JobsDock::hasActiveJobs() const {
  return std::any_of(m_jobs.cbegin(), m_jobs.cend(), [](const JobRunner* runner) { return runner->isActive(); });
}

void JobsDock::cancelSelected() {
  if (JobRunner* runner = selectedJob()) runner->cancel();
  updateButtons();
}

void JobsDock::resumeSelected() {
  JobRunner* runner = selectedJob();
  if (!runner) return;
  if (JobRunner* resumed = runner->createResumed(this)) addJob(resumed);
}

QTreeWidgetItem* JobsDock::itemFor(JobRunner* runner) const { return m_items.value(runner); }

void JobsDock::updateItem(JobRunner* runner) {
  QTreeWidgetItem* item = itemFor(runner);
  if (!item) return;
  item->setText(StateColumn, jobStateName(runner->state()));
  item->setForeground(StateColumn, stateColor(runner->state()));
  if (runner->state() == JobState::Failed) item->setToolTip(StateColumn, runner->errorMessage());
  if (auto* bar = qobject_cast<QProgressBar*>(m_list->itemWidget(item, ProgressColumn))) bar->setValue(percent(runner));
  item->setText(EtaColumn, runner->state() == JobState::Running ? formatDuration(runner->etaSeconds()) : QString());
}

void JobsDock::showDetails(JobRunner* runner) {
  m_log->clear();
  m_chart->clear();
  if (!runner) {
    m_stage->setText(
        tr("No job selected — start a training, an evaluation, a generator training or an augmentation above."));
    m_progress->setValue(0);
    updateButtons();
    return;
  }
  m_log->setPlainText(runner->log().join(QLatin1Char('\n')));
  m_log->moveCursor(QTextCursor::End);
  m_chart->setPoints(kLossMetric, m_losses.value(runner));
  m_progress->setValue(percent(runner));
  QString stage = QStringLiteral("%1 — %2").arg(runner->title(), jobStateName(runner->state()));
  if (runner->state() == JobState::Failed) stage += QStringLiteral(": ") + runner->errorMessage();
  m_stage->setText(stage);
  m_stage->setToolTip(stage);
  updateButtons();
}

void JobsDock::updateButtons() {
  const JobRunner* runner = selectedJob();
  m_cancel->setEnabled(runner && runner->isActive());
  m_resume->setEnabled(runner && runner->canResume());
}

void JobsDock::startNext() {
  for (JobRunner* runner : std::as_const(m_jobs)) {
    if (runner->state() == JobState::Running) return;
  }
  for (JobRunner* runner : std::as_const(m_jobs)) {
    if (runner->state() == JobState::Queued) {
      runner->start();
      return;
    }
  }
}

void JobsDock::onFinished(JobRunner* runner) {
  updateItem(runner);
  if (runner == selectedJob()) updateButtons();
  if (runner->state() == JobState::Succeeded) {
    registerOutputs(runner);
    Q_EMIT jobSucceeded(runner, runner->outputs());
  }
  if (runner->state() == JobState::Failed) Q_EMIT jobFailed(runner, runner->errorMessage());
  startNext();
  Q_EMIT activeJobCountChanged(static_cast<int>(std::count_if(m_jobs.cbegin(), m_jobs.cend(),
                                                              [](const JobRunner* j) { return j->isActive(); })));
}

void JobsDock::registerOutputs(JobRunner* runner) {
  if (!m_registry) return;
  const QVariantMap& outputs = runner->outputs();
  const QString folder = outputs.value(QStringLiteral("output_dir")).toString();
  const QString name = QFileInfo(folder).fileName();
  if (outputs.contains(QStringLiteral("generator"))) {
    // A generator belongs to the detector it was trained for: attach it when that model is listed.
    const QString weights = outputs.value(QStringLiteral("detector_weights")).toString();
    for (int i = 0; i < m_registry->count(); ++i) {
      if (m_registry->entry(i).source.weights == weights)
        m_registry->setGenerator(i, outputs.value(QStringLiteral("generator")).toString());
    }
  } else if (outputs.contains(QStringLiteral("results"))) {
    m_registry->addResultsFile(outputs.value(QStringLiteral("results")).toString(), name);
  } else if (outputs.contains(QStringLiteral("weights"))) {
    m_registry->addTrainingOutput(folder, name);
  }
}

}  // namespace counterscope::ui
