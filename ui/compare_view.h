#pragma once
// Compare: two models side by side on the same image and instance — two canvases with synchronised zoom
// and pan, each drawing its model's predictions coloured by error type — and both explained for the same
// target class (one after the other in the background), with map, predictions on X̃ and the outcome.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>

#include <QWidget>

#include "core/data/lvis/dataset.h"

class QComboBox;
class QLabel;
class QPushButton;

namespace counterscope::ui {

class ClassSearchBox;
class ExplainController;
class ImageCanvas;
class ImageTile;
class ModelRegistry;
class PredictionOverlay;
struct ExplainResult;
struct ImageScene;

class CompareView : public QWidget {
  Q_OBJECT

 public:
  CompareView(ModelRegistry* registry, QWidget* parent = nullptr);
  ~CompareView() override;

  /// The image (scene as the main canvas shows it) and the instance to compare on.
  void setScene(std::shared_ptr<const ImageScene> scene, std::optional<std::int64_t> annotationId);
  void setModels(int left, int right);
  bool setTarget(const QString& nameOrId);
  ImageCanvas* canvas(int side) const { return m_sides[static_cast<std::size_t>(side)].canvas; }
  /// The side's outcome line (attained or not, measures) or its failure; empty before an explanation.
  QString outcomeText(int side) const;
  /// The side's rendered map M; null before an explanation.
  QImage mapImage(int side) const;
  int model(int side) const;

 public Q_SLOTS:
  /// Explains the instance with both models for the target (left first, then right).
  void explainBoth();

 Q_SIGNALS:
  /// Both explanations ended (each shown or failed).
  void explanationsFinished();

 private:
  struct Side {
    QComboBox* model = nullptr;
    ImageCanvas* canvas = nullptr;
    PredictionOverlay* overlay = nullptr;
    ExplainController* controller = nullptr;
    ImageTile* map = nullptr;
    ImageTile* after = nullptr;
    QLabel* outcome = nullptr;
  };
  void buildSide(int index);
  void syncFrom(int side);
  void startSide(int side);
  void showResult(int side, const std::shared_ptr<const ExplainResult>& result);
  void showFailure(int side, const QString& message);
  void refreshModels();

  ModelRegistry* m_registry;
  std::array<Side, 2> m_sides;
  ClassSearchBox* m_target;
  QPushButton* m_explain;
  QLabel* m_status;
  std::shared_ptr<const ImageScene> m_scene;
  std::optional<std::int64_t> m_annotation;
  bool m_syncing = false;
  int m_pending = 0;  ///< the side explained next (2: none)
};

}  // namespace counterscope::ui
