#pragma once
// The picked instance: a ground-truth annotation or a model's prediction, with its category, frequency
// group, score, IoU with its match and TIDE error type under the selected model's evaluation.

#include <cstdint>
#include <memory>
#include <optional>

#include <QWidget>

#include "core/data/lvis/dataset.h"

class QLabel;

namespace counterscope::ui {

class ModelRegistry;

/// What is picked on the canvas.
struct PickedInstance {
  enum class Kind { annotation, prediction };
  Kind kind = Kind::annotation;
  std::int64_t annotationId = -1;  ///< annotation: its id
  int modelIndex = -1;             ///< prediction: the model
  std::int64_t detectionIndex = -1;  ///< prediction: index into ModelDetections::all
};

class InstancePanel : public QWidget {
  Q_OBJECT

 public:
  InstancePanel(ModelRegistry* registry, QWidget* parent = nullptr);

  void setDataset(std::shared_ptr<const data::Dataset> dataset);
  /// The model whose evaluation gives the error types of ground truth (-1: none).
  void setModel(int modelIndex);
  void setPicked(std::optional<PickedInstance> picked);
  const std::optional<PickedInstance>& picked() const { return m_picked; }
  /// The annotation an explanation would use: the picked annotation, or the ground truth a picked
  /// prediction is matched with (or points at with its error).
  std::optional<std::int64_t> explainableAnnotation() const;

  /// The texts shown, for tests: "category", "frequency", "score", "iou", "error".
  QString field(const QString& name) const;

 Q_SIGNALS:
  void pickedChanged();

 private:
  void refresh();

  ModelRegistry* m_registry;
  std::shared_ptr<const data::Dataset> m_dataset;
  int m_model = -1;
  std::optional<PickedInstance> m_picked;
  std::optional<std::int64_t> m_explainable;
  QLabel* m_title;
  QLabel* m_category;
  QLabel* m_frequency;
  QLabel* m_score;
  QLabel* m_iou;
  QLabel* m_error;
  QLabel* m_detail;
};

}  // namespace counterscope::ui
