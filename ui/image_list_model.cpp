#include "ui/image_list_model.h"

#include <QLocale>

#include "ui/thumbnail_cache.h"

namespace counterscope::ui {

QString imageDisplayName(const data::ImageInfo& image) {
  if (!image.file_name.empty()) return QString::fromStdString(image.file_name);
  if (!image.coco_url.empty()) {
    const QString url = QString::fromStdString(image.coco_url);
    return url.mid(url.lastIndexOf(QLatin1Char('/')) + 1);
  }
  return QString::number(image.id);
}

ImageListModel::ImageListModel(ThumbnailCache* thumbnails, QObject* parent)
    : QAbstractListModel(parent), m_thumbnails(thumbnails) {
  if (m_thumbnails != nullptr) {
    connect(m_thumbnails, &ThumbnailCache::thumbnailReady, this, &ImageListModel::onThumbnailReady);
  }
}

void ImageListModel::setDataset(std::shared_ptr<const data::Dataset> dataset) {
  beginResetModel();
  m_dataset = std::move(dataset);
  m_filter = {};
  rebuildRows();
  endResetModel();
}

void ImageListModel::setFilter(const ImageFilter& filter) {
  if (filter == m_filter) return;
  beginResetModel();
  m_filter = filter;
  rebuildRows();
  endResetModel();
}

void ImageListModel::rebuildRows() {
  m_rows.clear();
  m_rowOf.clear();
  if (!m_dataset) return;
  m_rows = filterImages(*m_dataset, m_filter);
  m_rowOf.assign(m_dataset->images.size(), -1);
  for (std::size_t row = 0; row < m_rows.size(); ++row) m_rowOf[m_rows[row]] = static_cast<std::int32_t>(row);
}

int ImageListModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int ImageListModel::totalImageCount() const {
  return m_dataset ? static_cast<int>(m_dataset->images.size()) : 0;
}

std::optional<int> ImageListModel::rowOfImage(std::size_t imageIndex) const {
  if (imageIndex >= m_rowOf.size() || m_rowOf[imageIndex] < 0) return std::nullopt;
  return m_rowOf[imageIndex];
}

std::optional<std::size_t> ImageListModel::imageIndexAt(int row) const {
  if (row < 0 || static_cast<std::size_t>(row) >= m_rows.size()) return std::nullopt;
  return m_rows[static_cast<std::size_t>(row)];
}

QVariant ImageListModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || !m_dataset || index.row() >= rowCount()) return {};
  const std::size_t imageIndex = m_rows[static_cast<std::size_t>(index.row())];
  const data::ImageInfo& image = m_dataset->images[imageIndex];
  const int annotationCount = static_cast<int>(m_dataset->annotations_of_image(imageIndex).size());
  switch (role) {
    case Qt::DisplayRole:
      return QStringLiteral("%1\n%2 annotation%3 · %4×%5")
          .arg(image.id)
          .arg(annotationCount)
          .arg(annotationCount == 1 ? QString() : QStringLiteral("s"))
          .arg(image.width)
          .arg(image.height);
    case Qt::ToolTipRole:
      return QStringLiteral("Image %1\n%2\n%3×%4 px, %5 annotations")
          .arg(image.id)
          .arg(imageDisplayName(image))
          .arg(image.width)
          .arg(image.height)
          .arg(annotationCount);
    case Qt::DecorationRole:
      if (m_thumbnails == nullptr) return {};
      return m_thumbnails->thumbnail(static_cast<int>(imageIndex));
    case ImageIndexRole: return static_cast<int>(imageIndex);
    case ImageIdRole: return static_cast<qlonglong>(image.id);
    case AnnotationCountRole: return annotationCount;
    case FileNameRole: return imageDisplayName(image);
    default: return {};
  }
}

QHash<int, QByteArray> ImageListModel::roleNames() const {
  QHash<int, QByteArray> names = QAbstractListModel::roleNames();
  names.insert(ImageIndexRole, "imageIndex");
  names.insert(ImageIdRole, "imageId");
  names.insert(AnnotationCountRole, "annotationCount");
  names.insert(FileNameRole, "fileName");
  return names;
}

void ImageListModel::onThumbnailReady(int imageIndex) {
  const auto row = rowOfImage(static_cast<std::size_t>(imageIndex));
  if (!row) return;
  const QModelIndex changed = index(*row);
  Q_EMIT dataChanged(changed, changed, {Qt::DecorationRole});
}

}  // namespace counterscope::ui
