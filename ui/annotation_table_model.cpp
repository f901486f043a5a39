#include "ui/annotation_table_model.h"

#include <QPixmap>

#include "ui/category_colors.h"

namespace counterscope::ui {

AnnotationTableModel::AnnotationTableModel(QObject* parent) : QAbstractTableModel(parent) {}

void AnnotationTableModel::setScene(std::shared_ptr<const ImageScene> scene) {
  beginResetModel();
  m_scene = std::move(scene);
  endResetModel();
}

std::optional<int> AnnotationTableModel::rowOfAnnotation(qint64 annotationId) const {
  if (!m_scene) return std::nullopt;
  for (std::size_t row = 0; row < m_scene->annotations.size(); ++row) {
    if (m_scene->annotations[row].annotationId == annotationId) return static_cast<int>(row);
  }
  return std::nullopt;
}

int AnnotationTableModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() || !m_scene ? 0 : static_cast<int>(m_scene->annotations.size());
}

int AnnotationTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : ColumnCount;
}

QVariant AnnotationTableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= rowCount()) return {};
  const AnnotationGraphic& a = m_scene->annotations[static_cast<std::size_t>(index.row())];
  if (role == AnnotationIdRole) return static_cast<qlonglong>(a.annotationId);
  if (role == Qt::DisplayRole || role == SortRole) {
    switch (index.column()) {
      case CategoryColumn:
        return a.isCrowd ? QStringLiteral("%1 (crowd)").arg(a.categoryName) : a.categoryName;
      case GroupColumn: return QString(QLatin1Char(data::frequency_letter(a.frequency)));
      case AreaColumn: return role == SortRole ? QVariant(a.area) : QVariant(QString::number(a.area, 'f', 0));
      case BoxColumn:
        if (role == SortRole) return a.box.width() * a.box.height();
        return QStringLiteral("%1, %2, %3×%4")
            .arg(a.box.x(), 0, 'f', 0)
            .arg(a.box.y(), 0, 'f', 0)
            .arg(a.box.width(), 0, 'f', 0)
            .arg(a.box.height(), 0, 'f', 0);
      case IdColumn: return static_cast<qlonglong>(a.annotationId);
      default: return {};
    }
  }
  if (role == Qt::DecorationRole && index.column() == CategoryColumn) {
    QPixmap swatch(10, 10);
    swatch.fill(a.color);
    return swatch;
  }
  if (role == Qt::ForegroundRole && index.column() == GroupColumn) return frequencyColor(a.frequency);
  if (role == Qt::TextAlignmentRole && index.column() != CategoryColumn) {
    return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
  }
  if (role == Qt::ToolTipRole && !a.maskError.isEmpty()) return tr("No mask: %1").arg(a.maskError);
  return {};
}

QVariant AnnotationTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case CategoryColumn: return tr("Category");
    case GroupColumn: return tr("Grp");
    case AreaColumn: return tr("Area");
    case BoxColumn: return tr("Box (x, y, w×h)");
    case IdColumn: return tr("Id");
    default: return {};
  }
}

}  // namespace counterscope::ui
