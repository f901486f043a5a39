// The main window's Jobs and Metrics docks (tabbed together at the bottom) and its persisted layer toggles:
// created here so that the window's own file only calls createJobDocks() and the jobs stay one concern.
// A finished augmentation offers its dataset (File ▸ Open the augmented dataset).

#include <QAction>
#include <QDockWidget>
#include <QMenu>

#include "ui/action_settings.h"
#include "ui/dataset_document.h"
#include "ui/dataset_source.h"
#include "ui/job_launch_dialog.h"
#include "ui/jobs_dock.h"
#include "ui/main_window.h"
#include "ui/message_banner.h"
#include "ui/metrics_view.h"
#include "ui/model_registry.h"

namespace counterscope::ui {

void MainWindow::createJobDocks() {
  m_jobsDock = new JobsDock(this);
  m_metricsView = new MetricsView(this);

  auto* jobs = new QDockWidget(tr("Jobs"), this);
  jobs->setObjectName(QStringLiteral("jobsDock"));
  jobs->setWidget(m_jobsDock);
  jobs->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable |
                    QDockWidget::DockWidgetFloatable);
  auto* metrics = new QDockWidget(tr("Metrics"), this);
  metrics->setObjectName(QStringLiteral("metricsDock"));
  metrics->setWidget(m_metricsView);
  metrics->setFeatures(jobs->features());
  addDockWidget(Qt::BottomDockWidgetArea, metrics);
  tabifyDockWidget(metrics, jobs);
  metrics->raise();
  resizeDocks({metrics}, {230}, Qt::Vertical);

  QAction* showJobs = jobs->toggleViewAction();
  showJobs->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_J));
  QAction* showMetrics = metrics->toggleViewAction();
  showMetrics->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_M));
  m_actions.viewMenu->addAction(showMetrics);
  m_actions.viewMenu->addAction(showJobs);

  // The layer toggles keep their state across sessions (restored here, before connectActions wires them).
  persistCheckedActions({{QStringLiteral("image"), m_actions.showImage},
                         {QStringLiteral("masks"), m_actions.showMasks},
                         {QStringLiteral("boxes"), m_actions.showBoxes},
                         {QStringLiteral("labels"), m_actions.showLabels}},
                        QStringLiteral("layers"));

  connect(m_document, &DatasetDocument::datasetChanged, this, [this] {
    const DatasetSource& source = m_document->source();
    JobDefaults defaults = jobDefaultsForDataset(m_document->isReady() ? source.annotationPath : QString(),
                                                 m_document->isReady() ? source.imageRoot : QString());
    defaults.modelConfig = m_jobsDock->launcher()->defaults().modelConfig;
    defaults.weights = m_jobsDock->launcher()->defaults().weights;
    defaults.generator = m_jobsDock->launcher()->defaults().generator;
    m_jobsDock->launcher()->setDefaults(defaults);
  });
  // A new job brings the Jobs tab forward; a failure is shown in the banner and the application carries on.
  connect(m_jobsDock->launcher(), &JobLauncher::jobCreated, jobs, [jobs] {
    jobs->show();
    jobs->raise();
  });
  connect(m_jobsDock, &JobsDock::jobFailed, this, [this](JobRunner* runner, const QString& message) {
    m_banner->showMessage(MessageBanner::Kind::error, tr("%1 failed").arg(runner->title()), message);
  });

  // The newest augmented dataset, one action away (its paths are in the job's log too).
  auto* openAugmented = new QAction(tr("Open the &augmented dataset"), this);
  openAugmented->setObjectName(QStringLiteral("openAugmentedDataset"));
  openAugmented->setEnabled(false);
  openAugmented->setToolTip(tr("Opens the dataset the last augmentation job wrote"));
  if (auto* file = qobject_cast<QMenu*>(m_actions.recentMenu->parent()))
    file->insertAction(m_actions.closeDataset, openAugmented);
  connect(openAugmented, &QAction::triggered, this, [this, openAugmented] {
    openDataset(openAugmented->data().value<DatasetSource>());
  });
  connect(m_jobsDock, &JobsDock::jobSucceeded, this, [this, openAugmented](JobRunner*, const QVariantMap& outputs) {
    const QString annotations = outputs.value(QStringLiteral("augmented_annotations")).toString();
    if (annotations.isEmpty()) return;
    const DatasetSource source{annotations, outputs.value(QStringLiteral("augmented_images")).toString()};
    openAugmented->setData(QVariant::fromValue(source));
    openAugmented->setEnabled(true);
    const qlonglong added = outputs.value(QStringLiteral("images_added")).toLongLong();
    m_banner->showMessage(MessageBanner::Kind::information, tr("Augmentation finished: %1 images added").arg(added),
                          tr("File ▸ Open the augmented dataset opens %1 (images under %2).")
                              .arg(source.annotationPath, source.imageRoot));
  });
}

void MainWindow::connectJobDocks() {
  // Finished trainings and evaluations become models; every evaluated model appears in the Metrics view.
  if (!m_models) return;
  m_jobsDock->setRegistry(m_models);
  m_metricsView->setRegistry(m_models);
  // The evaluation and generator forms start from the model opened last.
  connect(m_models, &ModelRegistry::modelAdded, this, [this](int index) {
    const ModelSource& source = m_models->entry(index).source;
    if (source.kind != ModelSource::Kind::weights) return;
    JobDefaults defaults = m_jobsDock->launcher()->defaults();
    defaults.modelConfig = source.config;
    defaults.weights = source.weights;
    defaults.generator = source.generator;
    m_jobsDock->launcher()->setDefaults(defaults);
  });
  // A generator attached later (opened, or trained by a job) becomes the augmentation form's default.
  connect(m_models, &ModelRegistry::modelChanged, this, [this](int index) {
    const ModelSource& source = m_models->entry(index).source;
    JobDefaults defaults = m_jobsDock->launcher()->defaults();
    if (source.generator.isEmpty() || source.weights != defaults.weights) return;
    defaults.generator = source.generator;
    m_jobsDock->launcher()->setDefaults(defaults);
  });
}

}  // namespace counterscope::ui
