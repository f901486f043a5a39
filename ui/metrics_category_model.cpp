#include "ui/metrics_category_model.h"

#include <QFile>
#include <QSaveFile>
#include <QStringList>

namespace counterscope::ui {

namespace {

bool isMetricColumn(int column) { return column >= MetricsCategoryModel::ApColumn; }

double metric(const evaluation::CategoryEvaluation& c, int column) {
  switch (column) {
    case MetricsCategoryModel::ApColumn: return c.ap;
    case MetricsCategoryModel::Ap50Column: return c.ap50;
    case MetricsCategoryModel::Ap75Column: return c.ap75;
    case MetricsCategoryModel::ApSmallColumn: return c.ap_small;
    case MetricsCategoryModel::ApMediumColumn: return c.ap_medium;
    case MetricsCategoryModel::ApLargeColumn: return c.ap_large;
    case MetricsCategoryModel::ArColumn: return c.ar;
    default: return -1;
  }
}

QString csvField(const QString& text) {
  if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')))
    return text;
  QString quoted = text;
  quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
  return QLatin1Char('"') + quoted + QLatin1Char('"');
}

}  // namespace

QString frequencyName(data::Frequency frequency) {
  switch (frequency) {
    case data::Frequency::rare: return QObject::tr("rare");
    case data::Frequency::common: return QObject::tr("common");
    case data::Frequency::frequent: return QObject::tr("frequent");
    case data::Frequency::unknown: break;
  }
  return QStringLiteral("—");
}

MetricsCategoryModel::MetricsCategoryModel(QObject* parent) : QAbstractTableModel(parent) {}

void MetricsCategoryModel::setEvaluation(std::shared_ptr<const evaluation::EvaluationResult> result,
                                         std::shared_ptr<const data::Dataset> dataset) {
  beginResetModel();
  m_result = std::move(result);
  m_dataset = std::move(dataset);
  m_trainImages.clear();
  if (m_result) {
    for (const auto& category : m_result->categories) {
      std::int64_t images = -1;
      if (m_dataset) {
        if (const auto k = m_dataset->category_index(category.category_id)) {
          images = m_dataset->categories[*k].image_count;
          if (images <= 0) images = static_cast<std::int64_t>(m_dataset->images_of_category(*k).size());
        }
      }
      m_trainImages.push_back(images);
    }
  }
  endResetModel();
}

std::int64_t MetricsCategoryModel::trainImages(int row) const {
  return row >= 0 && row < static_cast<int>(m_trainImages.size()) ? m_trainImages[static_cast<std::size_t>(row)] : -1;
}

int MetricsCategoryModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() || !m_result ? 0 : static_cast<int>(m_result->categories.size());
}

int MetricsCategoryModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant MetricsCategoryModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || !m_result || index.row() >= rowCount()) return {};
  const auto& c = m_result->categories[static_cast<std::size_t>(index.row())];
  const int column = index.column();
  if (role == CategoryIdRole) return static_cast<qlonglong>(c.category_id);
  if (role == Qt::TextAlignmentRole) {
    return column == CategoryColumn || column == GroupColumn ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                                             : QVariant(Qt::AlignRight | Qt::AlignVCenter);
  }
  if (role == SortRole) {
    switch (column) {
      case CategoryColumn: return QString::fromStdString(c.name);
      case GroupColumn: return static_cast<int>(c.frequency);
      case TrainImagesColumn: return static_cast<qlonglong>(trainImages(index.row()));
      case TruthsColumn: return static_cast<qlonglong>(c.truth_count);
      case DetectionsColumn: return static_cast<qlonglong>(c.detection_count);
      default: return metric(c, column);
    }
  }
  if (role == Qt::DisplayRole) {
    switch (column) {
      case CategoryColumn: return QString::fromStdString(c.name);
      case GroupColumn: return frequencyName(c.frequency);
      case TrainImagesColumn: {
        const auto images = trainImages(index.row());
        return images >= 0 ? QVariant(static_cast<qlonglong>(images)) : QVariant(QStringLiteral("—"));
      }
      case TruthsColumn: return static_cast<qlonglong>(c.truth_count);
      case DetectionsColumn: return static_cast<qlonglong>(c.detection_count);
      default: {
        const double value = metric(c, column);
        return value < 0 ? QStringLiteral("—") : QString::number(100.0 * value, 'f', 1);
      }
    }
  }
  if (role == Qt::ToolTipRole && column == CategoryColumn && m_dataset) {
    if (const auto k = m_dataset->category_index(c.category_id)) {
      const auto& category = m_dataset->categories[*k];
      return QStringLiteral("%1 (id %2)\n%3").arg(QString::fromStdString(category.name)).arg(category.id)
          .arg(QString::fromStdString(category.definition));
    }
  }
  return {};
}

QVariant MetricsCategoryModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal) return {};
  static const char* const names[ColumnCount] = {"Category", "Group", "Train images", "GT", "Dets", "AP",
                                                 "AP50", "AP75", "APs", "APm", "APl", "AR"};
  if (role == Qt::DisplayRole && section >= 0 && section < ColumnCount) return tr(names[section]);
  if (role == Qt::ToolTipRole && isMetricColumn(section))
    return tr("In percent; — = undefined (no ground truth of the category in that range)");
  if (role == Qt::ToolTipRole && section == TrainImagesColumn)
    return tr("Training images of the category (image_count of the annotation file)");
  return {};
}

QString tableCsv(const QAbstractItemModel& model) {
  QStringList lines;
  QStringList header;
  for (int column = 0; column < model.columnCount(); ++column)
    header.append(csvField(model.headerData(column, Qt::Horizontal).toString()));
  lines.append(header.join(QLatin1Char(',')));
  for (int row = 0; row < model.rowCount(); ++row) {
    QStringList fields;
    for (int column = 0; column < model.columnCount(); ++column) {
      const QModelIndex index = model.index(row, column);
      const QVariant sort = model.data(index, MetricsCategoryModel::SortRole);
      QString text;
      if (sort.isValid() && sort.typeId() == QMetaType::Double) {
        // Full precision, fractions as the core reports them; undefined stays empty.
        const double value = sort.toDouble();
        text = value < 0 ? QString() : QString::number(value, 'g', 17);
      } else {
        text = model.data(index, Qt::DisplayRole).toString();
        if (text == QStringLiteral("—")) text.clear();
      }
      fields.append(csvField(text));
    }
    lines.append(fields.join(QLatin1Char(',')));
  }
  return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

QString exportTableCsv(const QAbstractItemModel& model, const QString& path) {
  QSaveFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
    return QObject::tr("%1: cannot write: %2").arg(path, file.errorString());
  file.write(tableCsv(model).toUtf8());
  if (!file.commit()) return QObject::tr("%1: cannot write: %2").arg(path, file.errorString());
  return {};
}

}  // namespace counterscope::ui
