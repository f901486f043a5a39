#pragma once
// The models strip above the canvas: which model's predictions are drawn (selector), the score threshold
// slider, the predictions toggle, the TIDE colour legend and the model's state (loading, predicting with
// progress, evaluated with its AP).

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QPushButton;
class QSlider;

namespace counterscope::ui {

class ErrorLegend;
class ModelRegistry;

class ModelPanel : public QWidget {
  Q_OBJECT

 public:
  explicit ModelPanel(ModelRegistry* registry, QWidget* parent = nullptr);

  int currentModel() const;
  void setCurrentModel(int index);
  double scoreThreshold() const;
  void setScoreThreshold(double threshold);
  bool predictionsVisible() const;
  QComboBox* selector() const { return m_selector; }

 Q_SIGNALS:
  void currentModelChanged(int index);
  void scoreThresholdChanged(double threshold);
  void predictionsVisibleChanged(bool visible);

 private:
  void onModelAdded(int index);
  void refreshState();

  ModelRegistry* m_registry;
  QComboBox* m_selector;
  QCheckBox* m_show;
  QSlider* m_threshold;
  QLabel* m_thresholdLabel;
  ErrorLegend* m_legend;
  QLabel* m_state;
  QPushButton* m_evaluate;
};

}  // namespace counterscope::ui
