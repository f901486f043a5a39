#pragma once
// The main window: wires the dataset document, the image browser (left), the canvas (centre), the
// annotation inspector (right) and the status bar. Each of those is its own class; this one only
// connects them and owns the actions.

#include <memory>
#include <optional>

#include <QMainWindow>

#include "ui/dataset_source.h"
#include "ui/main_window_actions.h"

class QTableView;
class QSortFilterProxyModel;

namespace counterscope::ui {

class AnnotationTableModel;
class AppStatusBar;
class DatasetDocument;
class ExplainController;
class ExplainPanel;
class InstancePanel;
class ModelPanel;
class ModelRegistry;
class PredictionOverlay;
class ImageBrowser;
class ImageCanvas;
class JobsDock;
class MetricsView;
class MessageBanner;
class SceneLoader;
struct ImageScene;

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  /// Opens `source` in the background; the first image (or the one set with showImageOnLoad) follows.
  void openDataset(const DatasetSource& source);
  /// The image to show once the next dataset has loaded, instead of the first of the list.
  void showImageOnLoad(std::optional<qint64> imageId) { m_imageOnLoad = imageId; }
  /// Makes the image with this id current (clearing filters that hide it); false when it is unknown.
  bool showImageId(qint64 imageId);
  /// Marks the window as showing the synthetic demo world (changes the model note in the status bar).
  void setDemoMode(bool demo);

  /// Restores the window geometry and dock layout saved by the last session.
  void restoreLayout();

  DatasetDocument* document() const { return m_document; }
  ImageBrowser* browser() const { return m_browser; }
  ImageCanvas* canvas() const { return m_canvas; }
  MessageBanner* banner() const { return m_banner; }
  AppStatusBar* appStatusBar() const { return m_statusBar; }
  AnnotationTableModel* annotationTable() const { return m_annotationModel; }
  const MainWindowActions& actions() const { return m_actions; }
  // Models, predictions, picking and explanations (main_window_inspect.cpp).
  ModelRegistry* models() const { return m_models; }
  PredictionOverlay* predictionOverlay() const { return m_overlay; }
  ModelPanel* modelPanel() const { return m_modelPanel; }
  InstancePanel* instancePanel() const { return m_instancePanel; }
  ExplainPanel* explainPanel() const { return m_explainPanel; }
  ExplainController* explainController() const { return m_explainController; }
  /// Opens the demo models found in `demoDir` (model.json + ce/seesaw.safetensors, generator-*.safetensors)
  /// and shows a banner naming every missing file. Returns the number of models opened.
  int openDemoModels(const QString& demoDir);
  /// Picks the annotation with this id on the shown image (as a click would); false when it is not shown.
  bool pickAnnotation(qint64 annotationId);
  /// Opens Compare (two models side by side) on the shown image and picked instance; a banner says what is
  /// missing when there is no image.
  void showCompare();
  JobsDock* jobsDock() const { return m_jobsDock; }
  MetricsView* metricsView() const { return m_metricsView; }

 Q_SIGNALS:
  /// A dataset finished loading and its first image has been requested.
  void datasetReady();
  void datasetFailed(const QString& message);
  /// The canvas shows this image (photo, or its frame when the file is missing, and its annotations).
  void imageShown(qint64 imageId);

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void createDocks();
  void createInspectDocks();  // main_window_inspect.cpp
  void chooseModel();
  void chooseResults();
  void chooseGenerator();
  void createJobDocks();  // main_window_jobs.cpp
  void connectJobDocks();  // main_window_jobs.cpp: to the model registry
  void connectActions();
  void connectDocument();
  void chooseDataset();
  void rebuildRecentMenu();
  void onDatasetChanged();
  void onCurrentImageChanged(int imageIndex);
  void onSceneReady(const std::shared_ptr<const ImageScene>& scene);
  void updateLayers();
  void updateModelNote();
  void updateTitle();
  void showAbout();

  DatasetDocument* m_document;
  SceneLoader* m_sceneLoader;
  ImageBrowser* m_browser;
  ImageCanvas* m_canvas;
  MessageBanner* m_banner;
  AppStatusBar* m_statusBar;
  AnnotationTableModel* m_annotationModel;
  QSortFilterProxyModel* m_annotationProxy;
  QTableView* m_annotationView;
  MainWindowActions m_actions;
  std::optional<qint64> m_imageOnLoad;
  int m_requestedImage = -1;
  bool m_demo = false;
  ModelRegistry* m_models = nullptr;
  ExplainController* m_explainController = nullptr;
  PredictionOverlay* m_overlay = nullptr;
  ModelPanel* m_modelPanel = nullptr;
  InstancePanel* m_instancePanel = nullptr;
  ExplainPanel* m_explainPanel = nullptr;
  JobsDock* m_jobsDock = nullptr;
  MetricsView* m_metricsView = nullptr;
};

}  // namespace counterscope::ui
