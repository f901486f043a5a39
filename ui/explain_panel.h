#pragma once
// Swap the target: pick a target class for the picked ground-truth instance, choose the explainer
// (trained generator, optimising the map directly, or both; on a synthetic world also the ground-truth twin,
// and every map's NCC with it), press Explain. The explanation runs in the
// background (busy bar, Cancel) and then shows original | map (with legend) | X̃ | predictions on X̃ |
// segmentation diff, the class scores before and after, attained / not attained, and the measures.

#include <cstdint>
#include <memory>
#include <optional>

#include <QWidget>

#include "core/counterfactual/explain_service.h"
#include "core/data/lvis/dataset.h"

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;

namespace counterscope::ui {

class ClassSearchBox;
class ExplainController;
class HeatmapLegend;
class ImageTile;
class ModelRegistry;
class ScoreBars;
struct ExplainResult;

class ExplainPanel : public QWidget {
  Q_OBJECT

 public:
  ExplainPanel(ModelRegistry* registry, ExplainController* controller, QWidget* parent = nullptr);

  void setDataset(std::shared_ptr<const data::Dataset> dataset);
  /// The model that explains (-1: none).
  void setModel(int modelIndex);
  /// The instance to explain: an annotation of image `imageId` (none: nothing picked).
  void setInstance(std::optional<std::int64_t> annotationId, std::int64_t imageId);
  /// Sets the target class by name, synonym or id; false when it names no category.
  bool setTarget(const QString& nameOrId);
  /// Chooses the optimiser (true) or the generator (false).
  void setOptimize(bool optimize, int steps = 60);
  /// Chooses any method (the steps apply to optimize and refine).
  void setMethod(counterfactual::ExplainMethod method, int steps = 60);

  /// Why Explain is disabled now (empty when it is enabled).
  QString blockedReason() const;
  const std::shared_ptr<const ExplainResult>& result() const { return m_result; }
  ClassSearchBox* targetBox() const { return m_target; }

 public Q_SLOTS:
  /// Starts the explanation (no-op with a reason in the status line when blocked).
  void explain();
  void cancel();

 Q_SIGNALS:
  /// An explanation ended: ok = it is shown; otherwise `message` says why not.
  void explanationFinished(bool ok, const QString& message);

 private:
  void updateState();
  /// The method of the chosen entry of the method box, and choosing an entry by its method.
  counterfactual::ExplainMethod selectedMethod() const;
  void selectMethod(counterfactual::ExplainMethod method);
  void onFinished(const std::shared_ptr<const ExplainResult>& result);
  void onFailed(int modelIndex, const QString& message);
  void showResult();
  void clearResult(const QString& message);
  QString categoryName(std::int64_t categoryId) const;

  ModelRegistry* m_registry;
  ExplainController* m_controller;
  std::shared_ptr<const data::Dataset> m_dataset;
  int m_model = -1;
  std::optional<std::int64_t> m_annotation;
  std::int64_t m_imageId = -1;
  std::shared_ptr<const ExplainResult> m_result;

  ClassSearchBox* m_target;
  QComboBox* m_method;
  QSpinBox* m_steps;
  QPushButton* m_explainButton;
  QPushButton* m_cancelButton;
  QProgressBar* m_busy;
  QLabel* m_status;
  ImageTile* m_original;
  ImageTile* m_map;
  ImageTile* m_counterfactual;
  ImageTile* m_after;
  ImageTile* m_diff;
  HeatmapLegend* m_legend;
  QLabel* m_badge;
  QLabel* m_measures;
  QLabel* m_diffCounts;
  ScoreBars* m_scores;
};

}  // namespace counterscope::ui
