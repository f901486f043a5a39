#pragma once
// The Metrics view: for every evaluated model of the registry, grouped AP bars (box and mask, by frequency
// group) and dAP per TIDE error type; for the chosen model and IoU type, per-category AP against training
// images (log scale) coloured by group, precision-recall curves (all, per group, the selected category),
// and the sortable, searchable per-category table exported as CSV.

#include <memory>

#include <QList>
#include <QString>
#include <QWidget>

#include "core/data/lvis/dataset.h"

class QChartView;
class QComboBox;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QTableView;
class QTabWidget;
class QTimer;

namespace counterscope::ui {

class MetricsCategoryModel;
class ModelRegistry;
struct ModelEvaluation;

/// One evaluated model as the view shows it.
struct EvaluatedModel {
  QString name;
  std::shared_ptr<const ModelEvaluation> evaluation;
};

class MetricsView : public QWidget {
  Q_OBJECT

 public:
  explicit MetricsView(QWidget* parent = nullptr);
  ~MetricsView() override;

  /// Follows the registry: every model with an evaluation on the open dataset is shown.
  void setRegistry(ModelRegistry* registry);
  /// Shows these models on `dataset` (replaces what the registry gave until its next change).
  void setModels(const QList<EvaluatedModel>& models, std::shared_ptr<const data::Dataset> dataset);

  int modelCount() const { return m_models.size(); }
  /// Chooses the model of the scatter, curves and table (index into the models shown).
  void setCurrentModel(int index);
  /// true: mask (segm) results, false: box.
  void setMaskResults(bool mask);
  MetricsCategoryModel* categoryModel() const { return m_categoryModel; }
  QSortFilterProxyModel* categoryProxy() const { return m_proxy; }
  QTableView* categoryTable() const { return m_table; }
  QTabWidget* tabs() const { return m_tabs; }
  /// Writes the table as shown (sorted, filtered) to `path`; an error message, empty on success.
  QString exportCsv(const QString& path) const;

 private:
  void refreshFromRegistry();
  void rebuildOverview();
  void rebuildModelCharts();
  void rebuildCurves();
  void chooseCsvFile();

  ModelRegistry* m_registry = nullptr;
  QList<EvaluatedModel> m_models;
  std::shared_ptr<const data::Dataset> m_dataset;
  QTimer* m_refresh;
  QComboBox* m_modelBox;
  QComboBox* m_iouBox;
  QLineEdit* m_search;
  QLabel* m_note;
  QTabWidget* m_tabs;
  QChartView* m_apBars;
  QChartView* m_errorBars;
  QChartView* m_scatter;
  QChartView* m_curves;
  MetricsCategoryModel* m_categoryModel;
  QSortFilterProxyModel* m_proxy;
  QTableView* m_table;
};

}  // namespace counterscope::ui
