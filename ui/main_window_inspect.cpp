// The main window's model side: the models strip above the canvas, the instance and explain docks, the
// File ▸ Open model / results / generator actions, and the wiring between the canvas picks, the registry
// and the explainer. Kept apart so that main_window.cpp only calls createInspectDocks().

#include <QAction>
#include <QBoxLayout>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QItemSelectionModel>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QTableView>

#include "ui/annotation_table_model.h"
#include "ui/class_search_box.h"
#include "ui/compare_view.h"
#include "ui/dataset_document.h"
#include "ui/explain_controller.h"
#include "ui/explain_panel.h"
#include "ui/filter_bar.h"
#include "ui/image_browser.h"
#include "ui/image_error_index.h"
#include "ui/image_canvas.h"
#include "ui/image_scene.h"
#include "ui/instance_panel.h"
#include "ui/main_window.h"
#include "ui/message_banner.h"
#include "ui/model_panel.h"
#include "ui/model_registry.h"
#include "ui/prediction_overlay.h"

namespace counterscope::ui {

namespace {

const QString lastModelFolderKey = QStringLiteral("models/lastFolder");

QString lastFolder() { return QSettings().value(lastModelFolderKey).toString(); }
void rememberFolder(const QString& file) { QSettings().setValue(lastModelFolderKey, QFileInfo(file).absolutePath()); }

}  // namespace

void MainWindow::createInspectDocks() {
  m_models = new ModelRegistry(this);
  m_explainController = new ExplainController(m_models, this);
  m_overlay = new PredictionOverlay(m_canvas, m_models, this);
  m_modelPanel = new ModelPanel(m_models, this);
  m_instancePanel = new InstancePanel(m_models, this);
  m_explainPanel = new ExplainPanel(m_models, m_explainController, this);

  // The models strip sits between the banner and the canvas.
  if (auto* layout = qobject_cast<QBoxLayout*>(centralWidget()->layout())) layout->insertWidget(1, m_modelPanel);

  auto* instanceDock = new QDockWidget(tr("Instance"), this);
  instanceDock->setObjectName(QStringLiteral("instanceDock"));
  instanceDock->setWidget(m_instancePanel);
  instanceDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable);
  addDockWidget(Qt::RightDockWidgetArea, instanceDock);

  auto* explainDock = new QDockWidget(tr("Explain"), this);
  explainDock->setObjectName(QStringLiteral("explainDock"));
  explainDock->setWidget(m_explainPanel);
  explainDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable |
                           QDockWidget::DockWidgetFloatable);
  addDockWidget(Qt::BottomDockWidgetArea, explainDock);
  if (auto* metrics = findChild<QDockWidget*>(QStringLiteral("metricsDock"))) tabifyDockWidget(metrics, explainDock);
  explainDock->raise();
  resizeDocks({explainDock}, {250}, Qt::Vertical);
  m_actions.viewMenu->addAction(instanceDock->toggleViewAction());
  QAction* showExplain = explainDock->toggleViewAction();
  showExplain->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
  m_actions.viewMenu->addAction(showExplain);

  // File ▸ Open model / results / generator, after Open dataset.
  QMenu* file = nullptr;
  for (QAction* action : menuBar()->actions())
    if (action->menu() != nullptr && action->menu()->actions().contains(m_actions.openDataset)) file = action->menu();
  auto* openModel = new QAction(tr("Open &model (config + weights)…"), this);
  openModel->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
  auto* openResults = new QAction(tr("Open r&esults file…"), this);
  openResults->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
  auto* openGenerator = new QAction(tr("Open &generator for the current model…"), this);
  auto* compare = new QAction(tr("&Compare two models…"), this);
  compare->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_K));
  if (file != nullptr) {
    QAction* before = m_actions.recentMenu->menuAction();
    file->insertAction(before, openModel);
    file->insertAction(before, openResults);
    file->insertAction(before, openGenerator);
    file->insertSeparator(before);
  }
  m_actions.viewMenu->addSeparator();
  m_actions.viewMenu->addAction(compare);
  connect(openModel, &QAction::triggered, this, &MainWindow::chooseModel);
  connect(openResults, &QAction::triggered, this, &MainWindow::chooseResults);
  connect(openGenerator, &QAction::triggered, this, &MainWindow::chooseGenerator);
  connect(compare, &QAction::triggered, this, &MainWindow::showCompare);

  // Dataset → registry and panels.
  connect(m_document, &DatasetDocument::datasetChanged, this, [this] {
    const auto dataset = m_document->isReady() ? m_document->dataset() : nullptr;
    m_models->setDataset(dataset, m_document->isReady() ? m_document->source().imageRoot : QString());
    m_instancePanel->setDataset(dataset);
    m_explainPanel->setDataset(dataset);
  });
  connect(m_models, &ModelRegistry::errorOccurred, this, [this](const QString& message) {
    m_banner->showMessage(MessageBanner::Kind::error, tr("Model problem"), message);
  });

  // The browser's error filter and sorts follow the selected model's evaluation.
  auto updateErrorIndex = [this] {
    const int index = m_modelPanel->currentModel();
    const auto dataset = m_models->dataset();
    std::shared_ptr<const ImageErrorIndex> errors;
    if (index >= 0 && dataset && m_models->entry(index).evaluation)
      errors = std::make_shared<const ImageErrorIndex>(buildImageErrorIndex(*dataset, *m_models->entry(index).evaluation));
    m_browser->filterBar()->setErrorIndex(errors);
  };
  connect(m_models, &ModelRegistry::evaluationReady, this, [this, updateErrorIndex](int index) {
    if (index == m_modelPanel->currentModel()) updateErrorIndex();
  });

  // Model selection, threshold, visibility.
  connect(m_modelPanel, &ModelPanel::currentModelChanged, this, [this, updateErrorIndex](int index) {
    m_overlay->setModel(index);
    m_instancePanel->setModel(index);
    m_explainPanel->setModel(index);
    updateErrorIndex();
  });
  connect(m_modelPanel, &ModelPanel::scoreThresholdChanged, m_overlay, &PredictionOverlay::setScoreThreshold);
  connect(m_modelPanel, &ModelPanel::predictionsVisibleChanged, m_overlay, &PredictionOverlay::setVisible);
  m_overlay->setScoreThreshold(m_modelPanel->scoreThreshold());

  // Picks: canvas (and the annotation table) → instance panel → explain panel.
  connect(m_canvas, &ImageCanvas::annotationClicked, this, [this](qint64 annotationId) {
    if (annotationId < 0) {
      m_instancePanel->setPicked(std::nullopt);
      return;
    }
    PickedInstance picked;
    picked.kind = PickedInstance::Kind::annotation;
    picked.annotationId = annotationId;
    m_instancePanel->setPicked(picked);
  });
  connect(m_canvas, &ImageCanvas::predictionClicked, this, [this](int modelIndex, qint64 detectionIndex) {
    PickedInstance picked;
    picked.kind = PickedInstance::Kind::prediction;
    picked.modelIndex = modelIndex;
    picked.detectionIndex = detectionIndex;
    m_instancePanel->setPicked(picked);
  });
  connect(m_annotationView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) {
            if (!current.isValid()) return;
            PickedInstance picked;
            picked.annotationId = current.data(AnnotationTableModel::AnnotationIdRole).toLongLong();
            if (!m_instancePanel->picked() || m_instancePanel->picked()->annotationId != picked.annotationId)
              m_instancePanel->setPicked(picked);
          });
  connect(m_instancePanel, &InstancePanel::pickedChanged, this, [this] {
    const ImageScene* scene = m_canvas->currentScene();
    m_explainPanel->setInstance(m_instancePanel->explainableAnnotation(), scene != nullptr ? scene->imageId : -1);
  });
  connect(this, &MainWindow::imageShown, this, [this](qint64 imageId) {
    m_instancePanel->setPicked(std::nullopt);
    m_explainPanel->setInstance(std::nullopt, imageId);
  });
}

bool MainWindow::pickAnnotation(qint64 annotationId) {
  if (!m_canvas->highlightAnnotation(annotationId)) return false;
  PickedInstance picked;
  picked.annotationId = annotationId;
  m_instancePanel->setPicked(picked);
  return true;
}

void MainWindow::chooseModel() {
  const QString config = QFileDialog::getOpenFileName(this, tr("Model config (model.json)"), lastFolder(),
                                                      tr("Model config (*.json);;All files (*)"));
  if (config.isEmpty()) return;
  rememberFolder(config);
  const QString weights =
      QFileDialog::getOpenFileName(this, tr("Model weights"), QFileInfo(config).absolutePath(),
                                   tr("Weights (*.safetensors *.pth *.pt);;All files (*)"));
  if (weights.isEmpty()) return;
  m_modelPanel->setCurrentModel(m_models->addWeights(config, weights));
}

void MainWindow::chooseResults() {
  const QString results = QFileDialog::getOpenFileName(
      this, tr("Results file (LVIS/COCO results JSON: detectron2, mmdetection, counterscope-cli predict)"),
      lastFolder(), tr("Results (*.json);;All files (*)"));
  if (results.isEmpty()) return;
  rememberFolder(results);
  m_modelPanel->setCurrentModel(m_models->addResultsFile(results));
}

void MainWindow::chooseGenerator() {
  const int model = m_modelPanel->currentModel();
  if (model < 0) {
    m_banner->showMessage(MessageBanner::Kind::information, tr("No model"),
                          tr("Open a model first: a generator belongs to the detector it was trained on."));
    return;
  }
  const QString generator = QFileDialog::getOpenFileName(this, tr("Counterfactual generator"), lastFolder(),
                                                         tr("Generator (*.safetensors);;All files (*)"));
  if (generator.isEmpty()) return;
  rememberFolder(generator);
  m_models->setGenerator(model, generator);
  m_explainPanel->setModel(model);
}

int MainWindow::openDemoModels(const QString& demoDir) {
  const QDir dir(demoDir);
  const QString config = dir.filePath(QStringLiteral("model.json"));
  QStringList missing;
  int opened = 0;
  if (!QFileInfo(config).isFile()) missing << config;
  for (const QString& loss : {QStringLiteral("ce"), QStringLiteral("seesaw")}) {
    const QString weights = dir.filePath(loss + QStringLiteral(".safetensors"));
    const QString generator = dir.filePath(QStringLiteral("generator-%1.safetensors").arg(loss));
    if (!QFileInfo(weights).isFile()) missing << weights;
    if (!QFileInfo(generator).isFile()) missing << generator;
    if (QFileInfo(config).isFile() && QFileInfo(weights).isFile()) {
      m_models->addWeights(config, weights, QFileInfo(generator).isFile() ? generator : QString(),
                           loss == QLatin1String("ce") ? QStringLiteral("CE") : QStringLiteral("Seesaw"));
      ++opened;
    }
  }
  if (!missing.isEmpty()) {
    m_banner->showMessage(MessageBanner::Kind::error, tr("Demo files missing"),
                          tr("Not found (nothing is simulated in their place): %1").arg(missing.join(QStringLiteral(", "))));
  }
  return opened;
}

void MainWindow::showCompare() {
  const ImageScene* shown = m_canvas->currentScene();
  if (shown == nullptr || !m_document->isReady()) {
    m_banner->showMessage(MessageBanner::Kind::information, tr("Nothing to compare"),
                          tr("Open a dataset and two models, show an image and pick an instance first."));
    return;
  }
  auto* view = findChild<CompareView*>();
  if (view == nullptr) {
    view = new CompareView(m_models, this);
    view->setAttribute(Qt::WA_DeleteOnClose, false);
  }
  // The compare canvases get their own copy of the scene (one decode of the shown image).
  auto scene = std::make_shared<const ImageScene>(
      buildImageScene(*m_document->dataset(), shown->imageIndex, m_document->source().imageRoot));
  view->setScene(scene, m_instancePanel->explainableAnnotation());
  if (!m_explainPanel->targetBox()->text().isEmpty()) view->setTarget(m_explainPanel->targetBox()->text());
  // The model shown in the main window on the left, the first other one on the right.
  const int left = std::max(0, m_modelPanel->currentModel());
  view->setModels(left, m_models->count() > 1 ? (left == 0 ? 1 : 0) : left);
  view->show();
  view->raise();
}

}  // namespace counterscope::ui
