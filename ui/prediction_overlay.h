#pragma once
// Puts one model's predictions of the shown image on the canvas: asks the registry to predict the image
// when the model is a detector, builds the drawables off the GUI thread, and shows those above the score
// threshold. Rebuilds when the image, the model, its detections or its evaluation change.

#include <cstdint>
#include <memory>
#include <vector>

#include <QFutureWatcher>
#include <QObject>

#include "ui/prediction_item.h"

namespace counterscope::ui {

class ImageCanvas;
class ModelRegistry;

class PredictionOverlay : public QObject {
  Q_OBJECT

 public:
  PredictionOverlay(ImageCanvas* canvas, ModelRegistry* registry, QObject* parent = nullptr);
  ~PredictionOverlay() override;

  /// The model whose predictions are drawn (-1: none).
  void setModel(int modelIndex);
  int model() const { return m_model; }
  void setScoreThreshold(double threshold);
  double scoreThreshold() const { return m_threshold; }
  void setVisible(bool visible);
  bool isVisible() const { return m_visible; }

  /// Prediction items on the canvas now (all, including those below the threshold).
  QList<PredictionItem*> items() const;
  /// Items currently shown (above the threshold).
  int visibleCount() const;
  /// True once the items of the shown image and current model are on the canvas (nothing pending).
  bool isSettled() const { return !m_watcher.isRunning() && !m_dirty; }

 Q_SIGNALS:
  /// The items of `imageId` are on the canvas (count = items above the threshold).
  void predictionsShown(qint64 imageId, int count);

 private:
  void onSceneShown(qint64 imageId);
  void onModelChanged(int index);
  void rebuild();
  void onBuilt();
  void removeItems();
  void applyThreshold();

  ImageCanvas* m_canvas;
  ModelRegistry* m_registry;
  int m_model = -1;
  double m_threshold = 0.3;
  bool m_visible = true;
  std::int64_t m_imageId = -1;
  bool m_hasImage = false;
  bool m_dirty = false;  ///< a rebuild is wanted once the running one ends
  const void* m_shownDetections = nullptr;  ///< identity of what the items were built from
  const void* m_shownEvaluation = nullptr;
  struct Built {
    std::int64_t imageId = 0;
    int model = -1;
    const void* detections = nullptr;
    const void* evaluation = nullptr;
    std::vector<PredictionGraphic> graphics;
  };
  QFutureWatcher<std::shared_ptr<Built>> m_watcher;
};

}  // namespace counterscope::ui
