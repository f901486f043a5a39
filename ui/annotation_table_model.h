#pragma once
// The annotations of the image on the canvas as a table (category, group, area, box, id), for the
// inspector panel. Adapts the ImageScene the canvas shows, so both always list the same objects.

#include <memory>
#include <optional>

#include <QAbstractTableModel>

#include "ui/image_scene.h"

namespace counterscope::ui {

class AnnotationTableModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  enum Column { CategoryColumn, GroupColumn, AreaColumn, BoxColumn, IdColumn, ColumnCount };
  enum Role { AnnotationIdRole = Qt::UserRole + 1, SortRole };

  explicit AnnotationTableModel(QObject* parent = nullptr);

  void setScene(std::shared_ptr<const ImageScene> scene);
  std::optional<int> rowOfAnnotation(qint64 annotationId) const;

  int rowCount(const QModelIndex& parent = QModelIndex()) const override;
  int columnCount(const QModelIndex& parent = QModelIndex()) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  std::shared_ptr<const ImageScene> m_scene;
};

}  // namespace counterscope::ui
