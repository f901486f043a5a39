#pragma once
// Per-category results of one model's evaluation (box or mask) as a table: category, frequency group,
// training images, ground truths, detections, AP, AP50, AP75, APs/m/l, AR. Undefined values (-1, no
// ground truth) show as "—" and sort below every defined value. Sort through a QSortFilterProxyModel with
// SortRole; export what a view shows, in its order, with exportTableCsv.

#include <memory>
#include <vector>

#include <QAbstractTableModel>
#include <QString>

#include "core/data/lvis/dataset.h"
#include "core/evaluation/evaluation_result.h"

namespace counterscope::ui {

class MetricsCategoryModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column {
    CategoryColumn,
    GroupColumn,
    TrainImagesColumn,
    TruthsColumn,
    DetectionsColumn,
    ApColumn,
    Ap50Column,
    Ap75Column,
    ApSmallColumn,
    ApMediumColumn,
    ApLargeColumn,
    ArColumn,
    ColumnCount
  };
  /// Numbers (or the name) for sorting; undefined metrics give -1.
  static constexpr int SortRole = Qt::UserRole + 1;
  /// The category id of a row.
  static constexpr int CategoryIdRole = Qt::UserRole + 2;

  explicit MetricsCategoryModel(QObject* parent = nullptr);

  /// Shows `result` (may be null: empty table). `dataset` gives the training-image counts (Category::image_count,
  /// as LVIS files carry them; the images of the category in `dataset` when the file has none).
  void setEvaluation(std::shared_ptr<const evaluation::EvaluationResult> result,
                     std::shared_ptr<const data::Dataset> dataset);
  const evaluation::EvaluationResult* evaluation() const { return m_result.get(); }
  /// Training images of row `row`'s category.
  std::int64_t trainImages(int row) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  std::shared_ptr<const evaluation::EvaluationResult> m_result;
  std::shared_ptr<const data::Dataset> m_dataset;
  std::vector<std::int64_t> m_trainImages;  ///< per row
};

/// "rare", "common", "frequent", "—".
QString frequencyName(data::Frequency frequency);

/// Writes the rows of `model` in its order (a proxy's sorted and filtered order) as CSV with a header line;
/// numbers unrounded, undefined metrics empty. Returns an error message, empty on success.
QString exportTableCsv(const QAbstractItemModel& model, const QString& path);
/// The same CSV text (for tests and the clipboard).
QString tableCsv(const QAbstractItemModel& model);

}  // namespace counterscope::ui
