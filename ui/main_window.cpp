#include "ui/main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileInfo>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QListView>
#include <QMenu>
#include <QMessageBox>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include "ui/annotation_table_model.h"
#include "ui/app_status_bar.h"
#include "ui/dataset_document.h"
#include "ui/filter_bar.h"
#include "ui/image_browser.h"
#include "ui/image_canvas.h"
#include "ui/message_banner.h"
#include "ui/open_dataset_dialog.h"
#include "ui/recent_datasets.h"
#include "ui/scene_loader.h"

namespace counterscope::ui {

namespace {

const QString geometryKey = QStringLiteral("mainWindow/geometry");
const QString stateKey = QStringLiteral("mainWindow/state");

QString emptyCanvasMessage() {
  return QObject::tr("No dataset open\n\nFile ▸ Open dataset… (Ctrl+O) loads an LVIS or COCO annotation file "
                     "with its image root.");
}

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      m_document(new DatasetDocument(this)),
      m_sceneLoader(new SceneLoader(this)),
      m_browser(new ImageBrowser(this)),
      m_canvas(new ImageCanvas(this)),
      m_banner(new MessageBanner(this)),
      m_statusBar(new AppStatusBar(this)),
      m_annotationModel(new AnnotationTableModel(this)),
      m_annotationProxy(new QSortFilterProxyModel(this)),
      m_annotationView(new QTableView(this)) {
  setWindowTitle(QStringLiteral("Counterscope"));
  setStatusBar(m_statusBar);
  setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);

  auto* central = new QWidget(this);
  auto* layout = new QVBoxLayout(central);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  layout->addWidget(m_banner);
  layout->addWidget(m_canvas, 1);
  setCentralWidget(central);

  m_actions = MainWindowActions::create(this);
  createDocks();
  createJobDocks();
  createInspectDocks();
  connectJobDocks();
  connectActions();
  connectDocument();
  rebuildRecentMenu();
  m_canvas->clearScene(emptyCanvasMessage());
  updateModelNote();
  updateTitle();
  resize(1280, 800);
}

MainWindow::~MainWindow() = default;

void MainWindow::createDocks() {
  auto* imagesDock = new QDockWidget(tr("Images"), this);
  imagesDock->setObjectName(QStringLiteral("imagesDock"));
  imagesDock->setWidget(m_browser);
  imagesDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable);
  m_browser->setMinimumWidth(300);
  addDockWidget(Qt::LeftDockWidgetArea, imagesDock);

  m_annotationProxy->setSourceModel(m_annotationModel);
  m_annotationProxy->setSortRole(AnnotationTableModel::SortRole);
  m_annotationView->setModel(m_annotationProxy);
  m_annotationView->setSortingEnabled(true);
  m_annotationView->sortByColumn(AnnotationTableModel::AreaColumn, Qt::DescendingOrder);
  m_annotationView->setSelectionBehavior(QAbstractItemView::SelectRows);
  m_annotationView->setSelectionMode(QAbstractItemView::SingleSelection);
  m_annotationView->setEditTriggers(QAbstractItemView::NoEditTriggers);
  m_annotationView->setAlternatingRowColors(true);
  m_annotationView->setShowGrid(false);
  m_annotationView->setWordWrap(false);
  m_annotationView->verticalHeader()->hide();
  m_annotationView->verticalHeader()->setDefaultSectionSize(22);
  m_annotationView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  m_annotationView->horizontalHeader()->setSectionResizeMode(AnnotationTableModel::CategoryColumn,
                                                             QHeaderView::Stretch);
  m_annotationView->horizontalHeader()->setHighlightSections(false);
  m_annotationView->setColumnHidden(AnnotationTableModel::BoxColumn, true);  // available from the header menu

  auto* annotationsDock = new QDockWidget(tr("Annotations"), this);
  annotationsDock->setObjectName(QStringLiteral("annotationsDock"));
  annotationsDock->setWidget(m_annotationView);
  annotationsDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetClosable);
  m_annotationView->setMinimumWidth(260);
  addDockWidget(Qt::RightDockWidgetArea, annotationsDock);
  resizeDocks({imagesDock, annotationsDock}, {310, 280}, Qt::Horizontal);

  m_actions.viewMenu->addAction(imagesDock->toggleViewAction());
  m_actions.viewMenu->addAction(annotationsDock->toggleViewAction());
}

void MainWindow::connectActions() {
  connect(m_actions.openDataset, &QAction::triggered, this, &MainWindow::chooseDataset);
  connect(m_actions.closeDataset, &QAction::triggered, m_document, &DatasetDocument::close);
  connect(m_actions.quit, &QAction::triggered, this, &QWidget::close);
  connect(m_actions.nextImage, &QAction::triggered, m_browser, &ImageBrowser::selectNext);
  connect(m_actions.previousImage, &QAction::triggered, m_browser, &ImageBrowser::selectPrevious);
  connect(m_actions.fitToWindow, &QAction::triggered, m_canvas, &ImageCanvas::fitToWindow);
  connect(m_actions.zoomIn, &QAction::triggered, m_canvas, &ImageCanvas::zoomIn);
  connect(m_actions.zoomOut, &QAction::triggered, m_canvas, &ImageCanvas::zoomOut);
  connect(m_actions.actualSize, &QAction::triggered, m_canvas, &ImageCanvas::zoomToActualSize);
  for (QAction* layer : {m_actions.showImage, m_actions.showMasks, m_actions.showBoxes, m_actions.showLabels}) {
    connect(layer, &QAction::toggled, this, &MainWindow::updateLayers);
  }
  updateLayers();  // the toggles may have been restored from the settings before these connections existed
  connect(m_actions.about, &QAction::triggered, this, &MainWindow::showAbout);

  connect(m_browser, &ImageBrowser::currentImageChanged, this, &MainWindow::onCurrentImageChanged);
  connect(m_sceneLoader, &SceneLoader::sceneReady, this, &MainWindow::onSceneReady);
  connect(m_canvas, &ImageCanvas::sceneShown, this, &MainWindow::imageShown);
  connect(m_canvas, &ImageCanvas::zoomChanged, m_statusBar, &AppStatusBar::setZoom);

  // The inspector table and the canvas select the same annotation.
  connect(m_annotationView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) {
            if (!current.isValid()) return;
            m_canvas->highlightAnnotation(current.data(AnnotationTableModel::AnnotationIdRole).toLongLong());
          });
  connect(m_canvas, &ImageCanvas::annotationClicked, this, [this](qint64 annotationId) {
    const auto row = m_annotationModel->rowOfAnnotation(annotationId);
    if (!row) {
      m_annotationView->clearSelection();
      return;
    }
    const QModelIndex index = m_annotationProxy->mapFromSource(m_annotationModel->index(*row, 0));
    m_annotationView->selectionModel()->setCurrentIndex(
        index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_annotationView->scrollTo(index);
  });
}

void MainWindow::connectDocument() {
  connect(m_document, &DatasetDocument::loadStarted, this, [this](const DatasetSource& source) {
    m_banner->hide();
    m_statusBar->showLoading(source.annotationPath);
    m_canvas->clearScene(tr("Loading %1…").arg(QFileInfo(source.annotationPath).fileName()));
    updateTitle();
  });
  connect(m_document, &DatasetDocument::loadProgress, m_statusBar, &AppStatusBar::showProgress);
  connect(m_document, &DatasetDocument::datasetChanged, this, &MainWindow::onDatasetChanged);
  connect(m_document, &DatasetDocument::loadFailed, this, [this](const QString& message) {
    m_banner->showMessage(MessageBanner::Kind::error, tr("Could not open the dataset"), message);
    m_statusBar->showFailure(message);
    m_canvas->clearScene(tr("The dataset could not be opened (see the message above)."));
    updateTitle();
    Q_EMIT datasetFailed(message);
  });
}

void MainWindow::openDataset(const DatasetSource& source) { m_document->open(source); }

void MainWindow::chooseDataset() {
  const QList<DatasetSource> recent = RecentDatasets::load();
  OpenDatasetDialog dialog(recent.isEmpty() ? DatasetSource{} : recent.first(), this);
  if (dialog.exec() == QDialog::Accepted) openDataset(dialog.source());
}

void MainWindow::rebuildRecentMenu() {
  QMenu* menu = m_actions.recentMenu;
  menu->clear();
  const QList<DatasetSource> recent = RecentDatasets::load();
  for (const DatasetSource& source : recent) {
    QAction* action = menu->addAction(QFileInfo(source.annotationPath).fileName());
    action->setToolTip(QStringLiteral("%1\nimages: %2").arg(source.annotationPath, source.imageRoot));
    action->setStatusTip(source.annotationPath);
    connect(action, &QAction::triggered, this, [this, source] { openDataset(source); });
  }
  if (!recent.isEmpty()) {
    menu->addSeparator();
    connect(menu->addAction(tr("Clear list")), &QAction::triggered, this, [this] {
      RecentDatasets::clear();
      rebuildRecentMenu();
    });
  }
  menu->setEnabled(!recent.isEmpty());
}

void MainWindow::onDatasetChanged() {
  m_requestedImage = -1;
  m_annotationModel->setScene(nullptr);
  m_statusBar->setImage(nullptr);
  if (!m_document->isReady()) {
    m_sceneLoader->setDataset(nullptr, QString());
    m_browser->setDataset(nullptr, QString());
    m_canvas->clearScene(emptyCanvasMessage());
    m_statusBar->clearDataset();
    updateTitle();
    return;
  }
  const DatasetSource& source = m_document->source();
  RecentDatasets::remember(source);
  rebuildRecentMenu();
  m_statusBar->showStats(m_document->stats());
  m_sceneLoader->setDataset(m_document->dataset(), source.imageRoot);
  m_browser->setDataset(m_document->dataset(), source.imageRoot);
  m_browser->view()->setFocus();  // arrow keys walk the list right away
  if (m_imageOnLoad) {
    const qint64 imageId = *m_imageOnLoad;
    m_imageOnLoad.reset();
    if (!showImageId(imageId)) {
      m_banner->showMessage(MessageBanner::Kind::error, tr("Image not found"),
                            tr("%1: images[].id = %2: no image with this id").arg(source.annotationPath).arg(imageId));
    }
  }
  updateTitle();
  Q_EMIT datasetReady();
}

bool MainWindow::showImageId(qint64 imageId) {
  const auto imageIndex = m_document->imageIndexOf(imageId);
  if (!imageIndex) return false;
  if (m_browser->selectImage(*imageIndex)) return true;
  m_browser->filterBar()->setFilter({});  // the filter hides it: show everything
  return m_browser->selectImage(*imageIndex);
}

void MainWindow::onCurrentImageChanged(int imageIndex) {
  if (imageIndex == m_requestedImage) return;
  m_requestedImage = imageIndex;
  if (imageIndex < 0) {
    m_annotationModel->setScene(nullptr);
    m_statusBar->setImage(nullptr);
    m_canvas->clearScene(m_document->isReady() ? tr("No image matches the filter.") : emptyCanvasMessage());
    return;
  }
  m_sceneLoader->request(static_cast<std::size_t>(imageIndex));
}

void MainWindow::onSceneReady(const std::shared_ptr<const ImageScene>& scene) {
  if (static_cast<int>(scene->imageIndex) != m_requestedImage) return;
  m_annotationModel->setScene(scene);
  m_statusBar->setImage(scene.get());
  m_canvas->showScene(scene);
}

void MainWindow::updateLayers() {
  CanvasLayers layers;
  layers.image = m_actions.showImage->isChecked();
  layers.masks = m_actions.showMasks->isChecked();
  layers.boxes = m_actions.showBoxes->isChecked();
  layers.labels = m_actions.showLabels->isChecked();
  m_canvas->setLayers(layers);
}

void MainWindow::setDemoMode(bool demo) {
  m_demo = demo;
  updateModelNote();
  updateTitle();
}

void MainWindow::updateModelNote() {
  // Nothing is faked: the demo models are opened from resources/demo, and a banner names any missing file.
  m_statusBar->setModelNote(
      m_demo ? tr("Demo world") : tr("Models: File ▸ Open model / results"),
      m_demo ? tr("The synthetic demo world. The demo models (CE, seesaw) and their generators are opened "
                  "from resources/demo; a missing file is named in the banner, never simulated.")
             : tr("Open a detector (config + weights) or a results file of any framework to see predictions, "
                  "errors and counterfactual explanations."));
}

void MainWindow::updateTitle() {
  const DatasetSource& source = m_document->source();
  if (source.annotationPath.isEmpty()) {
    setWindowTitle(QStringLiteral("Counterscope"));
    return;
  }
  setWindowTitle(QStringLiteral("%1%2 — Counterscope")
                     .arg(QFileInfo(source.annotationPath).fileName(), m_demo ? tr(" (demo)") : QString()));
}

void MainWindow::restoreLayout() {
  QSettings settings;
  restoreGeometry(settings.value(geometryKey).toByteArray());
  restoreState(settings.value(stateKey).toByteArray());
}

void MainWindow::closeEvent(QCloseEvent* event) {
  QSettings settings;
  settings.setValue(geometryKey, saveGeometry());
  settings.setValue(stateKey, saveState());
  QMainWindow::closeEvent(event);
}

void MainWindow::showAbout() {
  QMessageBox::about(
      this, tr("About Counterscope"),
      tr("<h3>Counterscope %1</h3><p>Inspects the errors of instance-segmentation models on long-tailed data "
         "(LVIS) through counterfactual maps.</p><p>This version browses datasets and their ground truth.</p>")
          .arg(QStringLiteral(COUNTERSCOPE_VERSION)));
}

}  // namespace counterscope::ui
